"""Issue 14 in Chromium: key pages on a phone, on paper, and by keyboard alone.

- Phones (390 px wide): no key page of any persona scrolls sideways; wide tables scroll
  inside their own wrapper (Bootstrap's .table-responsive).
- Print: the batch page, the moderator's review and the claim pages print their content
  only (no navigation, buttons, drop zone or forms); the printable claim is landscape past
  15 units (R-CLM-11).
- Keyboard: a PAR selection made with Tab, Shift+Tab, Enter and Space only, the focus seen
  at every stop and never covered by anything sticky (WCAG 2.4.7, 2.4.11).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from centres.tests.factories import (
    PASSWORD,
    ApprovalFactory,
    LearnerFactory,
    RegistrationFactory,
)
from claims import services as claim_services
from claims.models import Grade
from claims.tests.conftest import make_claim_world, start_claim, submitted_claim
from claims.tests.factories import CentreAssessorFactory, ClaimQualificationFactory
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch, selections_for
from par.models import UnitSelection
from testsupport.browser import assert_accessible, login
from testsupport.phone import PHONE, sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def two_batches(world):
    """A batch the centre is completing (its drop zone shown) and one with the moderator."""
    completing = make_batch(world, BatchStatus.CENTRE_COMPLETING, samples=1)
    second = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Featherstonehaugh"),
        qualification=world.qualification,
    ).learner
    waiting = make_batch(
        world,
        BatchStatus.WITH_MODERATOR,
        selections=selections_for(second, world.qualification),
        samples=2,
        moderator=world.moderator,
    )
    return completing, waiting


def assert_no_sideways_scroll(page, path):
    """The page fits a phone's width, and axe finds nothing serious or critical at that width
    (a table that scrolls in its box must be reachable by keyboard, for one)."""
    page.goto(path)
    overflow = sideways(page)
    assert overflow is None, f"{path} at 390 px: {overflow}"
    from axe_playwright_python.sync_playwright import Axe

    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not violations, f"{path} at 390 px: {violations}"


def test_key_pages_do_not_scroll_sideways_on_a_phone(page, live_server, world):
    cw = make_claim_world(world)
    submitted_claim(cw)  # an earlier claim, so the claims pages have rows in two statuses
    claim = start_claim(cw)
    for i in range(3):
        RegistrationFactory(
            learner=LearnerFactory(centre=world.centre, last_name=f"Wideman{i}"),
            qualification=world.qualification,
        )
    completing, waiting = two_batches(world)
    page.set_viewport_size(PHONE)
    url = live_server.url
    centre_pages = [
        reverse("home"),
        reverse("par:index"),
        reverse("par:individual") + "?mode=all",
        reverse("par:bulk"),
        reverse("par:learner", args=[world.learner.pk]),
        reverse("moderation:index"),
        reverse("moderation:batch-add"),
        reverse("moderation:batch-detail", args=[completing.pk]),
        reverse("moderation:batch-units", args=[completing.pk]),
        reverse("moderation:batch-submit", args=[completing.pk]),
        reverse("moderation:batch-detail", args=[waiting.pk]),
        reverse("claims:index"),
        reverse("claims:claim-detail", args=[claim.pk]),
        reverse("claims:by-candidate", args=[claim.pk]),
        reverse("claims:by-unit", args=[claim.pk]),
        reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]),
        reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]),
        reverse("claims:history"),
        reverse("centres:learner-list"),
        reverse("centres:learner-detail", args=[world.learner.pk]),
    ]
    login(page, live_server, world.director, PASSWORD)
    for path in [*centre_pages, reverse("centres:staff")]:
        assert_no_sideways_scroll(page, url + path)

    page.context.clear_cookies()
    login(page, live_server, world.moderator, PASSWORD)
    for path in [reverse("moderation:queue"), reverse("moderation:review", args=[waiting.pk])]:
        assert_no_sideways_scroll(page, url + path)

    page.context.clear_cookies()
    login(page, live_server, world.assessor, PASSWORD)
    for path in [reverse("claims:assessor-list")]:
        assert_no_sideways_scroll(page, url + path)
    # The wide claim grid scrolls in its own box, and the page stays put.
    page.context.clear_cookies()
    login(page, live_server, world.admin, PASSWORD)
    page.goto(url + reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]))
    grid = page.locator(".table-responsive:has(table.claim-grid)")
    expect(grid).to_be_visible()
    assert grid.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    assert_accessible(page)


# Shown on screen, never on paper.
CHROME = [
    "header",
    "nav",
    ".btn",
    "button",
    ".dropzone",
    "input[type=file]",
    "form:not(:has(table))",
    ".sticky-actions",
]
VISIBLE_IN_PRINT = """selectors => selectors.flatMap(selector =>
  [...document.querySelectorAll(selector)]
    .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map(el => selector + ': ' + (el.outerHTML || '').slice(0, 100)))"""


def printed(page, path):
    """The page as printed: nothing of the screen's chrome left, its content still there."""
    page.emulate_media(media="screen")
    page.goto(path)
    page.emulate_media(media="print")
    shown = page.evaluate(VISIBLE_IN_PRINT, CHROME)
    assert shown == [], shown
    expect(page.locator("h1, h2").first).to_be_visible()
    return page


