"""Issue 14 in Chromium: the moderator's typed comments are where the outcome's banner says,
below it on the batch page, as the centre sees it (not only a note in the history)."""

import pytest
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from moderation.models import BatchStatus
from moderation.tests.factories import PDF_BYTES, make_batch
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_returned_batch_shows_the_moderators_comments_below_the_banner(page, live_server, world):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    login(page, live_server, world.moderator, PASSWORD)
    page.goto(f"{live_server.url}/moderation/review/{batch.pk}/")
    page.get_by_label("Returned for editing").check()
    page.get_by_label("Comments", exact=True).fill(
        "The brief is last year's.\nUpload this year's brief."
    )
    page.get_by_label("Comments document").set_input_files(
        {"name": "comments.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Set outcome").click()
    page.get_by_test_id("batch-status").get_by_text("Returned for editing").wait_for()

    page.context.clear_cookies()
    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    banner = page.locator(".alert-info", has_text="The moderator's comments are below.")
    expect(banner).to_be_visible()
    comments = page.get_by_role("region", name="Moderator's comments")
    expect(comments).to_be_visible()
    expect(comments).to_contain_text("Returned for editing by")
    # What was typed, line break and all, in the section itself (not only in the history).
    quote = comments.locator("blockquote")
    expect(quote).to_have_text("The brief is last year's.Upload this year's brief.")
    assert quote.inner_text() == "The brief is last year's.\nUpload this year's brief."
    expect(comments.get_by_role("link", name="comments.pdf")).to_be_visible()
    # Below the banner, as it says, and before the documents and slots.
    below = banner.bounding_box()
    box = comments.bounding_box()
    documents = page.get_by_role("heading", name="Documents", exact=True).bounding_box()
    assert below["y"] + below["height"] <= box["y"] < documents["y"]
    assert_accessible(page)
