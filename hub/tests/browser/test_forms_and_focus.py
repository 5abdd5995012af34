"""Issue 14 in Chromium: the error summary takes focus and leads to the field; focus is
always visible and never under the sticky button bar; controls and greyed rows as seen."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD, LearnerFactory, RegistrationFactory
from claims.tests.conftest import make_claim_world, start_claim, submitted_claim
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import make_batch
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const bar = document.querySelector('.sticky-actions');
  const barBox = bar ? bar.getBoundingClientRect() : null;
  return {
    tag: el.tagName, id: el.id, cls: el.className, inBar: bar ? bar.contains(el) : false,
    background: style.backgroundColor,
    outlineWidth: style.outlineWidth, outlineStyle: style.outlineStyle,
    outlineColor: style.outlineColor, boxShadow: style.boxShadow,
    top: box.top, bottom: box.bottom, height: window.innerHeight,
    barTop: barBox ? barBox.top : null, barBottom: barBox ? barBox.bottom : null,
  };
}"""


def test_error_summary_takes_focus_and_its_link_moves_to_the_field(page, live_server, world):
    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("moderation:batch-add"))
    page.get_by_role("button", name="Click Here").click()  # no qualification chosen
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: Add Batch")
    assert_accessible(page)
    summary.get_by_role("link", name="Choose a qualification").click()
    expect(page.locator("#id_qualification")).to_be_focused()
    # The field's label is in view with it, not above the window's top.
    label_top = page.locator('label[for="id_qualification"]').bounding_box()["y"]
    assert label_top >= 0


def test_focus_is_visible_and_never_under_the_sticky_bar(page, live_server, world):
    for i in range(30):
        RegistrationFactory(
            learner=LearnerFactory(centre=world.centre, last_name=f"Learner{i:02d}"),
            qualification=world.qualification,
        )
    page.set_viewport_size({"width": 1024, "height": 600})
    # Bootstrap animates focus shadows unless motion is reduced: read the settled style.
    page.emulate_media(reduced_motion="reduce")
    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("par:individual") + "?mode=all")
    expect(page.get_by_role("button", name="Add all selected units.")).to_be_visible()
    # Every learner expanded, as someone working down the list would have them.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert_accessible(page)
    boxes = 0
    for _ in range(120):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        if state["tag"] == "BODY":
            continue
        # A strong indicator on every stop: a 3px yellow ring in a black one, or on links
        # (GOV.UK's) a yellow band with a black bar under the text.
        assert state["outlineWidth"] == "3px" and state["outlineStyle"] == "solid", state
        assert "rgb(11, 12, 12)" in state["boxShadow"], state
        if state["tag"] == "A" and "btn" not in state["cls"]:
            assert state["background"] == "rgb(255, 221, 0)", state
        if not state["inBar"]:
            # WCAG 2.4.11: the focused control never lies under the sticky bar (above it,
            # or after the form once the bar has come to rest at the form's end).
            under = state["top"] < state["barBottom"] - 1 and state["bottom"] > state["barTop"] + 1
            assert not under, state
        if state["tag"] == "INPUT":
            boxes += 1
            size = page.evaluate(
                "() => { const b = document.activeElement.getBoundingClientRect();"
                " return [b.width, b.height]; }"
            )
            assert min(size) >= 24, size  # target size (2.5.8)
    assert boxes > 10  # the walk did reach the learners' unit boxes


def test_r_clm_6_rows_claimed_before_look_greyed_out(page, live_server, world):
    cw = make_claim_world(world)
    submitted_claim(cw)
    claim = start_claim(cw)
    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]))
    blocked = page.locator("tr.claim-row-blocked").first
    expect(blocked).to_be_visible()
    open_row = page.locator("tr[data-grid-row]:not(.claim-row-blocked)").first

    def look(row):
        return row.locator("td").first.evaluate(
            "td => { const s = getComputedStyle(td);"
            " return [s.color, s.backgroundColor, s.boxShadow]; }"
        )

    color, background, shadow = look(blocked)
    assert color == "rgb(89, 89, 89)"
    # Bootstrap paints cells with an inset shadow of the table's state colour: it is grey.
    assert "rgb(233, 236, 239)" in shadow or background == "rgb(233, 236, 239)"
    assert look(open_row) != (color, background, shadow)
    assert_accessible(page)


def test_overdue_rows_in_the_queue_keep_link_contrast(page, live_server, world):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, selections=[], moderator=world.moderator)
    Batch.objects.filter(pk=batch.pk).update(sla_due_at=timezone.now() - timezone.timedelta(days=3))
    login(page, live_server, world.moderator, PASSWORD)
    page.goto(live_server.url + reverse("moderation:queue"))
    link = page.locator("tr.table-danger a").first
    expect(link).to_be_visible()
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(8, 66, 152)"
    assert_accessible(page)  # axe's colour-contrast rule included