def pdf_pages(page):
    """The PDF Chromium prints, as (page count, width, height of the first page)."""
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    width, height = map(float, boxes[0])
    return len(boxes), width, height


def test_batch_review_and_claim_pages_print_their_content_only(page, live_server, world):
    completing, waiting = two_batches(world)
    cw = make_claim_world(world)
    claim = start_claim(cw)
    url = live_server.url

    login(page, live_server, world.admin, PASSWORD)
    printed(page, url + reverse("moderation:batch-detail", args=[completing.pk]))
    # The drop zone is on the screen (the script shows it), not on paper.
    page.emulate_media(media="screen")
    expect(page.locator("[data-dropzone]")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("[data-dropzone]")).to_be_hidden()
    expect(page.get_by_role("heading", name="Learner work")).to_be_visible()
    expect(page.get_by_test_id("history")).to_be_visible()
    count, width, height = pdf_pages(page)
    assert width < height  # portrait
    assert count <= 2, count

    for path in (
        reverse("claims:claim-detail", args=[claim.pk]),
        reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]),
        reverse("claims:by-candidate", args=[claim.pk]),
    ):
        printed(page, url + path)
    # The grade grid keeps its table (the page's content) without the Save bar.
    page.goto(url + reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]))
    expect(page.locator("table.claim-grid")).to_be_visible()

    page.context.clear_cookies()
    page.emulate_media(media="screen")
    login(page, live_server, world.moderator, PASSWORD)
    printed(page, url + reverse("moderation:review", args=[waiting.pk]))
    expect(page.get_by_role("heading", name="Outcome")).to_be_hidden()
    expect(page.get_by_test_id("history")).to_be_visible()
    assert pdf_pages(page)[0] <= 2


def test_r_clm_11_printable_claim_is_landscape_past_15_units(page, live_server, world):
    qualification = ClaimQualificationFactory(units=16, code="05841")
    ApprovalFactory(centre=world.centre, qualification=qualification)
    units = [qu.unit for qu in qualification.qualification_units.order_by("position")]
    registration = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Longfellow"),
        qualification=qualification,
    )
    assessor = CentreAssessorFactory(
        centre=world.centre, qualification=qualification, name="Priya Shah", initials="PS"
    )
    claim = claim_services.claim_start(
        actor=world.admin, centre=world.centre, qualification=qualification
    )

    def claim_units(count):
        claim_services.claim_save_lines(
            actor=world.admin,
            claim=claim,
            entries={
                (registration.pk, unit.pk): (Grade.PASS, assessor.pk) for unit in units[:count]
            },
        )

    login(page, live_server, world.admin, PASSWORD)
    path = live_server.url + reverse("claims:claim-print", args=[claim.pk])
    claim_units(15)
    printed(page, path)
    expect(page.locator("tbody tr")).to_have_count(15)
    _, width, height = pdf_pages(page)
    assert width < height  # 15 units: portrait

    claim_units(16)
    printed(page, path)
    expect(page.locator("tbody tr")).to_have_count(16)
    _, width, height = pdf_pages(page)
    assert width > height  # 16 units: A4 landscape
    assert round(width) == 842 and round(height) == 595


