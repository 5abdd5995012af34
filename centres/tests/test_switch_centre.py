"""Available Centres: a member of several centres picks the one they work in."""

import pytest
from django.urls import reverse

from centres.models import Role
from centres.tests.factories import CentreFactory, MembershipFactory, UserFactory


@pytest.fixture
def two_centre_user(world):
    """A tutor at both of the world's centres, granted Learners at each."""
    user = UserFactory()
    MembershipFactory(user=user, centre=world.centre, role=Role.TUTOR, can_learners=True)
    MembershipFactory(user=user, centre=world.other_centre, role=Role.TUTOR, can_learners=True)
    return user


def switch(client, centre_id, **extra):
    return client.post(reverse("centres:switch"), {"centre": centre_id, **extra})


def test_switch_makes_the_centre_current_and_persists_on_the_user(client, world, two_centre_user):
    client.force_login(two_centre_user)

    response = switch(client, world.other_centre.pk)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    two_centre_user.refresh_from_db()
    assert two_centre_user.current_centre == world.other_centre
    page = client.get(response["Location"])
    assert f"You are now working in {world.other_centre.name}." in page.content.decode()
    assert page.context["current_centre"] == world.other_centre


def test_the_choice_outlives_the_session(client, world, two_centre_user):
    client.force_login(two_centre_user)
    switch(client, world.other_centre.pk)
    client.logout()

    client.force_login(two_centre_user)
    response = client.get(reverse("centres:learner-list"))

    assert response.context["current_centre"] == world.other_centre
    assert world.other_learner.membership_number in response.content.decode()
    assert world.learner.membership_number not in response.content.decode()


def test_without_a_choice_the_first_centre_by_name_is_current(client, world, two_centre_user):
    client.force_login(two_centre_user)

    response = client.get(reverse("home"))

    # Northgate College sorts before Riverside Training.
    assert response.context["current_centre"] == world.centre


def test_a_centre_the_user_is_not_a_member_of_answers_404(client, world, two_centre_user):
    """R-ACC-2: switching to someone else's centre is refused without saying it exists."""
    stranger = CentreFactory()
    client.force_login(two_centre_user)

    response = switch(client, stranger.pk)

    assert response.status_code == 404
    two_centre_user.refresh_from_db()
    assert two_centre_user.current_centre is None


def test_an_inactive_membership_cannot_be_switched_to(client, world, two_centre_user):
    two_centre_user.memberships.filter(centre=world.other_centre).update(is_active=False)
    client.force_login(two_centre_user)

    assert switch(client, world.other_centre.pk).status_code == 404


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_malformed_or_unknown_centre_answers_404(client, world, two_centre_user, value):
    client.force_login(two_centre_user)

    assert switch(client, value).status_code == 404


def test_a_safe_next_returns_to_the_page_the_switch_was_made_from(client, world, two_centre_user):
    client.force_login(two_centre_user)
    target = reverse("centres:learner-list") + "?q=ash"

    response = switch(client, world.other_centre.pk, next=target)

    assert response["Location"] == target


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_ignored(client, world, two_centre_user, unsafe):
    client.force_login(two_centre_user)

    response = switch(client, world.other_centre.pk, next=unsafe)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    two_centre_user.refresh_from_db()
    assert two_centre_user.current_centre == world.other_centre


def test_get_is_not_allowed(client, world, two_centre_user):
    client.force_login(two_centre_user)

    assert client.get(reverse("centres:switch")).status_code == 405
