"""The foundation as a person meets it in Chromium: log in, home grid, centres, passwords."""

import re

import pytest

from centres.models import Role
from centres.tests.factories import PASSWORD, MembershipFactory, UserFactory
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tile_titles(page) -> list[str]:
    return page.get_by_role("list", name="Sections").get_by_role("link").all_inner_texts()


def test_login_form_leads_to_the_granted_tiles(page, live_server, world):
    """R-ACC-1: the Centre Administrator sees Learners but not Staff access, which they lack."""
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)

    login(page, live_server, world.admin, PASSWORD)

    titles = tile_titles(page)
    assert "Learners" in titles
    assert "Staff access" not in titles
    assert set(titles) <= {
        "ADD Optional Units (Formerly PAR)",
        "Moderation",
        "Claims",
        "Learners",
    }
    assert_accessible(page)


def test_tutor_granted_par_only_sees_no_learners_tile(page, live_server, world):
    """R-ACC-1: a tile appears only when the membership grants its section."""
    login(page, live_server, world.tutor, PASSWORD)

    page.get_by_role("heading", name=re.compile("^Welcome")).wait_for()
    assert "Learners" not in page.locator("main").inner_text()
    if page.get_by_role("list", name="Sections").count():
        assert tile_titles(page) == ["ADD Optional Units (Formerly PAR)"]


def test_wrong_password_keeps_the_email_and_says_why(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(world.admin.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_label("Email address").input_value() == world.admin.email
    assert "correct email address and password" in page.locator("main").inner_text()
    assert_accessible(page)


def test_available_centres_switches_and_the_choice_persists(page, live_server, world):
    """A member of two centres picks one under "Available Centres"; it survives logging out."""
    user = UserFactory(email="twohats@example.test")
    MembershipFactory(user=user, centre=world.centre, role=Role.TUTOR, can_learners=True)
    MembershipFactory(user=user, centre=world.other_centre, role=Role.TUTOR, can_learners=True)

    login(page, live_server, user, PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Learners").click()
    assert page.get_by_role("link", name=world.learner.membership_number).is_visible()
    assert_accessible(page)

    # Picking a centre changes nothing by itself (WCAG 3.2.2); "Switch" does.
    page.get_by_label("Available Centres").select_option(label=str(world.other_centre))
    page.get_by_role("button", name="Switch").click()
    page.get_by_text(f"You are now working in {world.other_centre.name}.").wait_for()

    # Back on the page the switch was made from, now showing the other centre's learners.
    assert page.url.endswith("/centres/learners/")
    assert page.get_by_role("link", name=world.other_learner.membership_number).is_visible()
    assert page.get_by_role("link", name=world.learner.membership_number).count() == 0

    page.get_by_role("button", name=re.compile("^Log out")).click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    login(page, live_server, user, PASSWORD)
    switcher = page.get_by_label("Available Centres")
    assert switcher.locator("option:checked").inner_text() == str(world.other_centre)
    user.refresh_from_db()
    assert user.current_centre == world.other_centre


def test_forgotten_password_sets_a_new_one(page, live_server, world, mailoutbox, settings):
    # The email is sent by the outbox's Celery task; here it runs in the server's process.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.HUB_SITE_URL = live_server.url  # the email's link opens the site's address
    new_password = "Quiet-lantern-harbour-42"
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgotten password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill(world.admin.email)
    page.get_by_role("button", name="Send me the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.admin.email]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mailoutbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    assert_accessible(page)
    # crispy adds a "*" for required fields to the label text.
    page.get_by_label(re.compile(r"^\s*New password\W*$")).fill(new_password)
    page.get_by_label("New password confirmation").fill(new_password)
    page.get_by_role("button", name="Save password").click()
    page.get_by_role("heading", name="Your password has been saved").wait_for()

    page.get_by_role("link", name="Log in").click()
    login(page, live_server, world.admin, new_password)
    assert page.get_by_role("heading", name=re.compile("^Welcome")).is_visible()

    # The link is single-use: opening it again says so instead of offering the form.
    page.goto(link)
    page.get_by_role("heading", name="This link no longer works").wait_for()
