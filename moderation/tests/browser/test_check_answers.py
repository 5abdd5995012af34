"""R-NEW-6 in Chromium: "Submit Batch" is Check your answers; R-NEW-2: a learner no longer
current blocks it, with what to do, until the learner-units are taken off."""

import re

import pytest
from playwright.sync_api import expect

from centres.models import Registration
from centres.tests.factories import PASSWORD, LearnerFactory, RegistrationFactory
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch, selections_for
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = BatchStatus


def test_r_new_6_clean_batch_checked_then_submitted(page, live_server, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    unit = batch.units.order_by("order_unit_code").first()
    code = unit.selection.unit.code
    p_number = world.learner.membership_number
    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    page.get_by_role("link", name="Submit Batch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Check your answers before you submit batch {batch.pk}"
    )
    lines = page.locator("tr[data-line]")
    expect(lines).to_have_count(4)
    expect(page.locator(f'tr[data-line="{p_number} {code}"]')).to_contain_text(
        f"In the sample: work-{unit.pk}.pdf"
    )
    expect(page.get_by_test_id("reconciliation")).to_have_count(0)
    assert_accessible(page)

    # Change goes back to the line's slot on the batch page, then back again.
    page.get_by_role(
        "link", name=f"Change learner work for {world.learner.full_name}, {code}"
    ).click()
    expect(page).to_have_url(re.compile(rf"/moderation/{batch.pk}/#slot-{unit.pk}$"))
    expect(page.locator(f"#slot-{unit.pk}")).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="Submit Batch").click()
    page.get_by_test_id("batch-status").get_by_text("With Moderator").wait_for()
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR


def test_r_new_2_learner_no_longer_current_blocks_until_removed(page, live_server, world):
    leaver = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Yates"),
        qualification=world.qualification,
    )
    selections = selections_for(world.learner, world.qualification) + selections_for(
        leaver.learner, world.qualification
    )
    batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=8)
    Registration.objects.filter(pk=leaver.pk).update(is_current=False)
    p_number = leaver.learner.membership_number

    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/submit/")
    problems = page.get_by_test_id("reconciliation")
    expect(problems).to_contain_text("4 learner-units to fix before you can submit")
    expect(problems).to_contain_text("The learner is no longer current on this qualification.")
    expect(problems).to_contain_text("ask your Customer Data Administrator")
    expect(page.get_by_role("button", name="Submit Batch")).to_have_count(0)
    expect(page.get_by_test_id("cannot-submit")).to_contain_text("fix the learner-units")
    expect(page.locator("tr[data-problem]")).to_have_count(4)
    assert_accessible(page)
    # On a phone the list scrolls in its own box, a named tab stop (static/hub/tables.js).
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".table-responsive[role=region]")).to_have_attribute(
        "aria-label", re.compile(r"^Learner-units on the batch")
    )
    assert_accessible(page)
    page.set_viewport_size(size)

    # Each problem links to where it is fixed: take the learner-unit off the batch.
    for remaining in (4, 3, 2, 1):
        problems.get_by_role("link", name=re.compile(rf"^Remove {p_number} ")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("from batch")
        expect(page.get_by_text("The learner is no longer current")).to_be_visible()
        if remaining == 4:
            assert_accessible(page)
        page.get_by_role("button", name="Remove from batch").click()
        expect(
            page.get_by_text(re.compile(rf"\({p_number}\) \w+ removed from batch"))
        ).to_be_visible()

    expect(page.get_by_test_id("reconciliation")).to_have_count(0)
    expect(page.locator("tr[data-line]")).to_have_count(4)
    assert_accessible(page)
    page.get_by_role("button", name="Submit Batch").click()
    page.get_by_test_id("batch-status").get_by_text("With Moderator").wait_for()
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR
    assert batch.units.filter(released_at__isnull=True).count() == 4