# The focused element, whether it shows a strong indicator, and whether anything lies over it.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const x = Math.min(Math.max(box.left + box.width / 2, 0), window.innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), window.innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  const covered = !(top && (el.contains(top) || top.contains(el) || (label && label.contains(top))));
  return {
    tag: el.tagName, name: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 60),
    cls: String(el.className),
    outline: style.outlineStyle + ' ' + style.outlineWidth, shadow: style.boxShadow,
    background: style.backgroundColor,
    inView: box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth,
    covered, coveredBy: covered && top ? top.tagName + '.' + String(top.className) : null,
  };
}"""


def check_focus(page, stops):
    state = page.evaluate(FOCUS_STATE)
    if state["tag"] == "BODY":
        return state
    stops.append(state)
    assert state["inView"], state  # scrolled into view
    assert not state["covered"], state  # nothing sticky over it (2.4.11)
    # A strong indicator: a 3px yellow ring in a black one; links a yellow band, black bar.
    assert state["outline"] == "solid 3px", state
    assert "rgb(11, 12, 12)" in state["shadow"], state
    if state["tag"] == "A" and "btn" not in state["cls"]:
        assert state["background"] == "rgb(255, 221, 0)", state
    return state


def tab_to(page, locator, stops, *, back=False, limit=80):
    """Press Tab (or Shift+Tab) until ``locator`` has focus, checking focus at every stop."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        check_focus(page, stops)
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {locator}")


@pytest.mark.parametrize(
    "viewport", [{"width": 1024, "height": 600}, PHONE], ids=["laptop", "phone"]
)
def test_keyboard_only_par_selection_with_focus_always_seen(page, live_server, world, viewport):
    # Enough learners that the results run past the window and the sticky bar is in play.
    for i in range(12):
        RegistrationFactory(
            learner=LearnerFactory(centre=world.centre, last_name=f"Ashcroft{i:02d}"),
            qualification=world.qualification,
        )
    unit = world.qualification.units.order_by("code").last()
    page.set_viewport_size(viewport)
    page.emulate_media(reduced_motion="reduce")  # read the settled focus style
    stops: list[dict] = []

    # Log in: Tab to each field, type, Enter.
    page.goto(live_server.url + reverse("login"))
    tab_to(page, page.get_by_label("Email address"), stops)
    page.keyboard.type(world.admin.email)
    tab_to(page, page.get_by_label("Password"), stops)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")

    # Home -> the PAR section -> Individual Add/Remove, by Tab and Enter.
    tab_to(page, page.get_by_role("link", name="ADD Optional Units (Formerly PAR)").first, stops)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/par/$"))
    tab_to(page, page.get_by_role("link", name="Individual Add/Remove"), stops)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/par/individual/"))

    # Search for the learners by name; Enter submits.
    tab_to(page, page.get_by_label("Enter Membership Number or Surname"), stops)
    page.keyboard.type("Ashcroft")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Ashcroft"))

    # Open the last learner's card (Enter on its summary), tick the unit with Space.
    learner = world.centre.learners.get(last_name="Ashcroft11")
    card = page.locator("details.learner-card", has_text=learner.membership_number)
    tab_to(page, card.locator("summary"), stops)
    page.keyboard.press("Enter")
    box = card.get_by_label(f"{unit.code} {unit.title}")
    tab_to(page, box, stops)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    # Back one stop and forward again: Shift+Tab works the same way.
    page.keyboard.press("Shift+Tab")
    check_focus(page, stops)
    tab_to(page, box, stops)

    save = page.get_by_role("button", name="Add all selected units.")
    tab_to(page, save, stops)
    page.keyboard.press("Enter")
    page.get_by_text("1 unit selected.").wait_for()
    assert UnitSelection.objects.filter(registration__learner=learner, unit=unit).exists()
    assert len(stops) > 20, len(stops)  # the journey did walk the pages
    assert_accessible(page)
