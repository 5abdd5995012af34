"""R-NEW-1 in Chromium: the warning appears before the session ends; "Stay logged in" renews it."""

import pytest

from centres.tests.factories import PASSWORD
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_warning_then_stay_logged_in(page, live_server, world, settings):
    # A session of 62 s that warns 60 s ahead: the warning shows 2 s after a page loads.
    settings.SESSION_COOKIE_AGE = 62
    settings.HUB_SESSION_WARNING_SECONDS = 60
    login(page, live_server, world.admin, PASSWORD)

    warning = page.get_by_role("alert").filter(has_text="your session ends")
    warning.wait_for(state="visible", timeout=8000)
    assert page.get_by_role("button", name="Stay logged in").evaluate(
        "b => b === document.activeElement"
    )
    assert_accessible(page)

    with page.expect_response(lambda r: r.url.endswith("/session/keepalive/")) as response:
        page.get_by_role("button", name="Stay logged in").click()
    assert response.value.status == 204
    assert warning.is_hidden()
    # Still logged in: a section page opens without a trip to the login form.
    page.goto(f"{live_server.url}/centres/learners/")
    assert page.url.endswith("/centres/learners/")
