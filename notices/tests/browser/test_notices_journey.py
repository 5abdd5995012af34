"""R-NTF-1, R-BAT-9 in Chromium: the centre finds the outcome in "Your notices" and opens the
batch from it; a batch the awarding body deleted is listed with its tombstone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from moderation import services
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = BatchStatus


def test_outcome_notice_on_home_opens_the_batch_and_the_deleted_tab(page, live_server, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Add the IV notes."
    )
    gone = make_batch(world, S.WITH_MODERATOR, selections=[])
    services.batch_admin_delete(actor=world.staff, batch=gone, reason="Submitted twice.")

    login(page, live_server, world.admin, PASSWORD)
    page.goto(live_server.url + reverse("home"))
    notices = page.get_by_role("region", name="Your notices")
    expect(notices).to_contain_text(f"Batch {batch.pk}")
    expect(notices).to_contain_text("Returned for editing")
    expect(notices).to_contain_text("2 new")
    assert_accessible(page)

    notices.get_by_role("link", name=f"Batch {batch.pk}").click()
    page.wait_for_url(f"**{reverse('moderation:batch-detail', args=[batch.pk])}")
    expect(page.get_by_test_id("batch-status")).to_contain_text("Returned for editing")

    page.goto(live_server.url + reverse("moderation:index"))
    page.get_by_role("link", name="Deleted Batches").click()
    row = page.get_by_test_id("deleted-batch-list")
    expect(row).to_contain_text("Awarding body administrator")
    expect(row).to_contain_text("Submitted twice.")
    assert_accessible(page)
    row.get_by_role("link", name=f"Batch {gone.pk}").click()
    expect(page.get_by_test_id("batch-tombstone")).to_contain_text("Submitted twice.")
    assert_accessible(page)
