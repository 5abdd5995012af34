"""Building a prepared download: the zip written straight into storage, member by member.

``build_download`` is the outbox handler of ``downloads.build`` (hub.outbox delivers it in a
worker, through the thin ``hub.tasks.outbox_deliver`` task keyed by the message's id). It:

1. claims the request with one conditional UPDATE (Queued, or Building with a heartbeat
   older than the lease: a worker that died), naming the zip's storage key in the same
   statement, so a second delivery does nothing and the orphan sweep sees the key as used;
2. writes the zip through ``hub.storage.streaming_writer``: on S3 a multipart upload sent a
   part at a time (parts sized so tens of GB fit S3's 10,000), locally the file in place.
   Nothing goes to the worker's disk and no member is ever whole in memory: each is read
   from storage in 1 MB chunks (``hub.storage.streaming_reader``) and stored, not deflated
   (PDFs, Office files and photos are compressed already). ZIP64 throughout;
3. puts ``manifest.csv`` first (R-DL-1): batch, learner, P number, unit, file name,
   uploaded at and by, one line per file, streamed from the database in chunks;
4. records progress every few files, which is also the heartbeat; if the claim was taken
   over meanwhile, this build stops and leaves the zip to the other;
5. marks it Ready with its expiry, audits it, and sends the requester a notice with the
   link (notices.services.notify: listed in the hub and emailed through the outbox).

A failure gives the claim back and raises, so the outbox retries with backoff; after
``MAX_ATTEMPTS`` the request is Failed and the page says so.
"""

from __future__ import annotations

import csv
import io
import logging
import time
import zipfile
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from centres.audit import audit
from hub.storage import streaming_reader, streaming_writer
from notices.services import Recipient, notify

from . import selectors
from .models import DownloadRequest, DownloadStatus, download_key
from .services import move

log = logging.getLogger(__name__)
S = DownloadStatus
CHUNK = 1024 * 1024
MAX_ATTEMPTS = 3
PROGRESS_SECONDS = 2.0
# Per member: local header, data descriptor and central record with ZIP64 extras, plus the
# name twice; with the manifest, a safe over-estimate of the zip beyond its files' bytes.
OVERHEAD_PER_FILE = 200 + 2 * 300


class TakenOver(Exception):
    """Another worker holds this build now (this one was thought dead)."""


def lease() -> timedelta:
    return timedelta(seconds=settings.HUB_OUTBOX_LEASE_SECONDS)


