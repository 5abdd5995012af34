"""R-NEW-6 in Chromium: "Check and submit" is Check your answers, each line with a Change
link; a clean claim goes through to Submitted."""

import re

import pytest
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from claims.models import ClaimStatus
from claims.tests.conftest import claim_with_lines, make_claim_world
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIMARY = ".btn-primary:visible, .btn-success:visible"


def test_r_new_6_clean_claim_checked_then_submitted(page, live_server, world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cw = make_claim_world(world)
    claim = claim_with_lines(cw)
    first = cw.full.learner
    unit = cw.units[0]

    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Unsubmitted claim for 05839")
    # Issue 14: the claim page's heading is seen, not only read out (visually-hidden is 1px).
    assert heading.bounding_box()["height"] > 20
    assert_accessible(page)
    page.get_by_role("link", name="Check and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit the claim"
    )
    lines = page.locator("tr[data-line]")
    expect(lines).to_have_count(4)
    row = page.locator(f'tr[data-line="{first.membership_number} {unit.code}"]')
    expect(row).to_contain_text("Merit")
    expect(row).to_contain_text("Priya Shah (PS)")
    expect(page.get_by_test_id("reconciliation")).to_have_count(0)
    assert_accessible(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.set_viewport_size(size)

    # Change goes to where the grade is set: the candidate's units.
    row.get_by_role("link", name=re.compile(r"^Change")).click()
    expect(page).to_have_url(
        re.compile(rf"/claims/{claim.pk}/candidates/{cw.full.pk}/\?from=check$")
    )
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit the claim"
    )

    # R-CLM-9: disabled until the declaration is ticked; meanwhile not the primary button
    # (issue 14), and the line beside it says why.
    submit = page.get_by_role("button", name="Submit to assessor")
    expect(submit).to_be_disabled()
    expect(submit).not_to_have_class(re.compile(r"\bbtn-success\b"))
    expect(page.locator(PRIMARY)).to_have_count(0)
    why = "Tick the centre declaration above to submit the claim."
    expect(submit).to_have_accessible_description(why)
    expect(page.get_by_text(why)).to_be_visible()
    page.get_by_label("I confirm that signed candidate declarations").check()
    expect(submit).to_be_enabled()
    expect(submit).to_have_class(re.compile(r"\bbtn-success\b"))
    expect(page.get_by_text(why)).to_be_hidden()
    page.get_by_label("I confirm that signed candidate declarations").uncheck()
    expect(submit).to_be_disabled()
    expect(page.get_by_text(why)).to_be_visible()
    page.get_by_label("I confirm that signed candidate declarations").check()
    submit.click()
    page.get_by_role("button", name="Yes, submit to assessor").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.number
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim {claim.number} for 05839")
