"""The Staff access list: every active member of the current centre (R-ACC-1, R-ACC-2)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Membership, Role
from centres.tests.factories import MembershipFactory, UserFactory

# Session, user, memberships, the list; then the session save (SESSION_SAVE_EVERY_REQUEST)
# takes three more with its savepoint.
LIST_QUERY_BOUND = 7


def member_row(html: str, membership: Membership) -> str:
    match = re.search(rf'<tr data-testid="member-{membership.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {membership}"
    return match.group(1)


@pytest.fixture
def director_client(client, world):
    client.force_login(world.director)
    return client


def test_lists_active_members_with_role_and_grants(director_client, world):
    """R-ACC-2: our centre's members only; R-ACC-1: each row shows the sections granted."""
    revoked = MembershipFactory(
        centre=world.centre, user=UserFactory(email="gone@example.test"), is_active=False
    )
    response = director_client.get(reverse("centres:staff"))
    html = response.content.decode()

    assert response.status_code == 200
    for persona in ("director", "admin", "tutor", "quality"):
        assert f"{persona}@example.test" in html
    assert "outsider@example.test" not in html
    assert revoked.user.email not in html

    tutor_row = member_row(html, world.tutor.memberships.get())
    assert "Tutor" in tutor_row
    # PAR only: one granted cell, four not.
    assert tutor_row.count(">Granted<") == 1
    assert tutor_row.count(">Not granted<") == 4
    director_row = member_row(html, world.director.memberships.get())
    assert "Programme Director" in director_row
    assert director_row.count(">Granted<") == 5
    assert 'href="{}"'.format(reverse("centres:staff-invite")) in html


def test_director_sees_no_revoke_button_on_own_row(director_client, world):
    response = director_client.get(reverse("centres:staff"))
    own = world.director.memberships.get()
    tutor = world.tutor.memberships.get()
    html = response.content.decode()
    assert reverse("centres:staff-revoke-confirm", args=[own.pk]) not in html
    assert reverse("centres:staff-revoke-confirm", args=[tutor.pk]) in html


def test_member_without_staff_grant_is_refused(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("centres:staff")).status_code == 403


def test_staff_grant_without_director_role_can_view_but_not_change(client, world):
    """Only the Programme Director changes grants; a Staff grant alone is read-only."""
    viewer = UserFactory(email="viewer@example.test")
    MembershipFactory(
        user=viewer, centre=world.centre, role=Role.CENTRE_ADMINISTRATOR, can_staff=True
    )
    tutor = world.tutor.memberships.get()
    client.force_login(viewer)

    response = client.get(reverse("centres:staff"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "tutor@example.test" in html
    assert "Invite a colleague" not in html
    assert reverse("centres:staff-edit", args=[tutor.pk]) not in html

    invite = reverse("centres:staff-invite")
    edit = reverse("centres:staff-edit", args=[tutor.pk])
    assert client.get(invite).status_code == 403
    assert (
        client.post(
            invite,
            {
                "email": "x@example.test",
                "first_name": "X",
                "last_name": "Y",
                "role": Role.TUTOR,
                "sections": ["staff"],
            },
        ).status_code
        == 403
    )
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"role": Role.TUTOR, "sections": ["staff"]}).status_code == 403
    assert client.get(reverse("centres:staff-revoke-confirm", args=[tutor.pk])).status_code == 403
    assert client.post(reverse("centres:staff-revoke", args=[tutor.pk])).status_code == 403

    tutor.refresh_from_db()
    assert tutor.is_active and not tutor.can_staff
    assert not Membership.objects.filter(user__email="x@example.test").exists()


@pytest.mark.parametrize("extra_members", [5, 50])
def test_list_query_count_does_not_grow_with_members(
    director_client, world, extra_members, django_assert_max_num_queries, settings
):
    settings.HUB_PAGE_SIZE = 100  # all of them on one page; paging has its own test
    MembershipFactory.create_batch(extra_members, centre=world.centre, can_par=True)
    url = reverse("centres:staff")
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = director_client.get(url)
    assert response.status_code == 200
    assert len(response.context["members"]) == extra_members + 4


def test_list_query_count_is_the_same_at_both_sizes(director_client, world):
    url = reverse("centres:staff")
    counts = []
    for batch in (5, 45):
        MembershipFactory.create_batch(batch, centre=world.centre)
        with CaptureQueriesContext(connection) as ctx:
            director_client.get(url)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
