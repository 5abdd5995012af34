"""A claim-route qualification on top of the shared test world."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from centres.models import EntryType, Learner, Registration
from centres.tests.factories import ApprovalFactory, LearnerFactory, RegistrationFactory
from claims import services
from claims.models import Claim, Grade

from .factories import AssessorAssignmentFactory, CentreAssessorFactory, ClaimQualificationFactory


@dataclass
class ClaimWorld:
    world: object
    qualification: object
    units: list
    assessor: object  # the centre assessor
    registrations: list  # three full-award entries, then one unit entry (units 0 and 1)

    @property
    def centre(self):
        return self.world.centre

    @property
    def full(self):
        return self.registrations[0]

    @property
    def unit_entry(self):
        return self.registrations[3]


def make_claim_world(world) -> ClaimWorld:
    qualification = ClaimQualificationFactory(units=4, code="05839")
    ApprovalFactory(centre=world.centre, qualification=qualification)
    ApprovalFactory(centre=world.other_centre, qualification=qualification)
    units = [qu.unit for qu in qualification.qualification_units.order_by("position")]
    assessor = CentreAssessorFactory(
        centre=world.centre, qualification=qualification, name="Priya Shah", initials="PS"
    )
    registrations = [
        RegistrationFactory(
            learner=LearnerFactory(centre=world.centre, last_name=name),
            qualification=qualification,
        )
        for name in ("Adams", "Baker", "Carter")
    ]
    unit_entry = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Dawson"),
        qualification=qualification,
        entry_type=EntryType.UNIT,
    )
    unit_entry.entered_units.set(units[:2])
    registrations.append(unit_entry)
    AssessorAssignmentFactory(assessor=world.assessor, centre=world.centre)
    return ClaimWorld(world, qualification, units, assessor, registrations)


@pytest.fixture(autouse=True)
def _outbox_tasks_run_in_process(settings):
    # Emails and processing go through the outbox's Celery task once the change commits;
    # here that task runs in the test process, so a test sees the mail it causes.
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def cw(world) -> ClaimWorld:
    return make_claim_world(world)


def start_claim(cw: ClaimWorld) -> Claim:
    return services.claim_start(
        actor=cw.world.admin, centre=cw.centre, qualification=cw.qualification
    )


def claim_with_lines(cw: ClaimWorld, grade=Grade.MERIT) -> Claim:
    """An Unsubmitted claim with unit 0 claimed for every candidate."""
    claim = start_claim(cw)
    services.claim_save_lines(
        actor=cw.world.admin,
        claim=claim,
        entries={(r.pk, cw.units[0].pk): (grade, cw.assessor.pk) for r in cw.registrations},
    )
    return claim


def submitted_claim(cw: ClaimWorld) -> Claim:
    claim = claim_with_lines(cw)
    return services.claim_submit(
        actor=cw.world.admin, claim=claim, contact_email="exams@northgate.test", declared=True
    )


def sampled_claim(cw: ClaimWorld) -> Claim:
    claim = submitted_claim(cw)
    first = claim.lines.order_by("pk").first()
    return services.claim_select_sample(actor=cw.world.assessor, claim=claim, line_ids=[first.pk])


def finalised_claim(cw: ClaimWorld, outcomes=None) -> Claim:
    claim = sampled_claim(cw)
    return services.claim_finalise(actor=cw.world.assessor, claim=claim, outcomes=outcomes or {})


def bulk_candidates(cw: ClaimWorld, count: int, *, prefix: int = 8) -> list[Registration]:
    """``count`` more full-award candidates at the centre, written in bulk."""
    learners = Learner.objects.bulk_create(
        [
            Learner(
                membership_number=f"P{prefix}{i:06d}",
                candidate_number=f"{i:04d}",
                first_name="Cand",
                last_name=f"Bulk{i:05d}",
                date_of_birth=datetime.date(2004, 1, 1) + datetime.timedelta(days=i % 700),
                centre=cw.centre,
            )
            for i in range(count)
        ]
    )
    return Registration.objects.bulk_create(
        [
            Registration(
                learner=learner, centre_id=learner.centre_id, qualification=cw.qualification
            )
            for learner in learners
        ]
    )
