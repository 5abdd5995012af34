"""R-DL-1: the worker builds the zip in storage with its manifest, once; the link expires;
the sweeps remove expired zips and never a live build's."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from downloads import building, services
from downloads.models import DownloadRequest, DownloadStatus, Scope
from downloads.tasks import download_sweep
from hub import orphans, outbox
from moderation.models import BatchDocument, BatchStatus, DocumentKind
from moderation.tests.factories import PDF_BYTES, bulk_learner_units, make_batch
from notices.models import Notice

S = BatchStatus


def _zip_of(download: DownloadRequest) -> zipfile.ZipFile:
    with default_storage.open(download.file.name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def _ready(world, batch, actor=None):
    download, _ = services.download_prepare(
        actor=actor or world.admin, scope=Scope.BATCH, batch=batch
    )
    assert outbox.sweep() == 1
    download.refresh_from_db()
    return download


def test_the_zip_holds_every_file_and_a_manifest(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=3)
    world.learner.first_name = "Zoë"
    world.learner.save()

    download = _ready(world, batch)

    assert download.status == DownloadStatus.READY
    assert (download.files_done, download.bytes_done) == (5, 5 * len(PDF_BYTES))
    assert download.expires_at == download.finished_at + timedelta(hours=72)
    archive = _zip_of(download)
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[0] == "manifest.csv"
    assert len(names) == 6
    folder = f"Learner work/{world.learner.membership_number} Ashworth/"
    samples = [n for n in names if n.startswith(folder)]
    assert len(samples) == 3
    assert all(archive.read(n) == PDF_BYTES for n in names[1:])
    assert download.size == default_storage.size(download.file.name)

    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert manifest[0] == [
        "Batch",
        "Learner",
        "P number",
        "Unit",
        "File name",
        "Uploaded at",
        "Uploaded by",
    ]
    lines = {line[4]: line for line in manifest[1:]}
    assert set(lines) == set(names[1:])
    line = lines[samples[0]]
    assert line[0] == str(batch.pk)
    assert line[1] == f"Zoë {world.learner.last_name}"
    assert line[2] == world.learner.membership_number
    assert line[3].split()[0] in samples[0]
    assert line[6] == (world.admin.get_full_name() or world.admin.email)
    document = lines["IV Feedback/iv_feedback.pdf"]
    assert document[1:4] == ["", "", ""]


def test_ready_sends_the_requester_a_notice_with_the_link(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download = _ready(world, batch)
    notice = Notice.objects.get(kind="download.ready")
    assert notice.recipient == world.admin
    assert notice.link == reverse("downloads:detail", args=[download.pk])
    assert download.title in notice.subject
    # Its email goes through the outbox too (R-NTF-1).
    assert outbox.pending().filter(kind="notices.email").count() == 1


def test_a_second_delivery_does_not_build_again(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download = _ready(world, batch)
    building.build_download(download_id=download.pk)
    again = DownloadRequest.objects.get(pk=download.pk)
    assert (again.file.name, again.attempts) == (download.file.name, 1)
    assert Notice.objects.filter(kind="download.ready").count() == 1


def test_the_page_shows_progress_then_the_link(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=2)
    download, _ = services.download_prepare(actor=world.admin, scope=Scope.BATCH, batch=batch)
    DownloadRequest.objects.filter(pk=download.pk).update(
        status=DownloadStatus.BUILDING, files_done=1, bytes_done=len(PDF_BYTES)
    )
    url = reverse("downloads:detail", args=[download.pk])
    partial = member_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="download-status"')
    assert "Added 1 of 4 files" in partial
    assert 'data-hx-trigger="every 2s"' in partial
    DownloadRequest.objects.filter(pk=download.pk).update(status=DownloadStatus.QUEUED)

    outbox.sweep()
    ready = member_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "data-hx-trigger" not in ready
    assert reverse("downloads:file", args=[download.pk]) in ready
    response = member_client.get(reverse("downloads:file", args=[download.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert "manifest.csv" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_a_failing_build_is_retried_then_failed(world, monkeypatch):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download, _ = services.download_prepare(actor=world.admin, scope=Scope.BATCH, batch=batch)

    def broken(*args, **kwargs):
        raise OSError("storage is down")

    monkeypatch.setattr(building, "streaming_reader", broken)
    for attempt in range(1, building.MAX_ATTEMPTS + 1):
        with pytest.raises(OSError):
            building.build_download(download_id=download.pk)
        download.refresh_from_db()
        assert download.attempts == attempt
        assert download.file.name == ""  # the partial zip went with the failure
    assert download.status == DownloadStatus.FAILED
    assert "storage is down" in download.error
    assert not list(orphans._walk(default_storage, "downloads"))  # no partial zip left


def test_the_link_expires_and_the_sweep_removes_the_zip(member_client, world, settings):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download = _ready(world, batch)
    name = download.file.name
    url = reverse("downloads:file", args=[download.pk])
    assert member_client.get(url).status_code == 200

    DownloadRequest.objects.filter(pk=download.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert member_client.get(url).status_code == 404  # expired, before the sweep has run
    assert download_sweep() == 1
    download.refresh_from_db()
    assert (download.status, download.file.name) == (DownloadStatus.EXPIRED, "")
    assert not default_storage.exists(name)
    page = member_client.get(reverse("downloads:detail", args=[download.pk])).content.decode()
    assert "has expired" in page
    assert download_sweep() == 0  # twice is harmless


def test_the_orphan_sweep_leaves_a_live_build_alone(world):
    """The zip's key is on the row from the first byte, so a build is never an orphan."""
    assert "downloads" in orphans.folders()
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download, _ = services.download_prepare(actor=world.admin, scope=Scope.BATCH, batch=batch)
    seen = []

    def sweep_midway(*args, **kwargs):
        key = DownloadRequest.objects.get(pk=download.pk).file.name
        seen.append(key)
        removed = orphans.sweep(grace=timedelta(0), now=timezone.now() + timedelta(days=1))
        assert key not in removed
        return real(*args, **kwargs)

    real = building.streaming_reader
    building.streaming_reader = sweep_midway
    try:
        outbox.sweep()
    finally:
        building.streaming_reader = real
    download.refresh_from_db()
    assert download.status == DownloadStatus.READY and seen
    assert default_storage.exists(download.file.name)


