"""The foundation as a person meets it in Chromium: log in, home grid, centres, passwords."""

import pytest

from centres.tests.factories import PASSWORD
from hub.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_shows_only_granted_tiles(page, live_server):
    """R-ACC-1: the tutor, granted PAR only, sees no other section tile."""
    from conftest import make_world

    world = make_world()
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    login(page, live_server, world.admin, PASSWORD)
    tiles = page.get_by_role("list", name="Sections").get_by_role("link")
    titles = tiles.all_inner_texts()
    assert "Learners" in titles
    assert "Staff access" not in titles
    assert_accessible(page)
