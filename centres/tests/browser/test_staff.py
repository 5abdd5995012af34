"""Staff access in Chromium: the Programme Director invites, edits and revokes (R-ACC-1)."""

import pytest

from centres.models import Membership, Role
from centres.tests.factories import PASSWORD
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tutor_row(page):
    return page.get_by_role("row").filter(has_text="tutor@example.test")


def test_director_manages_staff_access_without_javascript_tricks(page, live_server, world):
    login(page, live_server, world.director, PASSWORD)
    page.get_by_role("link", name="Staff access").click()
    page.get_by_role("heading", name="Staff access").wait_for()
    assert_accessible(page)

    # A duplicate is refused next to the field, and what was typed stays.
    page.get_by_role("link", name="Invite a colleague").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("tutor@example.test")
    page.get_by_label("First name").fill("Tariq")
    page.get_by_label("Surname").fill("Hale")
    page.get_by_label("Role").select_option(Role.TUTOR.value)
    page.get_by_label("Claims").check()
    page.get_by_role("button", name="Send invitation").click()
    assert "already a member of Northgate College" in page.locator("main").inner_text()
    assert page.get_by_label("First name").input_value() == "Tariq"
    assert page.get_by_label("Claims").is_checked()
    assert_accessible(page)

    page.get_by_label("Email address").fill("tariq.hale@example.test")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to tariq.hale@example.test").wait_for()
    assert Membership.objects.get(user__email="tariq.hale@example.test").can_claims

    # Edit the tutor's grants: Learners added.
    tutor_row(page).get_by_role("link", name="Edit").click()
    assert_accessible(page)
    page.get_by_label("Learners").check()
    page.get_by_role("button", name="Save access").click()
    page.get_by_text("saved.").wait_for()
    tutor = world.tutor.memberships.get()
    assert tutor.can_learners and tutor.can_par

    # Revoke: a confirmation page with a real POST button.
    tutor_row(page).get_by_role("link", name="Revoke").click()
    page.get_by_role("heading", name="Revoke access for").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke access").click()
    page.get_by_text("no longer has access to Northgate College").wait_for()
    tutor.refresh_from_db()
    assert not tutor.is_active
    assert "tutor@example.test" not in page.locator("table").inner_text()
