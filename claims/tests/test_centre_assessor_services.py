"""R-CLM-1: centre assessors, set up per qualification, initials unique within the centre."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from claims import services
from claims.models import CentreAssessor

from .factories import CentreAssessorFactory, ClaimQualificationFactory


def test_r_clm_1_create_stores_upper_case_initials_and_audits(cw):
    assessor = services.centre_assessor_create(
        actor=cw.world.admin,
        centre=cw.centre,
        qualification=cw.qualification,
        name=" Tom Okafor ",
        initials="tok",
    )
    assert (assessor.name, assessor.initials, assessor.is_active) == ("Tom Okafor", "TOK", True)
    assert cw.centre.audit_events.filter(action="claims.assessor_create").count() == 1


def test_r_clm_1_initials_unique_within_the_centre(cw):
    other_qualification = ClaimQualificationFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.centre_assessor_create(
            actor=cw.world.admin,
            centre=cw.centre,
            qualification=other_qualification,
            name="Paul Smith",
            initials="ps",
        )
    assert "unique within the centre" in str(excinfo.value)


def test_r_clm_1_same_person_may_be_set_up_for_another_qualification(cw):
    other_qualification = ClaimQualificationFactory()
    again = services.centre_assessor_create(
        actor=cw.world.admin,
        centre=cw.centre,
        qualification=other_qualification,
        name="priya shah",
        initials="PS",
    )
    assert again.qualification == other_qualification


def test_r_clm_1_other_centres_may_use_the_same_initials(cw):
    services.centre_assessor_create(
        actor=cw.world.outsider,
        centre=cw.world.other_centre,
        qualification=cw.qualification,
        name="Pat Stone",
        initials="PS",
    )
    assert CentreAssessor.objects.filter(initials="PS").count() == 2


def test_r_clm_1_database_refuses_duplicate_initials_on_a_qualification(cw):
    with pytest.raises(IntegrityError):
        CentreAssessorFactory(
            centre=cw.centre, qualification=cw.qualification, name="X", initials="ps"
        )


@pytest.mark.parametrize("initials", ["ABCDE", "A B", "", "A-1"])
def test_r_clm_1_initials_are_up_to_four_letters_or_digits(cw, initials):
    assessor = CentreAssessor(
        centre=cw.centre, qualification=cw.qualification, name="N", initials=initials
    )
    with pytest.raises(ValidationError):
        assessor.full_clean()


def test_r_clm_1_teacher_code_allowed(cw):
    assessor = CentreAssessor(
        centre=cw.centre, qualification=cw.qualification, name="N", initials="T042"
    )
    assessor.full_clean()


def test_r_clm_1_update_and_deactivate(cw):
    services.centre_assessor_update(
        actor=cw.world.admin,
        assessor=cw.assessor,
        name="Priya Shah-Khan",
        initials="PSK",
        is_active=True,
    )
    services.centre_assessor_deactivate(actor=cw.world.admin, assessor=cw.assessor)
    cw.assessor.refresh_from_db()
    assert (cw.assessor.name, cw.assessor.initials, cw.assessor.is_active) == (
        "Priya Shah-Khan",
        "PSK",
        False,
    )
    actions = set(cw.centre.audit_events.values_list("action", flat=True))
    assert {"claims.assessor_update", "claims.assessor_deactivate"} <= actions
