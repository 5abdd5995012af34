"""R-CRT-2: passed units meeting the rule of combination give one qualification certificate."""

import pytest
from django.db import IntegrityError, transaction

from certificates.models import Certificate, CertificateKind
from certificates.selectors import full_award_units
from certificates.services import (
    certificates_award_for_registrations,
    certificates_issue_for_batch,
)
from par.models import UnitSelection

from .factories import complete_batch, full_award_qualification


def passed_everything(world):
    """The world learner passes every unit outside any batch, as a claim posts results."""
    registration = world.learner.registrations.get(qualification=world.qualification)
    for unit in world.qualification.units.all():
        UnitSelection.objects.update_or_create(
            registration=registration,
            unit=unit,
            defaults={"result": "merit", "result_source": "Claim K-1"},
        )
    return registration


def test_r_crt_2_a_batch_completing_the_rule_gives_the_qualification_certificate(world):
    full_award_qualification(world.qualification, min_credits=24)  # all four units
    batch = complete_batch(world)
    assert certificates_issue_for_batch(batch_id=batch.pk) == 1
    certificate = Certificate.objects.get()
    assert certificate.kind == CertificateKind.QUALIFICATION
    assert certificate.batch == batch
    assert [(u["level"], u["credits"], u["result"]) for u in certificate.units] == [
        (3, 6, "Pass")
    ] * 4
    assert certificate.total_credits == 24


def test_r_crt_2_not_enough_credits_gives_unit_certificates(world):
    full_award_qualification(world.qualification, min_credits=30)
    certificates_issue_for_batch(batch_id=complete_batch(world).pk)
    assert Certificate.objects.get().kind == CertificateKind.UNIT


def test_r_crt_2_a_missing_mandatory_unit_gives_unit_certificates(world):
    full_award_qualification(world.qualification, min_credits=12)
    batch = complete_batch(world)
    mandatory = world.qualification.qualification_units.get(mandatory=True).unit
    UnitSelection.objects.filter(batch_units__batch=batch, unit=mandatory).update(result="")
    certificates_issue_for_batch(batch_id=batch.pk)
    certificate = Certificate.objects.get()
    assert certificate.kind == CertificateKind.UNIT
    assert mandatory.code not in [u["code"] for u in certificate.units]
    assert len(certificate.units) == 3  # 18 credits, but not the mandatory unit


def test_no_rule_set_means_unit_certificates_only(world):
    assert world.qualification.min_credits is None
    assert full_award_units(qualification=world.qualification, learner_ids=[world.learner.pk]) == {}


def test_r_crt_2_results_from_a_claim_give_the_award_once(world):
    full_award_qualification(world.qualification, min_credits=24)
    registration = passed_everything(world)
    assert certificates_award_for_registrations(registration_ids=[registration.pk]) == 1
    assert certificates_award_for_registrations(registration_ids=[registration.pk]) == 0
    award = Certificate.objects.get()
    assert (award.kind, award.batch, award.centre) == (
        CertificateKind.QUALIFICATION,
        None,
        world.centre,
    )
    assert {u["result"] for u in award.units} == {"Merit"}
    assert award.pdf  # drawn at once


def test_r_crt_2_a_later_batch_gives_unit_certificates_after_the_award(world):
    full_award_qualification(world.qualification, min_credits=24)
    certificates_award_for_registrations(registration_ids=[passed_everything(world).pk])
    batch = complete_batch(world)
    certificates_issue_for_batch(batch_id=batch.pk)
    assert list(
        Certificate.objects.filter(learner=world.learner).order_by("pk").values_list("kind")
    ) == [(CertificateKind.QUALIFICATION,), (CertificateKind.UNIT,)]


def test_r_crt_2_the_database_refuses_a_second_award(world):
    full_award_qualification(world.qualification, min_credits=24)
    certificates_award_for_registrations(registration_ids=[passed_everything(world).pk])
    award = Certificate.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            learner=award.learner,
            qualification=award.qualification,
            centre=award.centre,
            kind=CertificateKind.QUALIFICATION,
            units=award.units,
            number="C-AAAAA-AAAAJ",
            dispatch_due_on=award.dispatch_due_on,
        )


@pytest.mark.parametrize("learners", [5, 50])
def test_issue_with_a_rule_query_count(world, learners, django_assert_max_num_queries):
    full_award_qualification(world.qualification, min_credits=24)
    batch = complete_batch(world, learners=learners)
    with django_assert_max_num_queries(17):
        certificates_issue_for_batch(batch_id=batch.pk)
    assert Certificate.objects.filter(kind=CertificateKind.QUALIFICATION).count() == learners
