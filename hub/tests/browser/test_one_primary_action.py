"""Issue 14 in Chromium: one primary action per page, a button that cannot work yet is not
primary and says why, one centre picker, and By Unit's "Apply to all" one clear control each."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from centres.models import Role
from centres.tests.factories import PASSWORD, MembershipFactory
from claims.tests.conftest import claim_with_lines, make_claim_world
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Bootstrap's solid blue and green buttons are the pages' main actions.
PRIMARY = ".btn-primary:visible, .btn-success:visible"


def primaries(page) -> list[str]:
    return [text.strip() for text in page.locator(PRIMARY).all_inner_texts()]


def assert_at_most_one_primary(page, path: str) -> None:
    page.goto(path)
    found = primaries(page)
    assert len(found) <= 1, f"{path}: {len(found)} primary buttons: {found}"


def test_each_key_page_has_at_most_one_primary_action(page, live_server, world):
    cw = make_claim_world(world)
    claim = claim_with_lines(cw)
    draft = make_batch(world, BatchStatus.DRAFT, selections=[])
    short = make_batch(world, BatchStatus.CENTRE_COMPLETING)
    unit = world.qualification.units.order_by("code").first()
    centre_pages = [
        reverse("home"),
        reverse("par:index"),
        reverse("par:individual") + "?mode=name",
        reverse("par:individual") + f"?mode=name&q={world.learner.last_name}",
        reverse("par:individual") + "?mode=all",
        reverse("par:bulk"),
        reverse("par:bulk") + f"?qualification={world.qualification.pk}&units={unit.pk}&list=1",
        reverse("par:learner", args=[world.learner.pk]),
        reverse("moderation:index"),
        reverse("moderation:batch-add"),
        reverse("moderation:batch-documents", args=[draft.pk]),
        reverse("moderation:batch-units", args=[draft.pk]),
        reverse("moderation:batch-detail", args=[short.pk]),
        reverse("claims:index"),
        reverse("claims:claim-detail", args=[claim.pk]),
        reverse("claims:by-unit", args=[claim.pk]),
        reverse("claims:by-candidate", args=[claim.pk]),
        reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]),
        reverse("centres:learner-list"),
    ]
    login(page, live_server, world.director, PASSWORD)
    for path in centre_pages:
        assert_at_most_one_primary(page, live_server.url + path)

    # The documents step done: going on to Select Units is the one main action, not Upload.
    page.goto(live_server.url + reverse("moderation:batch-documents", args=[draft.pk]))
    assert primaries(page) == ["Select Units to Pass on Batch"]

    # "Submit Batch" while the sample is short: not primary, and it says why beside it.
    page.goto(live_server.url + reverse("moderation:batch-detail", args=[short.pk]))
    submit = page.get_by_role("link", name="Submit Batch")
    expect(submit).not_to_have_class("btn btn-success")
    expect(submit).to_have_accessible_description(
        re.compile(
            r"^Not ready to submit: upload learner work until the minimum sample is met \(\d+ more needed\)\.$"
        )
    )
    met = make_batch(world, BatchStatus.CENTRE_COMPLETING, selections=[], samples=0)
    page.goto(live_server.url + reverse("moderation:batch-detail", args=[met.pk]))
    expect(page.locator("[data-submit-why]")).to_be_hidden()

    page.get_by_role("button", name=f"Log out {world.director.email}").click()
    make_batch(world, BatchStatus.WITH_MODERATOR, selections=[])  # unassigned: "Take"
    mine = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator, selections=[])
    login(page, live_server, world.moderator, PASSWORD)
    for path in (reverse("moderation:queue"), reverse("moderation:review", args=[mine.pk])):
        assert_at_most_one_primary(page, live_server.url + path)

    # The other personas' working pages.
    others = {
        world.data: [reverse("centres:learner-import")],
        world.assessor: [reverse("claims:assessor-list")],
        world.quality: [reverse("claims:history"), reverse("moderation:index")],
    }
    for user, paths in others.items():
        page.get_by_role("button", name="Log out").click()
        login(page, live_server, user, PASSWORD)
        for path in paths:
            assert_at_most_one_primary(page, live_server.url + path)


def test_moderation_has_one_centre_picker_shared_with_the_header(page, live_server, world):
    MembershipFactory(
        user=world.director,
        centre=world.other_centre,
        role=Role.PROGRAMME_DIRECTOR,
        can_moderation=True,
        can_par=True,
    )
    login(page, live_server, world.director, PASSWORD)
    page.goto(live_server.url + reverse("moderation:index"))
    pickers = page.locator('select[name="centre"]')
    expect(pickers).to_have_count(1)
    # The guide's name on Moderation; the header shows the centre, not a second picker.
    page.get_by_label("Please Select Centre").select_option(label=str(world.other_centre))
    assert_accessible(page)
    page.get_by_role("button", name="Select").click()
    expect(page.get_by_text(f"You are now working in {world.other_centre.name}.")).to_be_visible()
    assert page.url.endswith(reverse("moderation:index"))
    expect(page.get_by_test_id("current-centre")).to_have_text(str(world.other_centre))
    # Elsewhere the same picker sits in the header as "Available Centres".
    page.goto(live_server.url + reverse("par:index"))
    expect(pickers).to_have_count(1)
    expect(page.get_by_label("Available Centres")).to_be_visible()


def test_by_unit_apply_to_all_one_clear_control_beside_what_it_applies(page, live_server, world):
    cw = make_claim_world(world)
    claim = claim_with_lines(cw)
    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]))
    rows = page.locator("tr[data-grid-row]")
    assert rows.count() > 2
    apply_buttons = page.locator("button[data-apply]:visible")
    expect(apply_buttons).to_have_count(0)  # none until a row is worked on
    rows.nth(1).locator('input[value="pass"]').check()
    expect(apply_buttons).to_have_count(2)
    grade = rows.nth(1).get_by_role("button", name="Apply this grade to all below")
    assessor = rows.nth(1).get_by_role("button", name="Apply this assessor to all below")
    expect(grade).to_be_visible()
    expect(assessor).to_be_visible()
    # Each sits beside what it copies: the assessor's in the select's cell, the grade's in
    # the cell right after the radios.
    radio_cell = rows.nth(1).locator("td", has=page.locator('input[type="radio"]')).last
    assert radio_cell.evaluate(
        "td => td.nextElementSibling.querySelector('[data-apply=grade]') !== null"
    )
    assert (
        rows.nth(1)
        .locator("td", has=page.locator("select"))
        .locator("[data-apply=assessor]")
        .count()
        == 1
    )
    # Working on another row moves them there.
    rows.nth(2).locator('select[data-field="assessor"]').focus()
    expect(apply_buttons).to_have_count(2)
    expect(rows.nth(1).locator("button[data-apply]:visible")).to_have_count(0)
    assert_accessible(page)
