"""Issue 14 in Chromium: what the user chose is kept (files too), uploads show their progress
and a form once sent cannot be sent again; without script the forms still work."""

import pytest
from playwright.sync_api import expect

from centres.tests.factories import PASSWORD
from moderation.models import BatchDocument, BatchStatus, DocumentKind
from moderation.tests.factories import PDF_BYTES, make_batch
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_ACCEPTED = {"name": "iv.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" * 64}


def brief_pdf(name="brief.pdf"):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def test_documents_good_brief_kept_beside_a_refused_iv_file_with_progress_and_one_post(
    page, live_server, world
):
    batch = make_batch(world, documents=False)
    login(page, live_server, world.admin, PASSWORD)
    url = f"{live_server.url}/moderation/{batch.pk}/documents/"
    page.goto(url)
    held, posts = [], []

    def hold(route):
        # The answer is held back so the page can be seen while the upload is under way.
        if route.request.method == "POST":
            posts.append(route.request.url)
            held.append(route)
        else:
            route.continue_()

    page.route("**/documents/", hold)
    page.get_by_label("IV Feedback").set_input_files(NOT_ACCEPTED)
    page.get_by_label("Assessment Brief").set_input_files(brief_pdf())
    button = page.get_by_role("button", name="Upload documents")
    button.click()
    busy = page.get_by_role("button", name="Uploading…")
    expect(busy).to_be_disabled()
    progress = page.locator("[data-busy-progress]")
    expect(progress.locator("progress")).to_be_visible()
    expect(progress.get_by_role("status")).to_contain_text("iv.exe, brief.pdf")
    busy.click(force=True)  # a second press sends nothing
    page.wait_for_timeout(200)
    assert len(posts) == 1
    held[0].continue_()
    page.unroute("**/documents/")

    # The page the server answered: the refused file has its error, the good one is stored
    # and the page says so; the error summary has focus, as after a plain submit.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    expect(summary.get_by_role("link")).to_contain_text("This type of file is not accepted")
    expect(page.locator(".alert-success")).to_contain_text(
        "Saved: The Assessment Brief is brief.pdf. Not saved: the IV Feedback"
    )
    expect(page.get_by_test_id("brief-done")).to_have_text("brief.pdf")
    assert list(BatchDocument.objects.values_list("kind", "original_name")) == [
        (DocumentKind.BRIEF, "brief.pdf")
    ]
    assert page.url == url
    assert_accessible(page)

    # The replaced page works as a served one: the IV file alone now, and on to the units.
    page.get_by_label("IV Feedback").set_input_files(brief_pdf("iv.pdf"))
    page.get_by_role("button", name="Save documents").click()
    expect(page.locator(".alert-success")).to_contain_text("Documents saved. The IV Feedback is")
    expect(page.get_by_test_id("iv-done")).to_have_text("iv.pdf")
    expect(page.get_by_role("link", name="Select Units to Pass on Batch")).to_be_visible()


def test_documents_good_brief_kept_without_script(browser, live_server, world):
    batch = make_batch(world, documents=False)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, world.admin, PASSWORD)
        page.goto(f"{live_server.url}/moderation/{batch.pk}/documents/")
        page.get_by_label("IV Feedback").set_input_files(NOT_ACCEPTED)
        page.get_by_label("Assessment Brief").set_input_files(brief_pdf())
        page.get_by_role("button", name="Upload documents").click()
        expect(page.locator(".alert-success")).to_contain_text(
            "Saved: The Assessment Brief is brief.pdf."
        )
        expect(page.locator("#id_iv_feedback")).to_have_class("form-control is-invalid")
        assert BatchDocument.objects.filter(kind=DocumentKind.BRIEF).count() == 1
    finally:
        context.close()


def test_review_comments_document_kept_across_an_error_then_sent_once(page, live_server, world):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    login(page, live_server, world.moderator, PASSWORD)
    page.goto(f"{live_server.url}/moderation/review/{batch.pk}/")
    page.get_by_label("Comments document").set_input_files(brief_pdf("comments.pdf"))
    page.get_by_role("button", name="Set outcome").click()  # no outcome chosen
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    kept = page.get_by_test_id("kept-file")
    expect(kept).to_contain_text("Your comments document comments.pdf is kept")
    assert not BatchDocument.objects.filter(kind=DocumentKind.COMMENTS).exists()
    assert_accessible(page)

    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_label("Returned for editing").check()
    # Two presses as fast as a double click: the form goes once.
    page.evaluate("""() => {
      const button = document.querySelector('#outcome-heading ~ form button[type=submit]');
      button.click(); button.click();
    }""")
    expect(page.locator(".alert-success")).to_contain_text("is now Returned for editing")
    assert len(posts) == 1
    document = BatchDocument.objects.get(kind=DocumentKind.COMMENTS)
    assert document.original_name == "comments.pdf"
