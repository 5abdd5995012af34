"""R-SMP-1 in Chromium on the demo as `make run` loads it: on the batch in Centre Completing
the centre asks for a suggested sample, reads why, accepts it, and finds the slot to fill
marked on the batch page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import User
from moderation.models import Batch, BatchStatus, BatchUnit
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_centre_accepts_a_suggested_sample_on_the_demo(page, live_server):
    call_command("seed_demo", "--quiet")
    admin = User.objects.get(email="admin@demo.test")
    batch = Batch.objects.get(status=BatchStatus.CENTRE_COMPLETING, centre__memberships__user=admin)
    login(page, live_server, admin, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    page.get_by_role("link", name="Suggest a sample").click()

    suggestion = page.get_by_test_id("sample-suggestion")
    expect(suggestion).to_contain_text("meets the minimum sample of")
    expect(page.get_by_test_id("suggestion-covers")).to_contain_text("covers the 1 unit claimed")
    expect(suggestion).to_contain_text("does not record a centre assessor or a mark")
    boxes = page.get_by_role("checkbox")
    expect(boxes.first).to_be_checked()
    assert_accessible(page)
    suggested = boxes.count()

    page.get_by_role("button", name="Accept the ticked learner-units as the slots to fill").click()
    page.wait_for_url(f"**/moderation/{batch.pk}/")
    expect(page.get_by_text("to fill chosen: they are marked on the batch page")).to_be_visible()
    expect(page.get_by_test_id("sample-plan")).to_contain_text(
        f"{suggested} slot{'s' if suggested != 1 else ''} to fill"
    )
    marked = page.locator("[data-to-fill]")
    expect(marked).to_have_count(suggested)
    expect(marked.first.get_by_text("Slot to fill")).to_be_visible()
    assert BatchUnit.objects.filter(batch=batch, to_fill=True).count() == suggested
    assert_accessible(page)
