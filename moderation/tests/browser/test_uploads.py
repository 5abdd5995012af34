"""R-NEW-1 in Chromium: a failed upload is retried without losing the others; no script works."""

import pytest
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from moderation.models import BatchDocument, BatchStatus
from moderation.tests.factories import PDF_BYTES, make_batch
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_payload(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def test_r_new_1_failed_upload_retried_others_kept(page, live_server, world):
    batch = make_batch(world, BatchStatus.CENTRE_COMPLETING)
    units = list(world.qualification.units.order_by("code"))
    p = world.learner.membership_number
    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    failed_once = []

    def drop_first_try(route):
        # The connection breaks on the first try at the second unit's slot.
        if route.request.method == "POST" and not failed_once:
            body = route.request.post_data_buffer or b""
            if units[1].code.encode() in body:
                failed_once.append(True)
                return route.abort()
        return route.continue_()

    page.route("**/slots/**", drop_first_try)
    page.get_by_label("Files of learner work").set_input_files(
        [pdf_payload(f"{p} {units[0].code}.pdf"), pdf_payload(f"{p} {units[1].code}.pdf")]
    )
    page.get_by_role("button", name="Upload matched files").click()
    matches = page.get_by_test_id("matches")
    retry = matches.get_by_role("button", name="Retry")
    retry.wait_for()
    assert matches.get_by_text("Uploaded").count() == 1
    assert BatchDocument.objects.filter(kind="sample").count() == 1
    assert_accessible(page)
    retry.click()
    page.locator(f'[data-slot][data-unit-code="{units[1].code}"] a.doc-done').wait_for()
    assert BatchDocument.objects.current().filter(kind="sample").count() == 2
    page.locator("[data-sample-uploaded]").get_by_text("2").wait_for()


def test_r_bat_5_slot_form_works_without_script(browser, live_server, world):
    batch = make_batch(world, BatchStatus.CENTRE_COMPLETING)
    unit = world.qualification.units.order_by("code").first()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, world.admin, PASSWORD)
        page.goto(f"{live_server.url}/moderation/{batch.pk}/")
        assert not page.get_by_label("Files of learner work").is_visible()  # needs script
        slot = page.locator(f'[data-slot][data-unit-code="{unit.code}"]')
        slot.locator('input[type="file"]').set_input_files(
            pdf_payload(f"{world.learner.membership_number} essay.pdf")
        )
        slot.get_by_role("button", name="Upload").click()
        page.get_by_text("Learner work uploaded.").wait_for()
        assert page.locator(f'[data-slot][data-unit-code="{unit.code}"] a.doc-done').count() == 1
    finally:
        context.close()


def test_r_new_1_a_slots_own_form_answers_in_the_slot_and_keeps_the_file_for_a_retry(
    page, live_server, world
):
    """The slot's form goes by htmx: a refusal shows beside the slot, a lost connection
    offers Retry with the file still chosen, and the page itself never reloads."""
    batch = make_batch(world, BatchStatus.CENTRE_COMPLETING)
    unit = world.qualification.units.order_by("code").first()
    p = world.learner.membership_number
    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    page.evaluate("window.samePage = true")
    slot = page.locator(f'[data-slot][data-unit-code="{unit.code}"]')

    slot.locator('input[type="file"]').set_input_files(pdf_payload("P0000001 someone else.pdf"))
    slot.get_by_role("button", name="Upload").click()
    expect(slot.get_by_role("alert")).to_contain_text("slot is for")

    failed_once = []

    def drop_first_try(route):
        if route.request.method == "POST" and not failed_once:
            failed_once.append(True)
            return route.abort()
        return route.continue_()

    page.route("**/slots/**", drop_first_try)
    slot.locator('input[type="file"]').set_input_files(pdf_payload(f"{p} {unit.code}.pdf"))
    slot.get_by_role("button", name="Upload").click()
    expect(slot.locator(".slot-network-error")).to_have_text("The connection was lost. Try again.")
    slot.get_by_role("button", name="Retry").click()
    slot.locator("a.doc-done").wait_for()
    expect(page.locator("[data-sample-uploaded]").first).to_have_text("1")
    assert BatchDocument.objects.current().filter(kind="sample").count() == 1
    assert page.evaluate("window.samePage") is True
    assert_accessible(page)
