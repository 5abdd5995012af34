"""R-CLM-9 and R-CLM-12: submitting a claim to the assessor."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from claims import services
from claims.models import ClaimStatus
from hub.numbers import is_valid_code

from .conftest import claim_with_lines, start_claim


def submit(cw, claim, **overrides):
    kwargs = dict(
        actor=cw.world.admin, claim=claim, contact_email="science@northgate.test", declared=True
    )
    kwargs.update(overrides)
    return services.claim_submit(**kwargs)


def test_r_clm_9_submit_makes_the_number_records_declaration_and_emails_the_assessor(
    cw, django_capture_on_commit_callbacks
):
    claim = claim_with_lines(cw)
    with django_capture_on_commit_callbacks(execute=True):
        claim = submit(cw, claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    # The centre's number, then a random code that reveals no volumes (hub.numbers).
    assert re.fullmatch(rf"{cw.centre.number}-[A-Z2-9]{{4}}-[A-Z2-9]{{4}}", claim.number)
    assert is_valid_code(claim.number.split("-", 1)[1])
    assert claim.contact_email == "science@northgate.test"
    assert claim.declared_by == cw.world.admin and claim.declared_at and claim.submitted_at
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cw.world.assessor.email]
    assert claim.number in mail.outbox[0].subject


def test_r_clm_9_submit_refused_without_the_declaration(cw):
    claim = claim_with_lines(cw)
    with pytest.raises(services.ClaimError, match="declaration"):
        submit(cw, claim, declared=False)
    claim.refresh_from_db()
    assert (claim.status, claim.number) == (ClaimStatus.UNSUBMITTED, None)


def test_r_clm_9_empty_claim_cannot_be_submitted(cw):
    with pytest.raises(services.ClaimError, match="no unit grades"):
        submit(cw, start_claim(cw))


def test_r_clm_9_claim_numbers_are_unique(cw):
    first = submit(cw, claim_with_lines(cw))
    services.claim_withdraw(actor=cw.world.assessor, claim=first, note="Wrong centre")
    second = submit(cw, claim_with_lines(cw))
    assert first.number != second.number


def test_r_clm_9_without_an_assigned_assessor_the_moderation_team_is_told(
    cw, settings, django_capture_on_commit_callbacks
):
    cw.centre.assessor_assignments.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        submit(cw, claim_with_lines(cw))
    assert mail.outbox[0].to == [settings.HUB_MODERATION_TEAM_EMAIL]


def test_r_new_2_registration_no_longer_current_is_caught_before_submission(cw):
    claim = claim_with_lines(cw)
    cw.full.is_current = False
    cw.full.save()
    with pytest.raises(services.ClaimError, match="no longer current"):
        submit(cw, claim)


def test_r_clm_12_submission_less_than_two_weeks_before_the_visit_refused(cw):
    claim = claim_with_lines(cw)
    claim.visit_date = timezone.localdate() + datetime.timedelta(days=10)
    claim.save()
    # Entries were made long ago; only the submission is late.
    for registration in cw.registrations:
        registration.registered_on = timezone.localdate() - datetime.timedelta(days=90)
        registration.save()
    with pytest.raises(services.ClaimError, match="at least 2 weeks"):
        submit(cw, claim)


def test_r_clm_12_submission_in_time_and_late_ones_allowed_by_an_admin(cw):
    claim = claim_with_lines(cw)
    for registration in cw.registrations:
        registration.registered_on = timezone.localdate() - datetime.timedelta(days=90)
        registration.save()
    claim.visit_date = timezone.localdate() + datetime.timedelta(days=15)
    claim.save()
    assert submit(cw, claim).status == ClaimStatus.SUBMITTED


def test_r_clm_12_admin_allowance_lifts_the_submission_deadline(cw):
    claim = claim_with_lines(cw)
    claim.visit_date = timezone.localdate() + datetime.timedelta(days=3)
    claim.late_allowed = True
    claim.save()
    assert submit(cw, claim).status == ClaimStatus.SUBMITTED


def test_claim_numbers_reveal_no_volumes_and_a_taken_one_is_drawn_again(cw, monkeypatch):
    from hub import numbers

    first = submit(cw, claim_with_lines(cw))
    services.claim_withdraw(actor=cw.world.assessor, claim=first, note="Wrong centre")
    taken_code = first.number.split("-", 1)[1]
    draws = iter([taken_code, "7KQM-4XPA"])
    monkeypatch.setattr(numbers, "random_code", lambda **kwargs: next(draws))

    second = submit(cw, claim_with_lines(cw))

    assert second.number == f"{cw.centre.number}-7KQM-4XPA"
    assert f"{second.pk:06d}" not in second.number
