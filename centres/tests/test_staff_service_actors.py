"""The staff services check who acts, themselves (R-ACC-1): only the centre's Programme
Director with the Staff grant may invite, change or revoke, whoever calls the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from centres import services
from centres.models import BodyRole, Membership, Role, Section, User
from centres.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def personas(world) -> dict:
    director_without_staff = UserFactory(email="no-staff-director@example.test")
    MembershipFactory(
        user=director_without_staff,
        centre=world.centre,
        role=Role.PROGRAMME_DIRECTOR,
        can_staff=False,
    )
    return {
        "outsider": world.outsider,  # Programme Director of another centre, every grant
        "member without the grant": world.admin,
        "director without the Staff grant": director_without_staff,
        "assessor": UserFactory(email="roaming@example.test", body_role=BodyRole.ASSESSOR),
    }


def tutor_membership(world) -> Membership:
    return Membership.objects.get(user=world.tutor, centre=world.centre)


SERVICES = {
    "membership_invite": lambda world, actor: services.membership_invite(
        actor=actor,
        centre=world.centre,
        email="nia.okafor@example.test",
        first_name="Nia",
        last_name="Okafor",
        role=Role.TUTOR,
        sections=[Section.PAR],
        site_url="http://hub.test/",
    ),
    "membership_update": lambda world, actor: services.membership_update(
        actor=actor,
        membership=tutor_membership(world),
        role=Role.TUTOR,
        sections=[Section.PAR, Section.CLAIMS],
    ),
    "membership_revoke": lambda world, actor: services.membership_revoke(
        actor=actor, membership=tutor_membership(world)
    ),
}


def observed(world) -> tuple:
    tutor = tutor_membership(world)
    return (
        User.objects.filter(email="nia.okafor@example.test").exists(),
        tutor.is_active,
        tutor.can_claims,
    )


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize(
    "persona",
    ["outsider", "member without the grant", "director without the Staff grant", "assessor"],
)
def test_r_acc_1_staff_services_refuse_anyone_but_the_director(world, personas, name, persona):
    before = observed(world)
    with pytest.raises(PermissionDenied):
        SERVICES[name](world, personas[persona])
    assert observed(world) == before


@pytest.mark.parametrize("name", SERVICES)
def test_staff_services_let_the_director_act(world, name, django_capture_on_commit_callbacks):
    before = observed(world)
    with django_capture_on_commit_callbacks(execute=False):
        SERVICES[name](world, world.director)
    assert observed(world) != before