def build_download(*, download_id: int) -> None:
    """Build download ``download_id`` once; a delivery that finds it claimed does nothing."""
    now = timezone.now()
    key = download_key(None, "download.zip")
    claimed = move(
        download_id,
        "claim",
        where=Q(status=S.QUEUED) | Q(heartbeat_at__lt=now - lease()),
        claimed_at=now,
        heartbeat_at=now,
        file=key,
        files_done=0,
        bytes_done=0,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    download = DownloadRequest.objects.select_related("requested_by").get(pk=download_id)
    try:
        size = write_zip(download, key=key, claimed_at=now)
    except TakenOver:
        log.info("Download %s was taken over by another worker; this build stops.", download_id)
        return
    except Exception as exc:
        _give_back(download, key=key, claimed_at=now, exc=exc)
        raise
    _finish(download, key=key, claimed_at=now, size=size)


class _Progress:
    """Writes progress (and so the heartbeat) at most every ``PROGRESS_SECONDS``."""

    def __init__(self, download: DownloadRequest, claimed_at) -> None:
        self.pk, self.claimed_at = download.pk, claimed_at
        self.files = self.bytes = 0
        self.last = time.monotonic()

    def add(self, size: int) -> None:
        self.files += 1
        self.bytes += size
        if time.monotonic() - self.last >= PROGRESS_SECONDS:
            self.save()

    def save(self) -> None:
        self.last = time.monotonic()
        mine = DownloadRequest.objects.filter(
            pk=self.pk, status=S.BUILDING, claimed_at=self.claimed_at
        ).update(files_done=self.files, bytes_done=self.bytes, heartbeat_at=timezone.now())
        if not mine:
            raise TakenOver()


def _write_manifest(text, download: DownloadRequest) -> None:
    writer = csv.writer(text)
    writer.writerow(selectors.MANIFEST_HEADER)
    for entry in selectors.entries(download):
        writer.writerow(
            [
                entry.batch,
                entry.learner,
                entry.p_number,
                entry.unit,
                entry.path,
                timezone.localtime(entry.uploaded_at).strftime("%Y-%m-%d %H:%M"),
                entry.uploaded_by,
            ]
        )


def write_zip(download: DownloadRequest, *, key: str, claimed_at) -> int:
    """Stream the download's zip into storage as ``key``; its size in bytes."""
    progress = _Progress(download, claimed_at)
    size = zip_into(
        default_storage,
        key,
        expected_size=download.bytes_total + (download.files_total + 1) * OVERHEAD_PER_FILE,
        manifest=lambda text: _write_manifest(text, download),
        entries=selectors.entries(download),
        on_member=progress.add,
    )
    progress.save()
    return size


def zip_into(
    storage,
    key: str,
    *,
    expected_size: int,
    manifest: Callable[[io.TextIOBase], None],
    entries: Iterable[selectors.Entry],
    on_member: Callable[[int], None] = lambda size: None,
) -> int:
    """Write a zip of ``entries`` (read from ``storage``) into ``storage`` as ``key``,
    ``manifest.csv`` first; its size. Memory: one read chunk and one upload part."""
    with streaming_writer(storage, key, expected_size=expected_size) as target:
        with zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_STORED, allowZip64=True
        ) as archive:
            # Excel opens a UTF-8 CSV with its byte-order mark as UTF-8 (names with accents).
            with archive.open("manifest.csv", "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
                manifest(text)
                text.flush()
                text.detach()
            for entry in entries:
                info = zipfile.ZipInfo(
                    entry.path, date_time=timezone.localtime(entry.uploaded_at).timetuple()[:6]
                )
                info.compress_type = zipfile.ZIP_STORED
                info.file_size = entry.size
                with (
                    archive.open(info, "w", force_zip64=True) as member,
                    streaming_reader(storage, entry.key) as source,
                ):
                    while chunk := source.read(CHUNK):
                        member.write(chunk)
                on_member(entry.size)
        return target.written


def _give_back(download: DownloadRequest, *, key: str, claimed_at, exc: Exception) -> None:
    """A build that failed: its partial file goes; it is tried again, or after the last
    attempt marked Failed."""
    log.warning("Download %s failed to build: %r", download.pk, exc, exc_info=True)
    default_storage.delete(key)
    attempts = DownloadRequest.objects.filter(pk=download.pk).values_list("attempts", flat=True)
    mine = Q(claimed_at=claimed_at)
    if attempts and attempts[0] >= MAX_ATTEMPTS:
        if move(download.pk, "fail", where=mine, file="", error=f"{type(exc).__name__}: {exc}"):
            audit(
                actor=None,
                action="download.fail",
                subject=download.title,
                before=S.BUILDING.label,
                after=S.FAILED.label,
                download=download.pk,
                reason=str(exc)[:500],
            )
        return
    move(download.pk, "release", where=mine, file="", error=f"{type(exc).__name__}: {exc}")


def _finish(download: DownloadRequest, *, key: str, claimed_at, size: int) -> None:
    now = timezone.now()
    expires = now + timedelta(hours=settings.HUB_DOWNLOAD_EXPIRY_HOURS)
    with transaction.atomic():
        if not move(
            download.pk,
            "finish",
            where=Q(claimed_at=claimed_at),
            finished_at=now,
            expires_at=expires,
            size=size,
            heartbeat_at=now,
        ):
            return
        audit(
            actor=None,
            action="download.ready",
            subject=download.title,
            centre=download.centre if not download.as_moderator else None,
            before=S.BUILDING.label,
            after=S.READY.label,
            download=download.pk,
            size=size,
        )
        download.expires_at, download.size = expires, size
        notify(
            kind="download.ready",
            template="downloads/notices/ready",
            context={"download": download},
            link=reverse("downloads:detail", args=[download.pk]),
            recipients=[Recipient.of(download.requested_by)],
        )
