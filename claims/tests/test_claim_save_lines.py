"""R-CLM-4, R-CLM-5, R-CLM-6, R-CLM-8, R-CLM-12: saving grades on a claim."""

import datetime

import pytest
from django.utils import timezone

from claims import services
from claims.models import ClaimLine, ClaimStatus, Grade
from claims.selectors import candidate_rows, registrations_for_unit, unit_candidate_rows
from par.models import UnitSelection

from .conftest import claim_with_lines, start_claim, submitted_claim
from .factories import CentreAssessorFactory


def save(cw, claim, entries):
    return services.claim_save_lines(actor=cw.world.admin, claim=claim, entries=entries)


def test_r_clm_4_save_claim_creates_changes_and_removes_lines(cw):
    claim = start_claim(cw)
    reg, (u0, u1, u2, _) = cw.full, cw.units
    outcome = save(
        cw,
        claim,
        {
            (reg.pk, u0.pk): (Grade.PASS, cw.assessor.pk),
            (reg.pk, u1.pk): (Grade.MERIT, cw.assessor.pk),
            (reg.pk, u2.pk): ("", None),
        },
    )
    assert (outcome.added, outcome.changed, outcome.removed) == (2, 0, 0)
    outcome = save(
        cw,
        claim,
        {(reg.pk, u0.pk): (Grade.DISTINCTION, cw.assessor.pk), (reg.pk, u1.pk): ("", None)},
    )
    assert (outcome.added, outcome.changed, outcome.removed) == (0, 1, 1)
    assert list(claim.lines.values_list("unit_id", "grade")) == [(u0.pk, Grade.DISTINCTION)]


def test_r_clm_8_not_claiming_for_every_unit_removes_the_candidate(cw):
    claim = claim_with_lines(cw)
    save(cw, claim, {(cw.full.pk, u.pk): ("", None) for u in cw.units})
    assert not claim.lines.filter(registration=cw.full).exists()
    assert claim.lines.count() == 3


def test_r_clm_8_not_claiming_for_every_candidate_removes_the_unit(cw):
    claim = claim_with_lines(cw)
    save(cw, claim, {(r.pk, cw.units[0].pk): ("", None) for r in cw.registrations})
    assert not claim.lines.exists()


def test_r_clm_4_assessor_is_required_with_a_grade_and_nothing_is_half_saved(cw):
    claim = start_claim(cw)
    with pytest.raises(services.LineErrors) as excinfo:
        save(
            cw,
            claim,
            {
                (cw.full.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk),
                (cw.full.pk, cw.units[1].pk): (Grade.PASS, None),
            },
        )
    assert excinfo.value.errors == {(cw.full.pk, cw.units[1].pk): "Choose the centre assessor."}
    assert not claim.lines.exists()


def test_r_clm_4_inactive_or_foreign_assessor_refused(cw):
    claim = start_claim(cw)
    foreign = CentreAssessorFactory(centre=cw.world.other_centre, qualification=cw.qualification)
    with pytest.raises(services.LineErrors):
        save(cw, claim, {(cw.full.pk, cw.units[0].pk): (Grade.PASS, foreign.pk)})


def test_r_clm_4_unit_entries_only_for_entered_units(cw):
    claim = start_claim(cw)
    with pytest.raises(services.LineErrors) as excinfo:
        save(cw, claim, {(cw.unit_entry.pk, cw.units[3].pk): (Grade.PASS, cw.assessor.pk)})
    assert "no entry for this unit" in next(iter(excinfo.value.errors.values()))


def test_r_clm_4_other_centres_candidates_refused(cw):
    claim = start_claim(cw)
    other = cw.world.other_learner.registrations.first()
    with pytest.raises(services.LineErrors):
        save(cw, claim, {(other.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk)})


def test_r_clm_9_no_edits_after_submission(cw):
    claim = submitted_claim(cw)
    with pytest.raises(services.ClaimError, match="no longer be edited"):
        save(cw, claim, {(cw.full.pk, cw.units[1].pk): (Grade.PASS, cw.assessor.pk)})
    assert claim.lines.count() == 4


def test_r_clm_6_units_claimed_earlier_are_greyed_for_full_and_absent_for_unit_entries(cw):
    submitted_claim(cw)  # unit 0 claimed for every candidate
    claim = start_claim(cw)
    full_rows = candidate_rows(claim, cw.full)
    assert [r.unit.pk for r in full_rows] == [u.pk for u in cw.units]
    assert full_rows[0].disabled and "Claimed: Merit" in full_rows[0].blocked
    assert not full_rows[1].disabled
    entry_rows = candidate_rows(claim, cw.unit_entry)
    assert [r.unit.pk for r in entry_rows] == [cw.units[1].pk]
    by_unit = unit_candidate_rows(
        claim, cw.units[0].pk, registrations_for_unit(claim, cw.units[0].pk)
    )
    assert [r.registration for r in by_unit] == cw.registrations[:3]
    assert all(r.disabled for r in by_unit)


def test_r_clm_6_claiming_an_already_claimed_unit_is_refused(cw):
    submitted_claim(cw)
    claim = start_claim(cw)
    with pytest.raises(services.LineErrors) as excinfo:
        save(cw, claim, {(cw.full.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk)})
    assert "Already claimed" in next(iter(excinfo.value.errors.values()))


def test_r_clm_6_units_achieved_on_par_are_blocked(cw):
    UnitSelection.objects.create(
        registration=cw.full, unit=cw.units[2], result="pass", result_at=timezone.now()
    )
    claim = start_claim(cw)
    rows = {r.unit.pk: r for r in candidate_rows(claim, cw.full)}
    assert rows[cw.units[2].pk].blocked == "Achieved: Pass"


def test_r_clm_5_by_unit_lists_full_entries_and_unit_entries_naming_the_unit(cw):
    claim = start_claim(cw)
    assert list(registrations_for_unit(claim, cw.units[1].pk).order_by("pk")) == cw.registrations
    assert (
        list(registrations_for_unit(claim, cw.units[2].pk).order_by("pk")) == (cw.registrations[:3])
    )


def test_r_clm_12_entries_made_less_than_four_weeks_before_the_visit_are_refused(cw):
    claim = start_claim(cw)
    visit = timezone.localdate() + datetime.timedelta(days=20)
    services.claim_update_details(
        actor=cw.world.admin, claim=claim, contact_email="a@b.test", visit_date=visit
    )
    claim.refresh_from_db()
    with pytest.raises(services.LineErrors) as excinfo:
        save(cw, claim, {(cw.full.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk)})
    assert "less than 4 weeks" in next(iter(excinfo.value.errors.values()))
    assert candidate_rows(claim, cw.full)[0].late


def test_r_clm_12_admin_allowance_lets_late_entries_through(cw):
    claim = start_claim(cw)
    claim.visit_date = timezone.localdate() + datetime.timedelta(days=20)
    claim.late_allowed = True
    claim.save()
    save(cw, claim, {(cw.full.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk)})
    assert claim.lines.count() == 1


def test_r_clm_12_entries_made_in_time_are_accepted(cw):
    claim = start_claim(cw)
    cw.full.registered_on = timezone.localdate() - datetime.timedelta(days=60)
    cw.full.save()
    claim.visit_date = timezone.localdate() + datetime.timedelta(days=20)
    claim.save()
    save(cw, claim, {(cw.full.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk)})
    assert ClaimLine.objects.filter(claim=claim).count() == 1
    assert claim.status == ClaimStatus.UNSUBMITTED
