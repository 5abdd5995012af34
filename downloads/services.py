"""Preparing whole-cohort downloads (R-DL-1): ask, reuse, expire.

``download_prepare`` checks the actor with the pages' rule, then either hands back the
user's live build of the same scope and files, or records a new request and queues its
build in the outbox (``downloads.building.build_download`` runs it in a worker).
``downloads_expire`` is beat's sweep: a build past its expiry loses its file.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from centres.access import has_section
from centres.audit import audit
from centres.models import BodyRole, Centre, Qualification, Section, User
from hub import outbox
from moderation.models import Batch

from . import selectors
from .models import ARROWS, REUSABLE, DownloadRequest, DownloadStatus, Scope

log = logging.getLogger(__name__)
S = DownloadStatus


class DownloadError(Exception):
    """A download that cannot be prepared, in words for the user."""


def move(download_id: int, arrow: str, **fields: Any) -> bool:
    """Take ``arrow`` (models.ARROWS) if the download is still in one of its sources; one
    conditional UPDATE, so of two movers exactly one wins. True if this call moved it."""
    sources, target = ARROWS[arrow]
    extra = fields.pop("where", Q())
    return (
        DownloadRequest.objects.filter(extra, pk=download_id, status__in=sources).update(
            status=target, **fields
        )
        == 1
    )


def _is_moderator(actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and actor.body_role == BodyRole.MODERATOR


def ensure_may_prepare(
    *,
    actor: User,
    scope: str,
    batch: Batch | None = None,
    centre: Centre | None = None,
    qualification: Qualification | None = None,
) -> bool:
    """Refuse an actor the scope's pages would refuse; True when they ask as its moderator.

    A batch: a member of its centre with the Moderation grant, or its assigned moderator.
    A qualification at a centre: a member with the grant, or a moderator with a batch of it
    assigned there. A month: moderators only.
    """
    if _is_moderator(actor):
        if scope == Scope.BATCH and batch.moderator_id == actor.pk:
            return True
        if scope == Scope.QUALIFICATION and (
            Batch.objects.live()
            .filter(moderator_id=actor.pk, centre=centre, qualification=qualification)
            .exists()
        ):
            return True
        if scope == Scope.MONTH:
            return True
        raise PermissionDenied("You can download only batches assigned to you.")
    if scope == Scope.MONTH:
        raise PermissionDenied("Only moderators have files sent to them.")
    centre_id = batch.centre_id if scope == Scope.BATCH else centre.pk
    if not has_section(actor, centre_id, Section.MODERATION):
        raise PermissionDenied(f"You have not been given access to {Section.MODERATION.label}.")
    return False


def _title(
    scope: str,
    *,
    batch: Batch | None,
    centre: Centre | None,
    qualification: Qualification | None,
    month: date | None,
) -> str:
    if scope == Scope.BATCH:
        return f"Batch {batch.pk} {batch.centre.number} {batch.qualification.code}"
    if scope == Scope.QUALIFICATION:
        return f"{centre.number} {qualification.code} all batches"
    return f"Files sent to me {month:%B %Y}"


def download_prepare(
    *,
    actor: User,
    scope: str,
    batch: Batch | None = None,
    centre: Centre | None = None,
    qualification: Qualification | None = None,
) -> tuple[DownloadRequest, bool]:
    """The actor's download of the scope: their live build of the same files if there is
    one (R-DL-1), else a new request whose build is queued. Returns (download, created)."""
    as_moderator = ensure_may_prepare(
        actor=actor, scope=scope, batch=batch, centre=centre, qualification=qualification
    )
    month = selectors.this_month() if scope == Scope.MONTH else None
    if scope == Scope.BATCH:
        centre, qualification = batch.centre, batch.qualification
    batches = selectors.scope_batches(
        user=actor,
        as_moderator=as_moderator,
        scope=scope,
        batch_id=batch.pk if batch else None,
        centre_id=centre.pk if centre else None,
        qualification_id=qualification.pk if qualification else None,
        month=month,
    )
    totals = selectors.scope_totals(batches)
    if not totals.files:
        raise DownloadError("There are no files to download here yet.")
    parts = {
        Scope.BATCH: f"{batch.pk if batch else ''}",
        Scope.QUALIFICATION: f"{centre.pk if centre else ''}:{qualification.pk if qualification else ''}",
        Scope.MONTH: f"{month}",
    }
    side = "m" if as_moderator else "c"
    scope_key = f"u{actor.pk}:{side}:{scope}:{parts[Scope(scope)]}"
    now = timezone.now()
    try:
        with transaction.atomic():
            live = (
                DownloadRequest.objects.select_for_update()
                .filter(scope_key=scope_key, fingerprint=totals.fingerprint, status__in=REUSABLE)
                .first()
            )
            if live is not None and live.status == S.READY and live.expires_at <= now:
                # Past its time but not yet swept: it stops counting, the sweep removes its file.
                move(live.pk, "expire")
                live = None
            if live is not None:
                return live, False
            download = DownloadRequest.objects.create(
                requested_by=actor,
                as_moderator=as_moderator,
                scope=scope,
                batch=batch if scope == Scope.BATCH else None,
                centre=centre if scope != Scope.MONTH else None,
                qualification=qualification if scope != Scope.MONTH else None,
                month=month,
                scope_key=scope_key,
                fingerprint=totals.fingerprint,
                files_total=totals.files,
                bytes_total=totals.bytes,
                title=_title(
                    scope, batch=batch, centre=centre, qualification=qualification, month=month
                ),
            )
            audit(
                actor=actor,
                action="download.prepare",
                subject=download.title,
                centre=centre if not as_moderator else None,
                after=S.QUEUED.label,
                download=download.pk,
                files=totals.files,
                bytes=totals.bytes,
            )
            outbox.enqueue("downloads.build", download_id=download.pk)
            return download, True
    except IntegrityError:
        # The same request at the same moment (a double click): the other one won; use it.
        return (
            DownloadRequest.objects.get(
                scope_key=scope_key, fingerprint=totals.fingerprint, status__in=REUSABLE
            ),
            False,
        )


def restart_abandoned(*, now: datetime | None = None) -> int:
    """Builds whose worker stopped sending progress (it died, or its message was lost after
    the outbox marked it done) go back to Queued with a new outbox message; their partial
    zip goes. Returns how many were restarted."""
    from .building import MAX_ATTEMPTS

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.HUB_OUTBOX_LEASE_SECONDS)
    restarted = 0
    abandoned = DownloadRequest.objects.filter(status=S.BUILDING, heartbeat_at__lt=stale)
    for pk, name, attempts in abandoned.values_list("pk", "file", "attempts"):
        lost = Q(heartbeat_at__lt=stale)
        if attempts >= MAX_ATTEMPTS:
            move(pk, "fail", where=lost, error="The build stopped and did not come back.")
            continue
        with transaction.atomic():
            if move(pk, "release", where=lost, file=""):
                outbox.enqueue("downloads.build", download_id=pk)
                restarted += 1
            else:
                continue
        if name:
            default_storage.delete(name)
    if restarted:
        log.warning("Download sweep restarted %s abandoned build(s).", restarted)
    return restarted


def downloads_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat: builds past their expiry become Expired and lose their stored zip; returns how
    many files were removed. Safe to run twice: each row moves once, a gone file is fine."""
    now = now or timezone.now()
    due = list(
        DownloadRequest.objects.filter(status=S.READY, expires_at__lte=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    # A zip that may hold a batch the awarding body deleted since goes now (R-BAT-9).
    due += [
        download.pk
        for download in DownloadRequest.objects.filter(status=S.READY, expires_at__gt=now).order_by(
            "pk"
        )[:limit]
        if selectors.holds_deleted_batch(download)
    ]
    for pk in due:
        if move(pk, "expire"):
            download = DownloadRequest.objects.get(pk=pk)
            audit(
                actor=None,
                action="download.expire",
                subject=download.title,
                before=S.READY.label,
                after=S.EXPIRED.label,
                download=pk,
            )
    restart_abandoned(now=now)
    # Files of expired or failed builds: removed, then forgotten by the row.
    leftovers = DownloadRequest.objects.filter(status__in=(S.EXPIRED, S.FAILED)).exclude(file="")
    removed = 0
    for pk, name in leftovers.values_list("pk", "file")[:limit]:
        default_storage.delete(name)
        DownloadRequest.objects.filter(pk=pk, file=name).update(file="")
        removed += 1
    if removed:
        log.info("Download sweep removed %s expired or abandoned zip(s).", removed)
    return removed