def _batch(world, status, **kwargs):
    """A batch of its own learner's units, so several can be live at once."""
    selections = bulk_learner_units(world.centre, world.qualification, 1)
    return make_batch(world, status, selections=selections, samples=1, **kwargs)


def test_several_batches_go_in_a_folder_each(world):
    first = _batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    second = _batch(world, S.COMPLETE, moderator=world.moderator)
    _batch(world, S.WITH_MODERATOR)  # not assigned to them: not in it
    download, _ = services.download_prepare(
        actor=world.moderator,
        scope=Scope.QUALIFICATION,
        centre=world.centre,
        qualification=world.qualification,
    )
    outbox.sweep()
    download.refresh_from_db()
    names = _zip_of(download).namelist()
    folders = {n.split("/")[0] for n in names[1:]}
    code = f"{world.centre.number} {world.qualification.code}"
    assert folders == {f"Batch {first.pk} {code}", f"Batch {second.pk} {code}"}
    assert len(names) == 1 + 2 * 3


def test_the_month_holds_what_reached_the_moderator_this_month(world):
    now = timezone.now()
    this_month = _batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    earlier = _batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    long_ago = now - timedelta(days=70)
    type(earlier).objects.filter(pk=earlier.pk).update(
        sla_started_at=long_ago, assigned_at=long_ago
    )
    download, _ = services.download_prepare(actor=world.moderator, scope=Scope.MONTH)
    outbox.sweep()
    download.refresh_from_db()
    folders = {n.split("/")[0] for n in _zip_of(download).namelist()[1:]}
    assert folders == {f"Batch {this_month.pk} {world.centre.number} {world.qualification.code}"}
    assert BatchDocument.objects.filter(batch=earlier, kind=DocumentKind.SAMPLE).exists()


def test_the_notice_opens_the_download_in_its_centre(client, world):
    """A member of two centres who moved on to the other is switched back by the notice."""
    from centres.models import Role
    from centres.tests.factories import MembershipFactory
    from conftest import ALL_GRANTS

    MembershipFactory(
        user=world.director, centre=world.other_centre, role=Role.PROGRAMME_DIRECTOR, **ALL_GRANTS
    )
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download = _ready(world, batch, actor=world.director)
    world.director.current_centre = world.other_centre
    world.director.save()
    client.force_login(world.director)
    assert client.get(reverse("downloads:detail", args=[download.pk])).status_code == 404

    notice = Notice.objects.get(kind="download.ready", recipient=world.director)
    page = client.get(reverse("notices:open", args=[notice.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("downloads:detail", args=[download.pk])
    assert f"You are now working in {world.centre.name}." in page.content.decode()
    assert "The zip is ready" in page.content.decode()


def test_a_batch_deleted_since_takes_its_zip_with_it(member_client, world):
    """R-BAT-9: the awarding body's deletion destroys the files, so a zip holding them goes."""
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download = _ready(world, batch)
    url = reverse("downloads:file", args=[download.pk])
    assert member_client.get(url).status_code == 200
    type(batch).objects.filter(pk=batch.pk).update(deleted_at=timezone.now())
    assert member_client.get(url).status_code == 404
    assert download_sweep() == 1
    download.refresh_from_db()
    assert (download.status, download.file.name) == (DownloadStatus.EXPIRED, "")


def test_a_build_whose_worker_died_is_started_again_by_the_sweep(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    download, _ = services.download_prepare(actor=world.admin, scope=Scope.BATCH, batch=batch)
    assert outbox.sweep() == 1
    # As if the worker died mid-build an hour ago, its outbox message already marked done.
    partial = default_storage.save("downloads/ab/partial.zip", ContentFile(b"PK"))
    gone = timezone.now() - timedelta(hours=1)
    DownloadRequest.objects.filter(pk=download.pk).update(
        status=DownloadStatus.BUILDING, heartbeat_at=gone, claimed_at=gone, file=partial
    )
    # Nothing would ever build it again by itself.
    assert not outbox.pending().filter(kind="downloads.build").exists()

    download_sweep()
    download.refresh_from_db()
    assert (download.status, download.file.name) == (DownloadStatus.QUEUED, "")
    assert not default_storage.exists(partial)
    assert outbox.pending().filter(kind="downloads.build").count() == 1
    outbox.sweep()
    download.refresh_from_db()
    assert download.status == DownloadStatus.READY
    assert download.attempts == 2
