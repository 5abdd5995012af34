"""Issue 14: the outcome's banner says "The moderator's comments are below", and they are: the
typed comments and the comments document in their own section of the batch page, not only as
a note in the history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from moderation import services
from moderation.models import BatchStatus

from .factories import PDF_BYTES, make_batch

S = BatchStatus


def section(page: str) -> str:
    start = page.index('data-testid="moderator-comments"')
    return page[start : page.index("</section>", start)]


def set_outcome(world, batch, outcome, comments, comments_file=None):
    return services.batch_set_outcome(
        actor=world.moderator,
        batch=batch,
        outcome=outcome,
        comments=comments,
        comments_file=comments_file,
    )


@pytest.mark.parametrize("outcome", [S.RETURNED, S.INSUFFICIENT_SAMPLE])
def test_the_typed_comments_are_below_the_banner_as_it_says(member_client, world, outcome):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    set_outcome(world, batch, outcome, "Replace the brief.\nIt is <last year's>.")
    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    banner = page.index("The moderator's comments are below.")
    assert banner < page.index('data-testid="moderator-comments"') < page.index("documents-heading")
    shown = section(page)
    assert "Moderator's comments</h2>" in shown
    # The comments as typed: line breaks kept, nothing taken as markup.
    assert "Replace the brief.<br>It is &lt;last year&#x27;s&gt;." in shown
    assert f"{S(outcome).label} by {world.moderator}" in shown


def test_the_comments_document_is_linked_and_the_latest_outcome_is_shown(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    set_outcome(world, batch, S.INSUFFICIENT_SAMPLE, "Add the second unit's work.")
    batch.refresh_from_db()
    services.batch_resubmit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    url = reverse("moderation:batch-detail", args=[batch.pk])
    # Re-submitted: what the moderator asked for is still there to read.
    assert "Add the second unit&#x27;s work." in section(member_client.get(url).content.decode())

    comments = SimpleUploadedFile("comments.pdf", PDF_BYTES, content_type="application/pdf")
    set_outcome(world, batch, S.COMPLETE, "All units passed.", comments)
    shown = section(member_client.get(url).content.decode())
    document = batch.documents.get(kind="comments")
    assert "All units passed." in shown and "second unit" not in shown
    assert (
        f'<a href="{reverse("moderation:document-download", args=[batch.pk, document.pk])}">'
        "comments.pdf</a>"
    ) in shown


def test_no_section_before_an_outcome(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="moderator-comments"' not in page
