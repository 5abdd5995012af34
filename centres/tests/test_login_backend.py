"""The request's user and memberships in one statement (centres/backends.py, issue 9).

Nothing is kept between requests: whatever changes a user's access (a revoked membership, a
centre or user deactivated, a password changed elsewhere) holds from their next request.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from centres.access import resolve_membership
from centres.backends import MembershipsBackend
from centres.models import Centre, Membership, Role, User
from centres.services import membership_revoke
from centres.tests.factories import PASSWORD, CentreFactory, MembershipFactory

LEARNERS = "centres:learner-list"


def test_the_user_and_their_memberships_are_one_statement(world, django_assert_num_queries):
    second = CentreFactory(name="Abbey Fields")  # sorts before Northgate College
    MembershipFactory(user=world.admin, centre=second, role=Role.TUTOR, can_par=True)
    with django_assert_num_queries(1):
        user = MembershipsBackend().get_user(world.admin.pk)
        memberships, current = resolve_membership(user)
        names = [m.centre.name for m in memberships]  # centres come with them
        assert all(m.user is user for m in memberships)
    assert user == world.admin and user.email == "admin@example.test"
    # The ORM's answer, in Membership's order, field for field.
    expected = list(Membership.objects.active().filter(user=world.admin).select_related("centre"))
    assert names == ["Abbey Fields", "Northgate College"]
    assert [m.pk for m in memberships] == [m.pk for m in expected]
    for got, want in zip(memberships, expected, strict=True):
        assert [getattr(got, f.attname) for f in Membership._meta.concrete_fields] == [
            getattr(want, f.attname) for f in Membership._meta.concrete_fields
        ]
        assert got.centre.number == want.centre.number
    # Values converted as the ORM converts them (booleans, aware datetimes) on every database.
    first = memberships[0]
    assert first.can_par is True and first.can_staff is False
    assert isinstance(first.created_at, datetime) and first.created_at.tzinfo is not None
    assert isinstance(user.date_joined, datetime) and user.date_joined.tzinfo is not None
    assert current.centre.name == "Abbey Fields"  # no current centre chosen: the first


def test_body_staff_without_a_membership_load_in_one_statement(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = MembershipsBackend().get_user(world.moderator.pk)
        assert resolve_membership(user) == ([], None)
    assert user == world.moderator


def test_unknown_or_inactive_users_are_not_loaded(world):
    backend = MembershipsBackend()
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None
    User.objects.filter(pk=world.tutor.pk).update(is_active=False)
    assert backend.get_user(world.tutor.pk) is None


def test_a_revoked_membership_holds_from_the_next_request(member_client, world):
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    membership_revoke(actor=world.director, membership=world.admin.memberships.get())
    assert member_client.get(reverse(LEARNERS)).status_code == 403


def test_a_membership_switched_off_outside_the_hub_holds_from_the_next_request(
    member_client, world
):
    # A bulk update (admin action, SQL) sends no signal: nothing may have cached the old row.
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    Membership.objects.filter(user=world.admin).update(can_learners=False)
    assert member_client.get(reverse(LEARNERS)).status_code == 403


def test_a_deactivated_centre_holds_from_the_next_request(member_client, world):
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    Centre.objects.filter(pk=world.centre.pk).update(is_active=False)
    assert member_client.get(reverse(LEARNERS)).status_code == 403
    request = member_client.get(reverse("home")).wsgi_request
    assert request.memberships == [] and request.centre is None


def test_losing_the_current_centre_moves_the_user_to_their_other_one(client, world):
    other = MembershipFactory(
        user=world.admin, centre=world.other_centre, role=Role.TUTOR, can_par=True
    )
    User.objects.filter(pk=world.admin.pk).update(current_centre=world.centre)
    client.force_login(world.admin)
    assert client.get(reverse("home")).wsgi_request.centre == world.centre
    membership_revoke(
        actor=world.director, membership=world.admin.memberships.get(centre=world.centre)
    )
    request = client.get(reverse("home")).wsgi_request
    assert request.centre == world.other_centre
    assert request.memberships == [other]


def test_a_deactivated_user_is_logged_out_on_the_next_request(member_client, world):
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    User.objects.filter(pk=world.admin.pk).update(is_active=False)
    response = member_client.get(reverse(LEARNERS))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_ends_this_session(member_client, world):
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    elsewhere = Client()
    elsewhere.force_login(world.admin)
    response = elsewhere.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-7",
            "new_password2": "a-new-long-passphrase-7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert member_client.get(reverse(LEARNERS)).status_code == 302
    # The session that changed it stays logged in (Django renews its hash).
    assert get_user(elsewhere.get(reverse("home")).wsgi_request).is_authenticated


def test_instances_are_built_as_the_orm_builds_them_and_signals_are_honoured(world):
    """The backend makes its instances without Model.__init__ unless someone listens to
    its signals: the same field values and state either way, and a listener is called."""
    from django.db.models.signals import post_init

    fast = MembershipsBackend().get_user(world.admin.pk)
    orm = User.objects.get(pk=world.admin.pk)
    fields = User._meta.concrete_fields
    assert [getattr(fast, f.attname) for f in fields] == [getattr(orm, f.attname) for f in fields]
    assert (fast._state.adding, fast._state.db) == (False, orm._state.db)
    fast.first_name = "Changed"
    fast.save(update_fields=["first_name"])  # an update of the row, not an insert
    assert User.objects.get(pk=world.admin.pk).first_name == "Changed"

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=User)
    try:
        user = MembershipsBackend().get_user(world.admin.pk)
    finally:
        post_init.disconnect(listener, sender=User)
    assert seen == [user]
