"""The home grid (R-ACC-1): one tile per granted section, body tiles by role."""

import pytest
from django.urls import reverse

from centres.models import Role, Section
from centres.tests.factories import MembershipFactory, UserFactory
from hub import views

PAR = "ADD Optional Units (Formerly PAR)"
WORK = {PAR, "Moderation", "Claims", "Learners"}
NO_ACCESS = "You have not been given access to any section yet."

# What each persona of conftest.make_world sees once every section's page exists.
EXPECTED_TILES = {
    "director": WORK | {"Staff access"},
    "admin": WORK,
    "tutor": {PAR},
    "quality": WORK,
    "outsider": WORK | {"Staff access"},
    "moderator": {"Moderation queue", "Reviews"},
    "assessor": {"Claims to assess", "Reviews"},
    "data": {"Import learners"},
    "staff": {"Import learners", "Moderation dashboard", "Certificate printing", "Administration"},
}


@pytest.fixture
def every_section_built(monkeypatch):
    """Give every tile a URL, so the grid shows grants, not which apps are finished yet."""
    monkeypatch.setattr(views, "_url", lambda name: f"/built/{name.replace(':', '/')}/")


def shown_tiles(response) -> set[str]:
    tiles = response.context["tiles"]
    for tile in tiles:
        # The tile is on the page as a link, not merely in the context.
        assert f'href="{tile.url}"' in response.content.decode()
    return {tile.title for tile in tiles}


@pytest.mark.parametrize("persona", sorted(EXPECTED_TILES))
def test_home_shows_a_tile_per_grant(client, world, every_section_built, persona):
    """R-ACC-1: the grid holds exactly the persona's granted sections (or body pages)."""
    client.force_login(getattr(world, persona))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert shown_tiles(response) == EXPECTED_TILES[persona]
    assert NO_ACCESS not in response.content.decode()


def test_tiles_follow_the_current_centres_grants(client, world, every_section_built):
    """R-ACC-1: grants belong to one membership; switching centre changes the grid."""
    user = UserFactory()
    MembershipFactory(user=user, centre=world.centre, role=Role.TUTOR, can_par=True)
    MembershipFactory(user=user, centre=world.other_centre, role=Role.TUTOR, can_claims=True)
    client.force_login(user)

    user.current_centre = world.centre
    user.save()
    assert shown_tiles(client.get(reverse("home"))) == {PAR}

    user.current_centre = world.other_centre
    user.save()
    assert shown_tiles(client.get(reverse("home"))) == {"Claims"}


def test_a_tile_links_to_its_sections_page(client, world):
    """With the real URLs: the Learners tile opens the learner list."""
    client.force_login(world.admin)

    response = client.get(reverse("home"))

    learners = next(t for t in response.context["tiles"] if t.title == "Learners")
    assert learners.url == reverse("centres:learner-list")
    assert f'href="{learners.url}"' in response.content.decode()


def test_a_section_without_pages_is_not_offered(client, world, monkeypatch):
    """A tile whose page does not exist is left out rather than linking to a 404."""
    monkeypatch.setitem(views.SECTION_PAGES, Section.PAR, ("nowhere:index", "Not built."))
    client.force_login(world.director)

    response = client.get(reverse("home"))

    assert PAR not in shown_tiles(response)
    assert "Learners" in shown_tiles(response)


@pytest.mark.parametrize("grants", ["member without grants", "no centre at all"])
def test_user_without_grants_sees_why_the_grid_is_empty(client, world, grants):
    """R-ACC-1: no tiles, and a sentence telling the user whom to ask."""
    user = UserFactory()
    if grants == "member without grants":
        MembershipFactory(user=user, centre=world.centre, role=Role.TUTOR)
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.context["tiles"] == []
    assert NO_ACCESS in response.content.decode()
    assert "Programme Director" in response.content.decode()


def test_an_inactive_membership_grants_nothing(client, world, every_section_built):
    user = UserFactory()
    MembershipFactory(
        user=user, centre=world.centre, role=Role.TUTOR, can_learners=True, is_active=False
    )
    client.force_login(user)

    response = client.get(reverse("home"))

    assert shown_tiles(response) == set()
    assert NO_ACCESS in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
