"""R-SMP-3 in Chromium on the demo as `make run` loads it: the moderator asks for a top-up
with Insufficient sample; the centre finds the learner-unit marked, cannot resubmit until it
has learner work, uploads it, and resubmits."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import User
from moderation import services
from moderation.models import Batch, BatchDocument, BatchStatus
from moderation.tests.factories import PDF_BYTES
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_top_up_asked_for_then_filled_and_resubmitted_on_the_demo(page, live_server):
    call_command("seed_demo", "--quiet")
    moderator = User.objects.get(email="moderator@demo.test")
    admin = User.objects.get(email="admin@demo.test")
    # The demo's Centre Completing batch at the admin's centre has one of its two slots
    # filled: the centre submits it and the moderator takes it, then asks for the other.
    batch = Batch.objects.get(status=BatchStatus.CENTRE_COMPLETING, centre__memberships__user=admin)
    services.batch_submit(actor=admin, batch=batch)
    services.batch_take(actor=moderator, batch=batch)
    without_work = ~Exists(
        BatchDocument.objects.current().filter(batch_unit=OuterRef("pk"), kind="sample")
    )
    unit = (
        batch.units.filter(without_work)
        .select_related("selection__registration__learner", "selection__unit")
        .get()
    )
    named = f"{unit.selection.registration.learner.membership_number} {unit.selection.unit.code}"

    login(page, live_server, moderator, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/moderation/review/{batch.pk}/")
    page.get_by_label("Insufficient sample").check()
    page.get_by_label("Comments", exact=True).fill("Please add the work named below.")
    page.get_by_label("Learner-units to add (top-up, optional)").fill(named)
    assert_accessible(page)
    page.get_by_role("button", name="Set outcome").click()
    page.get_by_test_id("batch-status").get_by_text("Insufficient sample").wait_for()

    page.context.clear_cookies()
    login(page, live_server, admin, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    expect(page.get_by_test_id("top-up-missing")).to_contain_text("1 still without a file")
    expect(page.get_by_role("button", name="Resubmit")).to_have_count(0)
    slot = page.locator(f"#slot-{unit.pk}")
    expect(slot.get_by_text("Top-up asked for")).to_be_visible()
    assert_accessible(page)

    slot.locator('input[type="file"]').set_input_files(
        {"name": "top-up.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    slot.get_by_role("button", name="Upload").click()
    page.locator(f"#slot-{unit.pk}").get_by_role("link", name="top-up.pdf").wait_for()
    assert BatchDocument.objects.current().filter(batch_unit=unit).exists()
    page.reload()
    expect(page.get_by_test_id("top-up-missing")).to_have_count(0)
    page.get_by_role("button", name="Resubmit").click()
    page.get_by_test_id("batch-status").get_by_text("Centre re-submitted").wait_for()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RESUBMITTED
