"""The PAR services check who acts, themselves (R-ACC-1): a member of the centre with the
PAR grant, never another centre's staff, a member without the grant or a reviewer."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from centres.models import Role
from centres.tests.factories import MembershipFactory, UserFactory
from par import services
from par.models import UnitSelection


@pytest.fixture
def personas(world) -> dict:
    no_par = UserFactory(email="no-par@example.test")
    MembershipFactory(
        user=no_par, centre=world.centre, role=Role.CENTRE_ADMINISTRATOR, can_par=False
    )
    return {
        "outsider": world.outsider,
        "member without the grant": no_par,
        "moderator": world.moderator,
    }


def pair(world):
    registration = world.learner.registrations.get()
    return registration.pk, world.qualification.units.order_by("code").first().pk


@pytest.mark.parametrize("persona", ["outsider", "member without the grant", "moderator"])
def test_r_acc_1_selections_add_refuses_anyone_without_the_par_grant(world, personas, persona):
    with pytest.raises(PermissionDenied):
        services.selections_add(actor=personas[persona], centre=world.centre, pairs=[pair(world)])
    assert not UnitSelection.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "member without the grant", "moderator"])
def test_r_acc_1_selection_remove_refuses_anyone_without_the_par_grant(world, personas, persona):
    services.selections_add(actor=world.tutor, centre=world.centre, pairs=[pair(world)])
    selection = UnitSelection.objects.get()
    with pytest.raises(PermissionDenied):
        services.selection_remove(actor=personas[persona], centre=world.centre, selection=selection)
    assert UnitSelection.objects.filter(pk=selection.pk).exists()


def test_the_member_with_the_par_grant_selects_and_removes(world):
    services.selections_add(actor=world.tutor, centre=world.centre, pairs=[pair(world)])
    selection = UnitSelection.objects.get()
    services.selection_remove(actor=world.tutor, centre=world.centre, selection=selection)
    assert not UnitSelection.objects.exists()
