"""R-SMP-2 in Chromium on the demo as `make run` loads it: the visiting assessor asks for a
suggested sample of a size they set, reads what it covers, changes a tick and saves it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import User
from claims.models import Claim, ClaimStatus
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assessor_suggested_sample_prefilled_and_editable_on_the_demo(page, live_server):
    call_command("seed_demo", "--quiet")
    assessor = User.objects.get(email="assessor@demo.test")
    claim = Claim.objects.get(status=ClaimStatus.SUBMITTED)
    grades = sorted(set(claim.lines.values_list("grade", flat=True)))
    login(page, live_server, assessor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/claims/assess/{claim.pk}/")
    boxes = page.locator('input[name="sample"]')
    expect(boxes.first).not_to_be_checked()

    size = page.get_by_label("Sample size (candidate-units)")
    # Offered: the fewest that cover the unit, the centre assessor and every grade claimed.
    expect(size).to_have_value(str(len(grades)))
    page.get_by_role("button", name="Suggest a sample").click()
    suggestion = page.get_by_test_id("sample-suggestion")
    expect(suggestion).to_contain_text(f"Suggested: {len(grades)} candidate-units")
    expect(suggestion).to_contain_text(f"all {len(grades)} grades claimed")
    checked = page.locator('input[name="sample"]:checked')
    expect(checked).to_have_count(len(grades))
    assert_accessible(page)

    # The ticks are the assessor's: untick the first suggested, then save.
    first = checked.first.get_attribute("value")
    page.locator(f'input[name="sample"][value="{first}"]').uncheck()
    page.get_by_role("button", name="Save sample").click()
    page.get_by_text("Sample saved; the centre has been emailed.").wait_for()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED
    sampled = set(claim.lines.filter(sampled=True).values_list("pk", flat=True))
    assert len(sampled) == len(grades) - 1 and int(first) not in sampled
