"""Every claims service checks who acts, itself, with the rule the views use (R-ACC-1, R-ACC-2).

Called directly (not through a view), another centre's Programme Director, a member of the
centre without the Claims grant and an assessor not assigned to the centre are refused, and
nothing changes; the centre's staff with the grant (or the assigned assessor) succeed.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from claims import services
from claims.models import CentreAssessor, Claim, ClaimHistory, ClaimLine, ClaimStatus, Grade

from .conftest import claim_with_lines, sampled_claim, start_claim, submitted_claim


@pytest.fixture
def unassigned_assessor(db):
    return UserFactory(email="roaming@example.test", body_role=BodyRole.ASSESSOR)


def refused_personas(cw, unassigned_assessor) -> dict:
    return {
        "outsider": cw.world.outsider,  # Programme Director of another centre, every grant
        "member without the grant": cw.world.tutor,  # our centre, PAR only
        "unassigned assessor": unassigned_assessor,
    }


# --- The centre's side: a member of the claim's centre with the Claims grant --------------

CENTRE_SERVICES = {
    "centre_assessor_create": (
        lambda cw: None,
        lambda cw, actor, _: services.centre_assessor_create(
            actor=actor,
            centre=cw.centre,
            qualification=cw.qualification,
            name="Tom Reed",
            initials="TR",
        ),
        lambda cw, _: CentreAssessor.objects.filter(initials="TR").count(),
    ),
    "centre_assessor_update": (
        lambda cw: cw.assessor,
        lambda cw, actor, assessor: services.centre_assessor_update(
            actor=actor, assessor=assessor, name="Priya Shah-Jones", initials="PSJ", is_active=True
        ),
        lambda cw, assessor: CentreAssessor.objects.get(pk=assessor.pk).name,
    ),
    "centre_assessor_deactivate": (
        lambda cw: cw.assessor,
        lambda cw, actor, assessor: services.centre_assessor_deactivate(
            actor=actor, assessor=assessor
        ),
        lambda cw, assessor: CentreAssessor.objects.get(pk=assessor.pk).is_active,
    ),
    "claim_start": (
        lambda cw: None,
        lambda cw, actor, _: services.claim_start(
            actor=actor, centre=cw.centre, qualification=cw.qualification
        ),
        lambda cw, _: Claim.objects.count(),
    ),
    "claim_save_lines": (
        start_claim,
        lambda cw, actor, claim: services.claim_save_lines(
            actor=actor,
            claim=claim,
            entries={(cw.full.pk, cw.units[0].pk): (Grade.PASS, cw.assessor.pk)},
        ),
        lambda cw, claim: ClaimLine.objects.filter(claim=claim).count(),
    ),
    "claim_add_other_body_unit": (
        start_claim,
        lambda cw, actor, claim: services.claim_add_other_body_unit(
            actor=actor,
            claim=claim,
            registration_id=cw.full.pk,
            unit_id=cw.units[1].pk,
            assessor_id=cw.assessor.pk,
            awarding_body="Other Board",
            grade=Grade.PASS,
        ),
        lambda cw, claim: ClaimLine.objects.filter(claim=claim).count(),
    ),
    "claim_update_details": (
        start_claim,
        lambda cw, actor, claim: services.claim_update_details(
            actor=actor, claim=claim, contact_email="changed@elsewhere.test", visit_date=None
        ),
        lambda cw, claim: Claim.objects.get(pk=claim.pk).contact_email,
    ),
    "claim_submit": (
        claim_with_lines,
        lambda cw, actor, claim: services.claim_submit(
            actor=actor, claim=claim, contact_email="exams@northgate.test", declared=True
        ),
        lambda cw, claim: Claim.objects.get(pk=claim.pk).status,
    ),
}


@pytest.mark.parametrize("name", CENTRE_SERVICES)
@pytest.mark.parametrize(
    "persona",
    ["outsider", "member without the grant", "unassigned assessor", "assigned assessor"],
)
def test_r_acc_1_centre_side_services_refuse_anyone_without_the_claims_grant(
    cw, unassigned_assessor, name, persona
):
    build, call, observe = CENTRE_SERVICES[name]
    state = build(cw)
    before = observe(cw, state)
    personas = refused_personas(cw, unassigned_assessor)
    personas["assigned assessor"] = cw.world.assessor  # the reviewer, not the centre
    with pytest.raises(PermissionDenied):
        call(cw, personas[persona], state)
    assert observe(cw, state) == before


@pytest.mark.parametrize("name", CENTRE_SERVICES)
def test_centre_side_services_let_the_member_with_the_grant_act(cw, name):
    build, call, observe = CENTRE_SERVICES[name]
    state = build(cw)
    before = observe(cw, state)
    call(cw, cw.world.admin, state)
    assert observe(cw, state) != before


# --- The assessor's side: an assessor assigned to the claim's centre ----------------------

ASSESSOR_SERVICES = {
    "claim_select_sample": (
        submitted_claim,
        lambda cw, actor, claim: services.claim_select_sample(
            actor=actor, claim=claim, line_ids=[claim.lines.order_by("pk").first().pk]
        ),
    ),
    "claim_finalise": (
        sampled_claim,
        lambda cw, actor, claim: services.claim_finalise(actor=actor, claim=claim, outcomes={}),
    ),
    "claim_withdraw": (
        submitted_claim,
        lambda cw, actor, claim: services.claim_withdraw(
            actor=actor, claim=claim, note="Evidence missing"
        ),
    ),
}


@pytest.mark.parametrize("name", ASSESSOR_SERVICES)
@pytest.mark.parametrize(
    "persona",
    ["outsider", "member without the grant", "unassigned assessor", "centre member"],
)
def test_r_acc_2_assessor_side_services_refuse_anyone_but_the_assigned_assessor(
    cw, unassigned_assessor, name, persona
):
    build, call = ASSESSOR_SERVICES[name]
    claim = build(cw)
    status, history = claim.status, ClaimHistory.objects.filter(claim=claim).count()
    personas = refused_personas(cw, unassigned_assessor)
    personas["centre member"] = cw.world.admin  # the centre cannot review its own claim
    with pytest.raises(PermissionDenied):
        call(cw, personas[persona], claim)
    claim.refresh_from_db()
    assert claim.status == status
    assert ClaimHistory.objects.filter(claim=claim).count() == history


@pytest.mark.parametrize("name", ASSESSOR_SERVICES)
def test_assessor_side_services_let_the_assigned_assessor_act(cw, name):
    build, call = ASSESSOR_SERVICES[name]
    claim = build(cw)
    status = claim.status
    call(cw, cw.world.assessor, claim)
    claim.refresh_from_db()
    assert claim.status != status
    assert claim.status in (ClaimStatus.SAMPLED, ClaimStatus.FINALISED, ClaimStatus.WITHDRAWN)


def test_the_state_machine_asks_the_same_rules(cw, unassigned_assessor):
    """``has_transition_perm`` reads the grant and the assignment, not just the user's side."""
    from django_fsm import has_transition_perm

    claim = claim_with_lines(cw)
    claim.declared_at = timezone.now()  # the guard; the permission is what is asked here
    assert has_transition_perm(claim.submit, cw.world.admin)
    assert not has_transition_perm(claim.submit, cw.world.outsider)
    assert not has_transition_perm(claim.submit, cw.world.tutor)
    submitted = submitted_claim(cw)
    assert has_transition_perm(submitted.withdraw, cw.world.assessor)
    assert not has_transition_perm(submitted.withdraw, unassigned_assessor)
    assert not has_transition_perm(submitted.withdraw, cw.world.admin)
