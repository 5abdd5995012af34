"""R-CLM-10 processing and R-PAR-2: agreed grades posted to the PAR, once."""

import pytest

from claims import services
from claims.models import LINE_WITHDRAWN, ClaimStatus, Grade
from par.models import UnitSelection
from par.services import SelectionLocked, selection_remove

from .conftest import claim_with_lines, finalised_claim, sampled_claim


def finalised(cw, django_capture_on_commit_callbacks, outcomes=None):
    with django_capture_on_commit_callbacks(execute=False):
        return finalised_claim(cw, outcomes)


def results(cw):
    return sorted(
        UnitSelection.objects.filter(registration__qualification=cw.qualification).values_list(
            "registration_id", "unit_id", "result", "result_source"
        )
    )


def test_r_clm_10_processing_posts_agreed_grades_to_par(cw, django_capture_on_commit_callbacks):
    claim = sampled_claim(cw)
    lines = list(claim.lines.order_by("pk"))
    # One candidate already had the unit selected on PAR: it is updated, not duplicated.
    UnitSelection.objects.create(registration=cw.registrations[1], unit=cw.units[0])
    with django_capture_on_commit_callbacks(execute=False):
        services.claim_finalise(
            actor=cw.world.assessor,
            claim=claim,
            outcomes={lines[0].pk: Grade.DISTINCTION, lines[3].pk: LINE_WITHDRAWN},
        )
    assert services.claim_process(claim_id=claim.pk) is True
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED and claim.processed_at
    source = f"Claim {claim.number}"
    u0 = cw.units[0].pk
    assert results(cw) == [
        (cw.registrations[0].pk, u0, "distinction", source),
        (cw.registrations[1].pk, u0, "merit", source),
        (cw.registrations[2].pk, u0, "merit", source),
    ]
    assert UnitSelection.objects.get(registration=cw.registrations[0]).result_at is not None


def test_r_clm_10_processing_twice_changes_nothing(cw, django_capture_on_commit_callbacks):
    claim = finalised(cw, django_capture_on_commit_callbacks)
    assert services.claim_process(claim_id=claim.pk) is True
    first = results(cw)
    stamps = list(UnitSelection.objects.values_list("result_at", flat=True))
    history = claim.history.count()
    assert services.claim_process(claim_id=claim.pk) is False
    assert results(cw) == first
    assert list(UnitSelection.objects.values_list("result_at", flat=True)) == stamps
    assert claim.history.count() == history


def test_r_clm_10_all_lines_withdrawn_claim_stays_finalised(cw, django_capture_on_commit_callbacks):
    claim = sampled_claim(cw)
    outcomes = dict.fromkeys(claim.lines.values_list("pk", flat=True), LINE_WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=False):
        services.claim_finalise(actor=cw.world.assessor, claim=claim, outcomes=outcomes)
    assert services.claim_process(claim_id=claim.pk) is False
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FINALISED
    assert not UnitSelection.objects.exists()


def test_r_clm_10_unfinalised_claims_are_not_processed(cw):
    claim = claim_with_lines(cw)
    assert services.claim_process(claim_id=claim.pk) is False
    assert services.claim_process(claim_id=987654) is False


def test_r_clm_10_finalising_enqueues_processing_after_commit(
    cw, settings, django_capture_on_commit_callbacks
):
    """The task runs (eagerly here) once the finalise transaction commits."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    claim = sampled_claim(cw)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_finalise(actor=cw.world.assessor, claim=claim, outcomes={})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED
    assert len(results(cw)) == 4


def test_process_claim_task_calls_the_service(cw, settings, django_capture_on_commit_callbacks):
    from claims.tasks import process_claim

    settings.CELERY_TASK_ALWAYS_EAGER = True
    claim = finalised(cw, django_capture_on_commit_callbacks)
    assert process_claim.delay(claim.pk).get() is True
    assert process_claim.delay(claim.pk).get() is False


def test_r_par_3_par_refuses_to_remove_a_selection_a_claim_holds(cw):
    claim = claim_with_lines(cw)
    selection = UnitSelection.objects.create(registration=cw.full, unit=cw.units[0])
    free = UnitSelection.objects.create(registration=cw.full, unit=cw.units[1])
    with pytest.raises(SelectionLocked, match="grade claim"):
        selection_remove(actor=cw.world.admin, centre=cw.centre, selection=selection)
    selection_remove(actor=cw.world.admin, centre=cw.centre, selection=free)
    assert claim.lines.count() == 4


def test_r_par_5_processing_selects_through_par_and_refuses_an_ended_registration(
    cw, django_capture_on_commit_callbacks
):
    """Claims processing asks PAR for the selections (R-PAR-5 in one place, audited): a
    registration that ended after the claim was finalised gets no selection and no result,
    and the history says why; the other candidates' grades are posted as usual."""
    from centres.models import AuditEvent

    claim = finalised(cw, django_capture_on_commit_callbacks)
    ended = cw.registrations[2]
    ended.is_current = False
    ended.save(update_fields=["is_current"])

    assert services.claim_process(claim_id=claim.pk) is True

    posted = {registration for registration, _, _, _ in results(cw)}
    assert ended.pk not in posted
    assert {cw.registrations[0].pk, cw.registrations[1].pk} <= posted
    source = f"Claim {claim.number}"
    selected = AuditEvent.objects.filter(action="par.select", actor=None)
    assert selected.count() == len(posted)
    assert {event.detail["source"] for event in selected} == {source}
    refused = AuditEvent.objects.get(action="par.result_refused", subject=source)
    assert "the registration on this qualification is not current" in refused.detail["reason"]
    assert ended.learner.membership_number in refused.detail["reason"]
