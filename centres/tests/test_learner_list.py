"""Learners: find a learner of the current centre by surname or P number."""

import pytest
from django.urls import reverse

from centres.models import Role
from centres.tests.factories import LearnerFactory, MembershipFactory, UserFactory

URL = reverse("centres:learner-list")


def listed(response) -> list[str]:
    return [learner.membership_number for learner in response.context["page"].object_list]


@pytest.fixture
def learners(world):
    """Three more learners at our centre, and a namesake at the other centre."""
    return {
        "ashford": LearnerFactory(
            centre=world.centre, last_name="Ashford", membership_number="P1234501"
        ),
        "macdonald": LearnerFactory(
            centre=world.centre, last_name="MacDonald", membership_number="P7700001"
        ),
        "smith": LearnerFactory(centre=world.centre, last_name="Smith", membership_number="P88001"),
        "other_ashford": LearnerFactory(
            centre=world.other_centre, last_name="Ashford", membership_number="P1234502"
        ),
    }


def test_lists_the_centres_learners_by_surname(member_client, world, learners):
    response = member_client.get(URL)

    assert response.status_code == 200
    assert listed(response) == [
        "P1234501",
        world.learner.membership_number,
        "P7700001",
        "P88001",
    ]
    assert "4 learners." in response.content.decode()


def test_another_centres_learners_are_never_listed(member_client, world, learners):
    """R-ACC-2: not in the full list, nor when the search matches them exactly."""
    hidden = {learners["other_ashford"], world.other_learner}
    for term in ("", "Ashford", "P1234502", world.other_learner.last_name):
        response = member_client.get(URL, {"q": term})
        page = response.content.decode()
        for learner in hidden:
            assert learner.membership_number not in listed(response)
            assert reverse("centres:learner-detail", args=[learner.pk]) not in page


@pytest.mark.parametrize(
    "term, expected",
    [
        ("Ashford", ["P1234501"]),
        ("ashf", ["P1234501"]),
        ("ASH", ["P1234501", "ashworth"]),
        ("donal", ["P7700001"]),
        ("  smith  ", ["P88001"]),
        ("P77", ["P7700001"]),
        ("p88", ["P88001"]),
        ("234501", ["P1234501"]),
        ("Nobody", []),
    ],
)
def test_search_by_surname_or_p_number_partial_any_case(
    member_client, world, learners, term, expected
):
    """R-PAR-1's filter by name or number, as the learner list offers it."""
    expected = [world.learner.membership_number if e == "ashworth" else e for e in expected]

    response = member_client.get(URL, {"q": term})

    assert listed(response) == expected
    # What the user typed stays in the box, trimmed.
    assert f'value="{term.strip()}"' in response.content.decode()


def test_no_match_says_so(member_client, world, learners):
    response = member_client.get(URL, {"q": "Zebedee"})

    assert "No learners found." in response.content.decode()
    assert "0 learners matching “Zebedee”." in response.content.decode()


def test_search_does_not_match_first_names(member_client, world):
    LearnerFactory(centre=world.centre, first_name="Ashley", last_name="Young")

    assert listed(member_client.get(URL, {"q": "Ashley"})) == []


def test_pages_split_the_list_and_keep_the_search(member_client, world, settings):
    settings.HUB_PAGE_SIZE = 3
    for n in range(7):
        LearnerFactory(centre=world.centre, last_name=f"Carter{n}", first_name="A")

    first = member_client.get(URL, {"q": "carter"})
    third = member_client.get(URL, {"q": "carter", "page": 3})

    assert len(listed(first)) == 3
    assert "Page 1 of 3" in first.content.decode()
    assert "?q=carter&amp;page=2" in first.content.decode()
    assert [learner.last_name for learner in third.context["page"].object_list] == ["Carter6"]
    assert "?q=carter&amp;page=2" in third.content.decode()


def test_a_page_past_the_end_shows_the_last_page(member_client, world, settings):
    settings.HUB_PAGE_SIZE = 2
    LearnerFactory.create_batch(3, centre=world.centre)

    response = member_client.get(URL, {"page": 99})

    assert response.context["page"].number == 2


def test_the_list_follows_the_current_centre(client, world):
    user = UserFactory(current_centre=world.other_centre)
    MembershipFactory(user=user, centre=world.centre, role=Role.TUTOR, can_learners=True)
    MembershipFactory(user=user, centre=world.other_centre, role=Role.TUTOR, can_learners=True)
    client.force_login(user)

    assert listed(client.get(URL)) == [world.other_learner.membership_number]


def test_without_the_learners_grant_the_list_is_refused(client, world):
    client.force_login(world.tutor)

    response = client.get(URL)

    assert response.status_code == 403
    assert world.learner.membership_number not in response.content.decode()


def test_post_is_not_allowed(member_client):
    assert member_client.post(URL).status_code == 405


@pytest.mark.parametrize("count", [5, 60])
def test_query_count_is_flat(member_client, world, django_assert_max_num_queries, count):
    """The same number of queries for a handful of learners and for a full page.

    Session, user, memberships, count, the page of learners, and the session save
    (SESSION_SAVE_EVERY_REQUEST) in a savepoint.
    """
    LearnerFactory.create_batch(count, centre=world.centre)

    with django_assert_max_num_queries(8):
        response = member_client.get(URL)

    assert len(listed(response)) == min(count + 1, 50)
