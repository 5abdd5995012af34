"""R-DL-1: "Prepare download" records a request and queues its build; who may ask; reuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from centres.models import AuditEvent
from downloads import services
from downloads.models import DownloadRequest, DownloadStatus, Scope
from hub.models import OutboxMessage
from moderation.models import BatchDocument, BatchStatus, DocumentKind
from moderation.tests.factories import PDF_BYTES, make_batch, stored_pdf

S = BatchStatus


def _prepare(actor, batch):
    return services.download_prepare(actor=actor, scope=Scope.BATCH, batch=batch)


def test_prepare_records_a_queued_request_and_its_build_in_the_outbox(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=2)

    download, created = _prepare(world.admin, batch)

    assert created
    assert (download.status, download.requested_by, download.as_moderator) == (
        DownloadStatus.QUEUED,
        world.admin,
        False,
    )
    # Two documents and two pieces of learner work.
    assert (download.files_total, download.bytes_total) == (4, 4 * len(PDF_BYTES))
    message = OutboxMessage.objects.get(kind="downloads.build")
    assert message.payload == {"download_id": download.pk}
    assert AuditEvent.objects.filter(action="download.prepare", actor=world.admin).exists()


@pytest.mark.parametrize(
    "who",
    ["outsider", "tutor", "moderator", "assessor", "staff"],
    ids=["outsider", "member without the grant", "unassigned moderator", "assessor", "admin"],
)
def test_only_the_centre_with_the_grant_or_the_assigned_moderator_may_prepare(world, who):
    """R-ACC-2: the service refuses whoever the pages refuse."""
    batch = make_batch(world, S.WITH_MODERATOR, samples=1)
    with pytest.raises(PermissionDenied):
        _prepare(getattr(world, who), batch)
    assert not DownloadRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_assigned_moderator_prepares_as_moderator(world):
    batch = make_batch(world, S.WITH_MODERATOR, samples=1, moderator=world.moderator)
    download, created = _prepare(world.moderator, batch)
    assert created and download.as_moderator


def test_qualification_scope_refuses_a_moderator_without_a_batch_there(world):
    make_batch(world, S.WITH_MODERATOR, samples=1)  # not theirs
    with pytest.raises(PermissionDenied):
        services.download_prepare(
            actor=world.moderator,
            scope=Scope.QUALIFICATION,
            centre=world.centre,
            qualification=world.qualification,
        )


def test_month_scope_is_for_moderators_only(world):
    make_batch(world, S.WITH_MODERATOR, samples=1)
    with pytest.raises(PermissionDenied):
        services.download_prepare(actor=world.director, scope=Scope.MONTH)


def test_nothing_to_download_is_said_not_queued(world):
    batch = make_batch(world, S.DRAFT, documents=False)
    with pytest.raises(services.DownloadError, match="no files"):
        _prepare(world.admin, batch)
    assert not OutboxMessage.objects.exists()


def test_the_same_request_twice_reuses_the_first_build(world):
    """R-DL-1: same user, same scope, same files: one request, one build."""
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    first, _ = _prepare(world.admin, batch)
    again, created = _prepare(world.admin, batch)
    assert again == first and not created
    assert OutboxMessage.objects.filter(kind="downloads.build").count() == 1
    # Another user asking for the same batch gets their own.
    other, created = _prepare(world.director, batch)
    assert created and other != first


def test_a_newer_file_a_failed_or_an_expired_build_is_not_reused(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    first, _ = _prepare(world.admin, batch)
    unit = batch.units.exclude(documents__isnull=False).first()
    BatchDocument.objects.create(
        batch=batch,
        kind=DocumentKind.SAMPLE,
        batch_unit=unit,
        file=stored_pdf(),
        original_name="late.pdf",
        size=len(PDF_BYTES),
        content_type="application/pdf",
    )
    second, created = _prepare(world.admin, batch)
    assert created and second != first

    DownloadRequest.objects.filter(pk=second.pk).update(status=DownloadStatus.FAILED)
    third, created = _prepare(world.admin, batch)
    assert created and third not in (first, second)

    DownloadRequest.objects.filter(pk=third.pk).update(status=DownloadStatus.EXPIRED)
    fourth, created = _prepare(world.admin, batch)
    assert created


def test_a_ready_build_past_its_expiry_is_not_reused(world, settings):
    from django.utils import timezone

    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    first, _ = _prepare(world.admin, batch)
    DownloadRequest.objects.filter(pk=first.pk).update(
        status=DownloadStatus.READY, expires_at=timezone.now()
    )
    second, created = _prepare(world.admin, batch)
    assert created and second != first
    first.refresh_from_db()
    assert first.status == DownloadStatus.EXPIRED


def test_prepare_button_redirects_to_the_progress_page(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    response = member_client.post(reverse("downloads:prepare-batch", args=[batch.pk]))
    download = DownloadRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("downloads:detail", args=[download.pk])
    page = member_client.get(response["Location"]).content.decode()
    assert "Queued" in page
    assert 'data-hx-trigger="every 2s"' in page
    # Asked again: the same download, and the page says so.
    again = member_client.post(reverse("downloads:prepare-batch", args=[batch.pk]), follow=True)
    assert DownloadRequest.objects.count() == 1
    assert "not a second copy" in again.content.decode()


def test_nothing_to_download_says_so_on_the_downloads_page(member_client, world):
    batch = make_batch(world, S.DRAFT, documents=False)
    response = member_client.post(reverse("downloads:prepare-batch", args=[batch.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("downloads:index")
    assert "There are no files to download here yet." in response.content.decode()
    assert not DownloadRequest.objects.exists()
