"""R-CLM-10: the assessor samples, finalises or withdraws a submitted claim."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from claims import services
from claims.models import LINE_WITHDRAWN, ClaimStatus, Grade
from hub.numbers import is_valid_code

from .conftest import sampled_claim, submitted_claim


def test_r_clm_10_sample_ticks_lines_and_emails_the_centre(cw, django_capture_on_commit_callbacks):
    claim = submitted_claim(cw)
    lines = list(claim.lines.order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_select_sample(
            actor=cw.world.assessor, claim=claim, line_ids=[lines[0].pk, lines[2].pk]
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED and claim.sampled_at
    assert list(claim.lines.order_by("pk").values_list("sampled", flat=True)) == [
        True,
        False,
        True,
        False,
    ]
    assert mail.outbox[-1].to == ["exams@northgate.test"]
    assert "sample" in mail.outbox[-1].subject


def test_r_clm_10_sample_needs_a_tick_and_only_this_claims_lines(cw):
    claim = submitted_claim(cw)
    with pytest.raises(services.ClaimError, match="at least one"):
        services.claim_select_sample(actor=cw.world.assessor, claim=claim, line_ids=[])
    with pytest.raises(services.ClaimError, match="not on this claim"):
        services.claim_select_sample(actor=cw.world.assessor, claim=claim, line_ids=[999999])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_r_clm_10_finalise_records_agreed_and_amended_grades_and_a_reference(
    cw, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    claim = sampled_claim(cw)
    lines = list(claim.lines.order_by("pk"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.claim_finalise(
            actor=cw.world.assessor,
            claim=claim,
            outcomes={lines[1].pk: Grade.DISTINCTION, lines[2].pk: LINE_WITHDRAWN},
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FINALISED
    assert re.fullmatch(rf"R{cw.centre.number}-[A-Z2-9]{{4}}-[A-Z2-9]{{4}}", claim.reference)
    assert is_valid_code(claim.reference.split("-", 1)[1])
    assert list(claim.lines.order_by("pk").values_list("outcome", flat=True)) == [
        Grade.MERIT,
        Grade.DISTINCTION,
        LINE_WITHDRAWN,
        Grade.MERIT,
    ]
    assert claim.history.first().note.startswith("2 agreed, 1 amended, 1 withdrawn")
    assert len(callbacks) == 2  # the centre's email and the processing task, after commit


def test_r_clm_10_finalise_refuses_an_unknown_grade(cw):
    claim = sampled_claim(cw)
    line = claim.lines.first()
    with pytest.raises(services.ClaimError):
        services.claim_finalise(actor=cw.world.assessor, claim=claim, outcomes={line.pk: "A*"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED
    assert not claim.lines.exclude(outcome="").exists()


@pytest.mark.parametrize("build", [submitted_claim, sampled_claim])
def test_r_clm_10_assessor_withdraws_the_whole_claim(cw, build, django_capture_on_commit_callbacks):
    claim = build(cw)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_withdraw(actor=cw.world.assessor, claim=claim, note="Evidence missing")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.history.first().note == "Evidence missing"
    assert "withdrawn" in mail.outbox[-1].subject
    assert "Evidence missing" in mail.outbox[-1].body


def test_r_clm_10_withdrawal_needs_a_reason(cw):
    claim = submitted_claim(cw)
    with pytest.raises(ValidationError):
        services.claim_withdraw(actor=cw.world.assessor, claim=claim, note=" ")


def test_r_clm_6_withdrawn_claims_units_can_be_claimed_again(cw):
    from .conftest import claim_with_lines

    claim = submitted_claim(cw)
    services.claim_withdraw(actor=cw.world.assessor, claim=claim, note="Start again")
    again = claim_with_lines(cw)
    assert again.lines.count() == 4
