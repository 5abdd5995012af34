"""The claims journey on the demo data, as its people would do it in Chromium.

Set up a centre assessor -> By Unit with Apply to all -> By Candidate edit -> a unit from
another awarding body -> declaration -> Submit to assessor -> the assessor samples and
finalises -> processed -> the PAR shows the grades.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import User
from claims.models import Claim, ClaimStatus
from par.models import UnitSelection
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, live_server, email):
    page.context.clear_cookies()
    login(page, live_server, User.objects.get(email=email), DEMO_PASSWORD)


def grid_rows(page):
    return page.locator("tr[data-grid-row]")


def test_claim_journey_on_the_demo(page, live_server, settings):
    # Processing runs in the live server's thread once the finalise transaction commits.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The whole demo, as `make run` loads it: its own claims at Northgate are past
    # Unsubmitted and use other units, so "Create claim" starts a new one here.
    call_command("seed_demo", "--quiet")

    # R-CLM-1: the Centre Administrator sets up a second centre assessor.
    as_user(page, live_server, "admin@demo.test")
    page.get_by_role("link", name="Claims", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="View centre assessors for 05839").click()
    page.get_by_role("link", name="Create centre assessor").click()
    page.get_by_label("Full name").fill("Sam Patel")
    page.get_by_label("Initials or teacher code").fill("sp")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Centre assessor Sam Patel (SP) set up.").wait_for()

    # R-CLM-3: Create, then By Unit (R-CLM-5).
    page.get_by_role("link", name="Change to another qualification").click()
    page.get_by_role("button", name="Create claim for 05839").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Unsubmitted")
    claim = Claim.objects.get(centre__number="10001", status=ClaimStatus.UNSUBMITTED)
    page.get_by_role("link", name="By Unit", exact=True).click()
    page.get_by_role("link", name="Create new for IT01").click()
    assert_accessible(page)
    rows = grid_rows(page)
    count = rows.count()
    assert count > 5

    # "Apply to all" copies to every candidate below, never above.
    first, third = rows.nth(0), rows.nth(2)
    first.locator('select[data-field="assessor"]').select_option(label="Hannah Brooks (HB)")
    first.locator('button[data-apply="assessor"]').click()
    first.locator('input[type="radio"][value="merit"]').check()
    first.locator('button[data-apply="grade"]').click()
    third.locator('input[type="radio"][value="distinction"]').check()
    third.locator('button[data-apply="grade"]').click()
    expect(page.get_by_text(re.compile(r"Applied to \d+ candidates below"))).to_be_attached()
    expect(rows.nth(1).locator('input[value="merit"]')).to_be_checked()
    expect(rows.nth(count - 1).locator('input[value="distinction"]')).to_be_checked()
    expect(rows.nth(count - 1).locator('select[data-field="assessor"]')).to_have_value(
        str(claim.qualification.centre_assessors.get(initials="HB").pk)
    )
    page.get_by_role("button", name="Save claim").click()
    page.get_by_text(f"Claim saved: {count} added").wait_for()
    grades = list(
        claim.lines.order_by(
            "registration__learner__last_name",
            "registration__learner__first_name",
            "registration_id",
        ).values_list("grade", flat=True)
    )
    assert grades == ["merit", "merit"] + ["distinction"] * (count - 2)

    # By Candidate (R-CLM-4): edit the first candidate, add IT02 with the other assessor.
    page.get_by_role("link", name=re.compile("^(Unsubmitted claim)")).click()
    page.get_by_role("link", name="By Candidate", exact=True).click()
    page.locator("tbody tr").first.get_by_role("link").click()
    assert_accessible(page)
    it02 = grid_rows(page).filter(has_text="IT02")
    it02.locator('select[data-field="assessor"]').select_option(label="Sam Patel (SP)")
    it02.locator('input[type="radio"][value="pass"]').check()
    page.get_by_role("button", name="Save claim").click()
    page.get_by_text("Claim saved: 1 added").wait_for()

    # R-CLM-7: a unit achieved with another awarding body.
    page.locator("tbody tr").first.get_by_role("link").click()
    page.get_by_role("link", name="Add units from another awarding body").click()
    page.get_by_role("combobox", name=re.compile(r"^Unit")).select_option(
        label="IT03 Cyber security"
    )
    page.get_by_label("Centre assessor").select_option(label="Hannah Brooks (HB)")
    page.get_by_label("Awarding body").fill("Pearson")
    page.get_by_label("Merit").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Unit from another awarding body added.").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Done").click()
    expect(grid_rows(page).filter(has_text="IT03")).to_contain_text("Another AB: Pearson")

    # R-CLM-9: check, declaration (the button stays disabled until ticked), confirm.
    page.get_by_role("link", name=re.compile("^(Unsubmitted claim)")).click()
    page.get_by_role("link", name="Check and submit").click()
    submit = page.get_by_role("button", name="Submit to assessor")
    expect(submit).to_be_disabled()
    page.get_by_label("I confirm that signed candidate declarations").check()
    expect(submit).to_be_enabled()
    assert_accessible(page)
    submit.click()
    page.get_by_role("button", name="Yes, submit to assessor").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted")
    claim.refresh_from_db()
    assert claim.number and claim.lines.count() == count + 2

    # R-CLM-10: the assessor samples the claim...
    as_user(page, live_server, "assessor@demo.test")
    page.get_by_role("link", name="Claims to assess").click()
    page.get_by_role("link", name=claim.number).click()
    page.locator('input[name="sample"]').first.check()
    page.locator('input[name="sample"]').nth(1).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save sample").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Sampled")

    # ...and after the visit amends one grade and finalises; processing follows.
    page.locator('select[name^="outcome-"]').first.select_option("distinction")
    assert_accessible(page)
    page.get_by_role("button", name="Submit finalised claim").click()
    page.get_by_text("Claim finalised with reference").wait_for()
    expect(page.get_by_test_id("claim-status")).to_have_text("Processed")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED and claim.reference

    # R-PAR-2: every agreed grade is on the PAR, from this claim.
    source = f"Claim {claim.number}"
    posted = dict(UnitSelection.objects.filter(result_source=source).values_list("pk", "result"))
    assert len(posted) == count + 2
    first_line = claim.lines.order_by(
        "registration__learner__last_name", "registration_id", "unit__code"
    ).first()
    assert first_line.outcome == "distinction"

    # The centre sees its green ticks and the result on the learner's PAR.
    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator(".sample-tick")).to_have_count(2)
    expect(page.get_by_test_id("claim-status")).to_have_text("Processed")
    learner = first_line.registration.learner
    page.goto(f"{live_server.url}/par/learners/{learner.pk}/")
    row = page.locator("tr.unit-achieved", has_text=first_line.unit.code)
    expect(row).to_contain_text(source)
    assert_accessible(page)
