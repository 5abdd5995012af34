"""Select Units to Pass on Batch in Chromium: search, pages, tick all, busy state (issue 9)."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from moderation.models import BatchStatus
from moderation.tests.factories import bulk_learner_units, make_batch, selections_for
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = BatchStatus


@override_settings(HUB_PAGE_SIZE=10)
def test_search_tick_all_found_and_busy_state(page, live_server, world):
    bulk_learner_units(world.centre, world.qualification, 25)
    held = selections_for(world.learner, world.qualification)[0]
    other = make_batch(world, S.WITH_MODERATOR, selections=[held])
    batch = make_batch(world)
    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("moderation:batch-units", args=[batch.pk]))
    page.get_by_text("26 learners registered and current on this qualification").wait_for()
    expect(page.get_by_role("navigation", name="Pages of learners")).to_contain_text("3")
    assert_accessible(page)

    # A unit another batch holds shows why, with no box.
    page.get_by_label("Search by name or P number").fill(world.learner.membership_number)
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 learner found.").wait_for()
    page.locator("summary", has_text=world.learner.last_name).click()
    page.get_by_text(f"in batch {other.pk} (With Moderator)").wait_for()

    # Search, then one learner's "All units" box, then leave without saving: asked first.
    page.get_by_label("Search by name or P number").fill("learner0001")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("10 learners found.").wait_for()
    dialogs = []

    def refuse(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", refuse)
    card = page.locator("details", has_text="Learner00012")
    card.locator("summary").click()
    card.get_by_label("All units for Learner00012, Bulk").check()
    expect(card.locator('input[name="selection"]:checked')).to_have_count(4)
    expect(page.locator('input[name="selection"]:checked')).to_have_count(4)  # only hers
    with page.expect_event("dialog"):  # the browser asks before leaving
        page.get_by_role("link", name="Back to the documents").click()
    assert dialogs == ["beforeunload"]
    assert "/units/" in page.url
    page.remove_listener("dialog", refuse)

    # "Tick all" for the learners found: one request; the button shows it is working. The
    # page reports its buttons as they change, since it is gone once the answer comes.
    busy = []
    page.on("console", lambda m: busy.append(m.text) if m.text.startswith("busy ") else None)
    page.evaluate(
        """() => {
        const form = document.getElementById("units-form");
        new MutationObserver(() => console.log("busy " + JSON.stringify(
            Array.from(form.querySelectorAll("button"), b => [b.textContent.trim(), b.disabled])
        ))).observe(form, {subtree: true, attributes: true, characterData: true, childList: true});
        }"""
    )
    page.get_by_role(
        "button", name="Tick all units free to claim for the 10 learners found"
    ).click()
    page.get_by_text("Selection saved: 40 units ticked, 0 unticked.").wait_for()
    states = [dict(json.loads(line[5:])) for line in busy]
    assert {"Saving…": True, "Submit": True, "Save selection": True}.items() <= states[-1].items()
    expect(page.get_by_test_id("selection-counts")).to_contain_text(
        "40 units selected for 10 learners"
    )
    names = set(batch.units.values_list("selection__registration__learner__last_name", flat=True))
    assert names == {f"Learner{i:05d}" for i in range(10, 20)}
    assert batch.units.count() == 40
    assert_accessible(page)

    # The ticks are kept: every learner of the search shows them, on another visit too.
    page.get_by_role("link", name="Show every learner").click()
    page.get_by_role("link", name="Page 2").click()
    expect(page.locator('input[name="selection"]:checked')).to_have_count(36)  # 00010-00018
