"""R-CLM-8 and R-CLM-5 in the browser: unsaved changes warn; Apply to all stays on the page."""

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from testsupport.browser import login

from ..conftest import make_claim_world, start_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cw(world):
    return make_claim_world(world)


def test_r_clm_8_leaving_with_unsaved_changes_asks_first(page, live_server, cw):
    claim = start_claim(cw)
    login(page, live_server, cw.world.admin, PASSWORD)
    page.goto(live_server.url + reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]))
    dialogs = []

    def refuse(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.locator('tr[data-grid-row] input[value="merit"]').first.check()
    expect(page.get_by_text("You have unsaved changes.")).to_be_visible()
    with page.expect_event("dialog"):  # the browser asks before leaving
        page.get_by_role("link", name="Cancel").click()
    assert dialogs == ["beforeunload"]
    assert "/candidates/" in page.url  # still here, nothing lost
    # Saving is not "leaving": no question asked.
    page.remove_listener("dialog", refuse)
    page.get_by_role("button", name="Save claim").click()
    page.get_by_text("Claim saved: 1 added").wait_for()
    assert claim.lines.count() == 1


@override_settings(HUB_PAGE_SIZE=2)
def test_r_clm_5_apply_to_all_only_below_and_only_this_page(page, live_server, cw):
    claim = start_claim(cw)
    login(page, live_server, cw.world.admin, PASSWORD)
    page.goto(live_server.url + reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]))
    rows = page.locator("tr[data-grid-row]")
    expect(rows).to_have_count(2)
    rows.nth(1).locator('input[value="pass"]').check()
    rows.nth(1).locator('button[data-apply="grade"]').click()
    expect(rows.nth(0).locator('input[value=""]')).to_be_checked()  # above: untouched
    rows.nth(0).locator('input[value="merit"]').check()
    rows.nth(0).locator('button[data-apply="grade"]').click()
    expect(rows.nth(1).locator('input[value="merit"]')).to_be_checked()
    page.get_by_role("button", name="Save claim").click()
    page.get_by_text("Claim saved: 2 added").wait_for()
    assert set(claim.lines.values_list("grade", flat=True)) == {"merit"}
    assert claim.lines.count() == 2  # page two untouched


def test_r_clm_8_the_warning_follows_selects_undone_changes_and_the_servers_flag(
    page, live_server, cw
):
    """One unsaved-changes script (hub.js, issue 10): a select counts, a change undone is no
    change, and a page the server answers with values not yet saved asks too."""
    claim = start_claim(cw)
    login(page, live_server, cw.world.admin, PASSWORD)
    page.goto(live_server.url + reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]))
    note = page.get_by_text("You have unsaved changes.")
    select = page.locator('tr[data-grid-row] select[data-field="assessor"]').first
    served = select.input_value()
    other = select.evaluate(
        "(s, served) => Array.from(s.options).map(o => o.value).find(v => v !== served)",
        served,
    )
    select.select_option(other)
    expect(note).to_be_visible()
    select.select_option(served)
    expect(note).to_be_hidden()
    radio = page.locator('tr[data-grid-row] input[value="pass"]').first
    radio.check()
    expect(note).to_be_visible()
    page.locator('tr[data-grid-row] input[value=""]').first.check()
    expect(note).to_be_hidden()

    # "Apply to all" as the server does it without script: the answer holds values not saved.
    dialogs = []

    def refuse(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    apply_to = page.locator('tr[data-grid-row] button[data-apply="grade"]').first
    instruction = apply_to.get_attribute("value")
    page.evaluate(
        """(instruction) => {
        const form = document.querySelector("form[data-unsaved-warning]");
        const apply = Object.assign(document.createElement("input"),
            {type: "hidden", name: "apply", value: instruction});
        form.appendChild(apply);
        HTMLFormElement.prototype.submit.call(form);
        }""",
        instruction,
    )
    page.get_by_text("Remember to click Save claim.").first.wait_for()
    expect(note).to_be_visible()
    page.on("dialog", refuse)
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Cancel").click()
    assert dialogs == ["beforeunload"]
    assert not claim.lines.exists()
