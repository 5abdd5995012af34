"""A learner's page: who they are and what they are registered on."""

import pytest
from django.urls import reverse

from centres.models import EntryType
from centres.tests.factories import LearnerFactory, QualificationFactory, RegistrationFactory


def detail_url(learner) -> str:
    return reverse("centres:learner-detail", args=[learner.pk])


def test_shows_the_learner_and_their_registrations(member_client, world):
    learner = world.learner
    learner.candidate_number = "0042"
    learner.save()

    response = member_client.get(detail_url(learner))

    page = response.content.decode()
    assert response.status_code == 200
    assert learner.full_name in page
    assert learner.membership_number in page
    assert "0042" in page
    assert "17 May 2000" in page
    assert f"{world.qualification.code}: {world.qualification.title}" in page
    assert "Full award" in page
    assert "Current" in page


def test_unit_entries_name_their_units(member_client, world):
    qualification = QualificationFactory(units=4)
    first, _, third, _ = qualification.units.order_by("code")
    registration = RegistrationFactory(
        learner=world.learner,
        qualification=qualification,
        entry_type=EntryType.UNIT,
        is_current=False,
    )
    registration.entered_units.set([first, third])

    page = member_client.get(detail_url(world.learner)).content.decode()

    assert f"Unit entries: {first.code}, {third.code}" in page
    assert "Not current" in page


def test_a_learner_without_registrations_says_so(member_client, world):
    learner = LearnerFactory(centre=world.centre)

    response = member_client.get(detail_url(learner))

    assert "This learner has no registrations." in response.content.decode()


def test_another_centres_learner_answers_404(member_client, world):
    """R-ACC-2: the other centre's learner is not found, and nothing of them is shown."""
    response = member_client.get(detail_url(world.other_learner))

    assert response.status_code == 404
    assert world.other_learner.membership_number not in response.content.decode()
    assert world.other_learner.last_name not in response.content.decode()


def test_the_outsider_cannot_open_our_learner(client, world):
    client.force_login(world.outsider)

    assert client.get(detail_url(world.learner)).status_code == 404


def test_without_the_learners_grant_the_page_is_refused(client, world):
    client.force_login(world.tutor)

    response = client.get(detail_url(world.learner))

    assert response.status_code == 403
    assert world.learner.last_name not in response.content.decode()


def test_post_is_not_allowed(member_client, world):
    assert member_client.post(detail_url(world.learner)).status_code == 405


@pytest.mark.parametrize("count", [5, 60])
def test_query_count_is_flat(member_client, world, django_assert_max_num_queries, count):
    """Registrations and their unit entries load in a fixed number of queries."""
    learner = LearnerFactory(centre=world.centre)
    for _ in range(count):
        qualification = QualificationFactory(units=2)
        registration = RegistrationFactory(
            learner=learner, qualification=qualification, entry_type=EntryType.UNIT
        )
        registration.entered_units.set(qualification.units.all())

    # Session, user, memberships, learner, registrations, their units, session save (3).
    with django_assert_max_num_queries(9):
        response = member_client.get(detail_url(learner))

    assert response.content.decode().count("Unit entries: ") == count
