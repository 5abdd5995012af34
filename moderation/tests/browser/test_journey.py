"""A batch from "Add Batch" to Complete in Chromium, both sides, and the PAR result."""

import pytest
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD, LearnerFactory, RegistrationFactory
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import PDF_BYTES, make_batch, selections_for
from par.models import UnitSelection
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = BatchStatus


def pdf_payload(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def switch_user(page, live_server, user):
    page.context.clear_cookies()
    login(page, live_server, user, PASSWORD)


def slot(page, learner, unit):
    return page.locator(
        f'[data-slot][data-p-number="{learner.membership_number}"][data-unit-code="{unit.code}"]'
    )


def test_batch_journey(page, live_server, world):
    units = list(world.qualification.units.order_by("code"))
    second = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Brennan"),
        qualification=world.qualification,
    ).learner
    for learner in (world.learner, second):
        selections_for(learner, world.qualification)
    # An earlier submitted batch: this one needs the standard 15% sample, not 100%.
    make_batch(world, S.COMPLETE, selections=[])

    # --- the centre builds the batch ------------------------------------------------
    login(page, live_server, world.admin, PASSWORD)
    page.get_by_role("link", name="Moderation").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add Batch").click()
    page.get_by_label("Qualification").select_option(str(world.qualification.pk))
    page.get_by_role("button", name="Click Here").click()

    # R-BAT-1: the documents step; uploaded ones show as done.
    page.get_by_label("IV Feedback").set_input_files(pdf_payload("iv-feedback.pdf"))
    page.get_by_label("Assessment Brief").set_input_files(pdf_payload("briefs.pdf"))
    page.get_by_role("button", name="Upload documents").click()
    page.get_by_test_id("iv-done").wait_for()
    assert "Override IV Feedback" not in page.content()  # R-BAT-3: not for this user
    assert_accessible(page)

    # R-BAT-4: Select Units to Pass on Batch, per learner.
    page.get_by_role("link", name="Select Units to Pass on Batch").click()
    assert_accessible(page)
    for learner in (world.learner, second):
        box = page.locator("details", has_text=learner.membership_number)
        box.locator("summary").click()
        for unit in units:
            box.get_by_label(f"{unit.code} {unit.title}").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_test_id("batch-status").get_by_text("Centre Completing").wait_for()
    batch = Batch.objects.get(status=S.CENTRE_COMPLETING)
    assert batch.units.count() == 8
    assert_accessible(page)

    # R-BAT-5, R-NEW-1: one slot's own form, uploaded with a progress bar (no page load).
    first = slot(page, world.learner, units[0])
    first.locator('input[type="file"]').set_input_files(
        pdf_payload(f"{world.learner.membership_number} {units[0].code}.pdf")
    )
    first.get_by_role("button", name="Upload").click()
    slot(page, world.learner, units[0]).locator("a.doc-done").wait_for()
    page.locator("[data-sample-uploaded]").get_by_text("1").wait_for()

    # R-BAT-6: 8 claimed -> 2 needed; Submit Batch refused with the shortfall.
    page.get_by_role("link", name="Submit Batch").click()
    page.get_by_text("1 more needed.").wait_for()
    assert page.get_by_role("button", name="Submit Batch").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Back to the batch").click()

    # Several files at once: matched by P number and unit code, confirmed, uploaded.
    page.get_by_label("Files of learner work").set_input_files(
        [
            pdf_payload(f"{second.membership_number}_{units[1].code}_essay.pdf"),
            pdf_payload("unrelated notes.pdf"),
        ]
    )
    matches = page.get_by_test_id("matches")
    matches.get_by_text("No slot matches this name").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Upload matched files").click()
    matches.get_by_text("Uploaded").wait_for()
    slot(page, second, units[1]).locator("a.doc-done").wait_for()

    page.get_by_role("link", name="Submit Batch").click()
    page.get_by_text("The sample is met.").wait_for()
    page.get_by_role("button", name="Submit Batch").click()
    page.get_by_test_id("batch-status").get_by_text("With Moderator").wait_for()

    # --- the moderator takes it: Insufficient sample ----------------------------------
    switch_user(page, live_server, world.moderator)
    page.get_by_role("link", name="Moderation queue").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Take batch {batch.pk}").click()
    page.get_by_role("link", name="Download the whole batch (zip)").wait_for()
    assert_accessible(page)
    page.get_by_label("Insufficient sample").check()
    page.get_by_label("Comments", exact=True).fill("Add the work for the second unit.")
    page.get_by_role("button", name="Set outcome").click()
    page.get_by_test_id("batch-status").get_by_text("Insufficient sample").wait_for()

    # --- the centre adds work and resubmits -------------------------------------------
    switch_user(page, live_server, world.admin)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    # Shown under "Moderator's comments" and again in the history.
    expect(page.get_by_text("Add the work for the second unit.")).to_have_count(2)
    assert_accessible(page)
    extra = slot(page, world.learner, units[1])
    extra.locator('input[type="file"]').set_input_files(
        pdf_payload(f"{world.learner.membership_number} {units[1].code}.pdf")
    )
    extra.get_by_role("button", name="Upload").click()
    slot(page, world.learner, units[1]).locator("a.doc-done").wait_for()
    page.get_by_role("button", name="Resubmit").click()
    page.get_by_test_id("batch-status").get_by_text("Centre re-submitted").wait_for()

    # --- the moderator completes it ---------------------------------------------------
    switch_user(page, live_server, world.moderator)
    page.goto(f"{live_server.url}/moderation/review/{batch.pk}/")
    page.get_by_label("Complete").check()
    page.get_by_label("Comments", exact=True).fill("All units passed.")
    page.get_by_role("button", name="Set outcome").click()
    page.get_by_test_id("batch-status").get_by_text("Complete").wait_for()

    # R-BAT-10: every claimed learner-unit is passed on the PAR, with date and time.
    claimed = UnitSelection.objects.filter(batch_units__batch=batch)
    assert claimed.count() == 8
    assert set(claimed.values_list("result", "result_source")) == {("pass", f"Batch {batch.pk}")}
    assert all(s.result_at is not None for s in claimed)

    switch_user(page, live_server, world.admin)
    page.goto(f"{live_server.url}/moderation/?tab=completed")
    page.get_by_role("link", name=f"Batch {batch.pk}").wait_for()
    page.goto(f"{live_server.url}/par/learners/{world.learner.pk}/")
    page.get_by_text(f"(Batch {batch.pk})").first.wait_for()
    assert page.locator("tr.unit-achieved").count() == 4
