"""R-CLM-9: check page, centre declaration, confirmation, submission."""

from django.core import mail
from django.urls import reverse

from claims.models import ClaimStatus

from .conftest import claim_with_lines


def test_r_clm_9_check_page_shows_email_declaration_and_disabled_button_hook(cw, member_client):
    claim = claim_with_lines(cw)
    body = member_client.get(reverse("claims:claim-check", args=[claim.pk])).content.decode()
    assert f'value="{cw.centre.contact_email}"' in body
    assert 'name="declaration"' in body
    # claims.js keeps the button disabled until the box is ticked.
    assert 'data-requires-declaration="id_declaration"' in body
    assert "Submit to assessor" in body
    assert "4</strong> unit grades for <strong>4</strong> candidates" in body


def test_r_clm_9_server_refuses_without_the_declaration(cw, member_client):
    claim = claim_with_lines(cw)
    response = member_client.post(
        reverse("claims:claim-submit", args=[claim.pk]),
        {"contact_email": "science@northgate.test", "confirmed": "yes"},
    )
    assert response.status_code == 200
    assert "Tick the centre declaration" in response.content.decode()
    assert 'value="science@northgate.test"' in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSUBMITTED


def test_r_clm_9_declaration_then_confirmation_step(cw, member_client):
    claim = claim_with_lines(cw)
    response = member_client.post(
        reverse("claims:claim-submit", args=[claim.pk]),
        {"contact_email": "science@northgate.test", "declaration": "on"},
    )
    body = response.content.decode()
    assert "Are you sure" in body and "Yes, submit to assessor" in body
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSUBMITTED


def test_r_clm_9_confirmed_submission(cw, member_client, django_capture_on_commit_callbacks):
    claim = claim_with_lines(cw)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("claims:claim-submit", args=[claim.pk]),
            {"contact_email": "science@northgate.test", "declaration": "on", "confirmed": "yes"},
            follow=True,
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.number
    assert claim.contact_email == "science@northgate.test"
    assert f"Claim {claim.number} has been submitted" in response.content.decode()
    assert mail.outbox[0].to == [cw.world.assessor.email]
    # No further edits.
    again = member_client.get(reverse("claims:by-candidate", args=[claim.pk]))
    assert again.status_code == 302


def test_r_clm_9_refusal_from_the_service_is_shown(cw, member_client):
    claim = claim_with_lines(cw)
    cw.full.is_current = False
    cw.full.save()
    response = member_client.post(
        reverse("claims:claim-submit", args=[claim.pk]),
        {"contact_email": "a@b.test", "declaration": "on", "confirmed": "yes"},
    )
    assert response.status_code == 200
    assert "no longer current" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSUBMITTED
