"""R-CLM-7: units achieved with another awarding body."""

import pytest
from django.core.exceptions import ValidationError

from claims import services
from claims.models import Grade

from .conftest import claim_with_lines, start_claim


def add(cw, claim, unit, **overrides):
    kwargs = dict(
        actor=cw.world.admin,
        claim=claim,
        registration_id=cw.full.pk,
        unit_id=unit.pk,
        assessor_id=cw.assessor.pk,
        awarding_body="Pearson",
        grade=Grade.MERIT,
    )
    kwargs.update(overrides)
    return services.claim_add_other_body_unit(**kwargs)


def test_r_clm_7_adds_a_line_naming_the_awarding_body(cw):
    claim = start_claim(cw)
    line = add(cw, claim, cw.units[2])
    assert (line.unit, line.grade, line.assessor, line.other_awarding_body) == (
        cw.units[2],
        Grade.MERIT,
        cw.assessor,
        "Pearson",
    )


def test_r_clm_7_awarding_body_name_required(cw):
    with pytest.raises(ValidationError) as excinfo:
        add(cw, start_claim(cw), cw.units[2], awarding_body="  ")
    assert "awarding_body" in excinfo.value.message_dict


def test_r_clm_7_unit_already_on_the_claim_refused(cw):
    claim = claim_with_lines(cw)
    with pytest.raises(ValidationError) as excinfo:
        add(cw, claim, cw.units[0])
    assert "already on the claim" in str(excinfo.value)


def test_r_clm_7_grade_and_assessor_checked_like_any_line(cw):
    with pytest.raises(ValidationError):
        add(cw, start_claim(cw), cw.units[2], assessor_id=None)


def test_r_clm_7_saving_the_candidate_keeps_the_awarding_body(cw):
    claim = start_claim(cw)
    add(cw, claim, cw.units[2])
    services.claim_save_lines(
        actor=cw.world.admin,
        claim=claim,
        entries={(cw.full.pk, cw.units[2].pk): (Grade.DISTINCTION, cw.assessor.pk)},
    )
    line = claim.lines.get()
    assert (line.grade, line.other_awarding_body) == (Grade.DISTINCTION, "Pearson")
