"""R-NEW-3: claims record every change on the one audit path (centres.audit), the admin's
overrides included, with who, when, what, from, to and why."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from centres.models import AuditEvent
from claims import services
from claims.models import ClaimStatus

from .conftest import start_claim, submitted_claim


def _inlines():
    data = {}
    for prefix in ("lines", "history"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_transitions_are_audited_with_from_to_and_why(cw):
    claim = submitted_claim(cw)
    event = AuditEvent.objects.get(action="claims.submit")
    assert (event.actor, event.centre, event.subject) == (
        cw.world.admin,
        cw.centre,
        f"claim {claim.pk}",
    )
    assert event.detail["before"] == ClaimStatus.UNSUBMITTED
    assert event.detail["after"] == ClaimStatus.SUBMITTED
    assert event.detail["reason"] == f"Claim number {claim.number}"
    # The claim's own history page reads the row written on the same path.
    row = claim.history.get(to_status=ClaimStatus.SUBMITTED)
    assert (row.actor, row.at, row.note) == (event.actor, event.at, event.detail["reason"])


def test_admin_lifts_the_deadlines_with_a_reason_audited(client, cw):
    claim = start_claim(cw)
    client.force_login(cw.world.staff)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "contact_email": claim.contact_email,
            "visit_date": "2031-05-20",
            "late_allowed": "on",
            "reason": "Visit moved by the assessor; late entries agreed.",
            **_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert (claim.late_allowed, claim.visit_date) == (True, datetime.date(2031, 5, 20))
    event = AuditEvent.objects.get(action="claims.admin_update")
    assert event.actor == cw.world.staff
    assert event.detail == {
        "before": {"visit_date": None, "late_allowed": False},
        "after": {"visit_date": "2031-05-20", "late_allowed": True},
        "reason": "Visit moved by the assessor; late entries agreed.",
    }


def test_admin_change_without_a_reason_is_refused(client, cw):
    claim = start_claim(cw)
    client.force_login(cw.world.staff)
    response = client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]),
        {"contact_email": claim.contact_email, "late_allowed": "on", "reason": "", **_inlines()},
    )
    assert response.status_code == 200
    assert "Say why the claim changes." in response.content.decode()
    claim.refresh_from_db()
    assert claim.late_allowed is False
    assert not AuditEvent.objects.filter(action="claims.admin_update").exists()


def test_admin_update_service_refuses_non_staff_and_a_missing_reason(cw):
    claim = start_claim(cw)
    with pytest.raises(PermissionDenied):
        services.claim_admin_update(
            actor=cw.world.director,
            claim=claim,
            contact_email=claim.contact_email,
            visit_date=None,
            late_allowed=True,
            reason="Mine.",
        )
    with pytest.raises(ValidationError):
        services.claim_admin_update(
            actor=cw.world.staff,
            claim=claim,
            contact_email=claim.contact_email,
            visit_date=None,
            late_allowed=True,
            reason=" ",
        )
    claim.refresh_from_db()
    assert claim.late_allowed is False
