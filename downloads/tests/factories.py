"""Prepared downloads in any state, for tests of pages and sweeps."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from downloads.models import DownloadRequest, DownloadStatus, Scope, download_key


def make_download(
    user,
    batch,
    *,
    status: str = DownloadStatus.READY,
    as_moderator: bool = False,
    expires_in: timedelta = timedelta(hours=1),
) -> DownloadRequest:
    """A download of ``batch`` asked for by ``user``; a Ready one has a stored zip."""
    now = timezone.now()
    name = ""
    if status == DownloadStatus.READY:
        name = default_storage.save(
            download_key(None, "x.zip"), ContentFile(b"PK\x05\x06" + b"\0" * 18)
        )
    return DownloadRequest.objects.create(
        requested_by=user,
        as_moderator=as_moderator,
        scope=Scope.BATCH,
        batch=batch,
        centre=batch.centre,
        qualification=batch.qualification,
        scope_key=f"u{user.pk}:{'m' if as_moderator else 'c'}:batch:{batch.pk}",
        fingerprint=f"test:{now.timestamp()}",
        status=status,
        files_total=1,
        file=name,
        size=22 if name else 0,
        finished_at=now if name else None,
        expires_at=now + expires_in if name else None,
        title=f"Batch {batch.pk}",
    )
