"""Issue 14 in Chromium, as a person meets it: messages only for what happened, limits said
rather than cut, a refused file said in words, the icon found, the controls' borders and
size, navigation between sections and back up the breadcrumbs, and uploads that show their
progress and go once."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from claims import services as claim_services
from claims.models import CentreAssessor, Grade
from claims.tests.conftest import (
    claim_with_lines,
    make_claim_world,
    start_claim,
    submitted_claim,
)
from moderation.models import BatchDocument, BatchStatus
from moderation.tests.factories import PDF_BYTES, make_batch
from moderation.tests.hostile_corpus import image
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_ERROR = ("This field is required", "There is a problem")


def assert_no_error_shown(page):
    for text in NO_ERROR:
        expect(page.get_by_text(text)).to_have_count(0)
    expect(page.locator(".is-invalid, .invalid-feedback:visible")).to_have_count(0)
    assert not page.title().startswith("Error:")


def test_messages_say_only_what_happened(page, live_server, world):
    login(page, live_server, world.admin, PASSWORD)
    # The guide's first screens: opening either filter shows no error before anything is typed.
    page.goto(live_server.url + reverse("par:individual"))
    for tab, field in (
        ("Filter by Qualification", "Qualification"),
        ("Filter by Name/Number", "Enter Membership Number or Surname"),
    ):
        page.get_by_role("link", name=tab).click()
        expect(page.get_by_role("link", name=tab)).to_have_attribute("aria-current", "page")
        expect(page.get_by_label(field, exact=True)).to_be_visible()
        assert_no_error_shown(page)

    # "Upload documents" with no file chosen: nothing was saved, and the page says what to do.
    batch = make_batch(world, documents=False)
    page.goto(live_server.url + reverse("moderation:batch-documents", args=[batch.pk]))
    page.get_by_role("button", name="Upload documents").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Select the IV feedback file or the assessment brief file to upload"
    )
    expect(page.get_by_text("Documents saved.")).to_have_count(0)
    assert page.title().startswith("Error: ")
    assert not BatchDocument.objects.filter(batch=batch).exists()

    # A PNG named scan.pdf as the assessment brief: refused, saying what the file really is.
    page.get_by_label("Assessment Brief").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": image("PNG")}
    )
    page.get_by_role("button", name="Upload documents").click()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("“scan.pdf” is named as a .pdf file but it is a PNG image")
    expect(page.locator("#id_brief")).to_have_class("form-control is-invalid")
    expect(page.get_by_text("Documents saved.")).to_have_count(0)
    assert not BatchDocument.objects.filter(batch=batch).exists()
    assert_accessible(page)


def test_initials_over_the_limit_are_said_not_cut(page, live_server, world):
    cw = make_claim_world(world)
    login(page, live_server, world.admin, PASSWORD)
    page.goto(
        live_server.url + reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    )
    page.get_by_label("Full name").fill("John Smith")
    initials = page.get_by_label("Initials or teacher code")
    initials.press_sequentially("JSMITH")
    expect(initials).to_have_value("JSMITH")  # the browser does not stop at 4
    page.get_by_role("button", name="Save").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Initials must be 4 characters or fewer")
    expect(page.locator(".alert-success")).to_have_count(0)
    expect(initials).to_have_value("JSMITH")  # kept as typed, to correct
    assert not CentreAssessor.objects.filter(name="John Smith").exists()
    initials.fill("JS")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert CentreAssessor.objects.get(name="John Smith").initials == "JS"


def test_no_page_asks_for_something_missing_and_the_icon_is_there(page, live_server, world):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, live_server, world.admin, PASSWORD)
    for path in (reverse("home"), reverse("par:index"), reverse("moderation:index")):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # Browsers ask for /favicon.ico whatever the page links; and each icon the page links.
    icons = page.eval_on_selector_all('link[rel="icon"]', "links => links.map(l => l.href)")
    assert live_server.url + "/favicon.ico" in icons
    for url in icons:
        response = page.request.get(url)
        assert response.ok, (url, response.status)
    assert failed == []


# The WCAG contrast of each box's or radio's border against what is behind it, and its size.
CONTROLS = """() => {
  const lum = c => {
    const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor;
      const alpha = bg.match(/[\\d.]+/g)[3];
      if (alpha === undefined || Number(alpha) > 0.5) return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]
    .filter(el => el.getClientRects().length && !el.checked && !el.disabled)
    .map(el => {
      const s = getComputedStyle(el);
      const [a, b] = [lum(s.borderTopColor), lum(behind(el))];
      const box = el.getBoundingClientRect();
      return {id: el.id || el.name, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
              border: parseFloat(s.borderTopWidth), width: box.width, height: box.height};
    });
}"""


def test_check_boxes_and_radios_have_a_3_to_1_border_and_24px_targets(page, live_server, world):
    cw = make_claim_world(world)
    submitted = submitted_claim(cw)  # unit 0 for every candidate: the assessor's sample ticks
    claim = start_claim(cw)
    claim_services.claim_save_lines(
        actor=world.admin,
        claim=claim,
        entries={(r.pk, cw.units[1].pk): (Grade.PASS, cw.assessor.pk) for r in cw.registrations},
    )
    batch = make_batch(world, BatchStatus.DRAFT, selections=[])
    pages = {
        "PAR": reverse("par:individual") + "?mode=all",
        "Select Units": reverse("moderation:batch-units", args=[batch.pk]),
        "the grade grid": reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]),
        "the declaration": reverse("claims:claim-check", args=[claim.pk]),
    }
    login(page, live_server, world.admin, PASSWORD)
    measured = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        measured[name] = page.evaluate(CONTROLS)
    page.context.clear_cookies()
    login(page, live_server, world.assessor, PASSWORD)
    page.goto(live_server.url + reverse("claims:assessor-claim", args=[submitted.pk]))
    measured["the sample ticks"] = page.evaluate(CONTROLS)
    for name, controls in measured.items():
        assert controls, f"no check box or radio measured on {name}"
        for control in controls:
            assert control["ratio"] >= 3 and control["border"] >= 1, (name, control)
            assert min(control["width"], control["height"]) >= 24, (name, control)


def test_sections_in_the_header_and_breadcrumbs_lead_back(page, live_server, world):
    cw = make_claim_world(world)
    claim = claim_with_lines(cw)
    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("par:index"))
    header = page.locator("header")
    header.get_by_role("link", name="Moderation").click()
    expect(page).to_have_url(live_server.url + reverse("moderation:index"))
    expect(header.get_by_role("link", name="Moderation")).to_have_attribute("aria-current", "page")
    header.get_by_role("link", name="Claims").click()
    expect(page).to_have_url(live_server.url + reverse("claims:index"))

    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    page.goto(live_server.url + reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]))
    crumbs.get_by_role("link", name="By Candidate").click()
    expect(page).to_have_url(live_server.url + reverse("claims:by-candidate", args=[claim.pk]))
    page.goto(live_server.url + reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]))
    crumbs.get_by_role("link", name="By Unit").click()
    expect(page).to_have_url(live_server.url + reverse("claims:by-unit", args=[claim.pk]))


def held_upload(page, pattern, choose, press, busy_name, file_name):
    """Choose a file and press the button with the answer held back: the button is disabled
    and says it is working, the upload's progress names the file, a second press sends
    nothing. Then the answer is let through."""
    held, posts = [], []

    def hold(route):
        if route.request.method == "POST":
            posts.append(route.request.url)
            held.append(route)
        else:
            route.continue_()

    page.route(pattern, hold)
    choose()
    press()
    busy = page.get_by_role("button", name=busy_name)
    expect(busy).to_be_disabled()
    progress = page.locator("[data-busy-progress]")
    expect(progress.locator("progress")).to_be_visible()
    expect(progress.get_by_role("status")).to_contain_text(file_name)
    busy.click(force=True)
    page.wait_for_timeout(200)
    assert len(posts) == 1
    held[0].continue_()
    page.unroute(pattern)


def test_comments_document_and_learner_import_show_progress_and_go_once(page, live_server, world):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    login(page, live_server, world.moderator, PASSWORD)
    page.goto(live_server.url + reverse("moderation:review", args=[batch.pk]))
    page.get_by_label("Returned for editing").check()
    page.get_by_label("Comments", exact=True).fill("See the document.")

    def comments():
        page.get_by_label("Comments document").set_input_files(
            {"name": "comments.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )

    held_upload(
        page,
        "**/review/*/outcome/",
        comments,
        lambda: page.get_by_role("button", name="Set outcome").click(),
        re.compile("…$"),
        "comments.pdf",
    )
    expect(page.locator(".alert-success")).to_contain_text("is now Returned for editing")

    page.context.clear_cookies()
    login(page, live_server, world.data, PASSWORD)
    page.goto(live_server.url + reverse("centres:learner-import"))
    held_upload(
        page,
        "**/learners/import/",
        lambda: page.get_by_label("CSV file").set_input_files(
            {"name": "learners.csv", "mimeType": "text/csv", "buffer": b"surname\nSmith\n"}
        ),
        lambda: page.get_by_role("button", name="Import learners").click(),
        re.compile("…$"),
        "learners.csv",
    )
