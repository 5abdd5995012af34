"""Reads for prepared downloads: which batches and files a scope holds, and the pages' lists."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from centres.models import BodyRole, User
from moderation.downloads import member_path, unique_path
from moderation.models import Batch, BatchDocument, DocumentKind

from .models import DownloadRequest, Scope


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of ``month`` and of the month after, in the hub's time zone."""
    first = month.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(first, time.min)) + timezone.timedelta(days=days)
    return start, end


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def moderator_month_batches(*, moderator_id: int, month: date) -> QuerySet[Batch]:
    """Live batches assigned to the moderator that reached them in ``month``: assigned then,
    or submitted or re-submitted then (the SLA clock starts at each)."""
    start, end = month_bounds(month)
    sent = Batch.objects.live().filter(moderator_id=moderator_id)
    return sent.filter(assigned_at__gte=start, assigned_at__lt=end) | sent.filter(
        sla_started_at__gte=start, sla_started_at__lt=end
    )


def scope_batches(
    *,
    user: User,
    as_moderator: bool,
    scope: str,
    batch_id: int | None = None,
    centre_id: int | None = None,
    qualification_id: int | None = None,
    month: date | None = None,
) -> QuerySet[Batch]:
    """The live batches a scope holds, as the user may see them (R-ACC-2): a moderator's
    own assigned batches only, a centre's own batches only."""
    if as_moderator:
        if user.body_role != BodyRole.MODERATOR:
            return Batch.objects.none()
        if scope == Scope.MONTH:
            return moderator_month_batches(moderator_id=user.pk, month=month)
        batches = Batch.objects.live().filter(moderator_id=user.pk)
    else:
        batches = Batch.objects.live().filter(centre_id=centre_id)
    if scope == Scope.BATCH:
        return batches.filter(pk=batch_id)
    if scope == Scope.QUALIFICATION:
        return batches.filter(centre_id=centre_id, qualification_id=qualification_id)
    return Batch.objects.none()


def batches_of(download: DownloadRequest) -> QuerySet[Batch]:
    return scope_batches(
        user=download.requested_by,
        as_moderator=download.as_moderator,
        scope=download.scope,
        batch_id=download.batch_id,
        centre_id=download.centre_id,
        qualification_id=download.qualification_id,
        month=download.month,
    )


def scope_documents(batches: QuerySet[Batch]) -> QuerySet[BatchDocument]:
    """Every current file of those batches."""
    return BatchDocument.objects.current().filter(batch__in=batches.values("pk"))


@dataclass(frozen=True)
class ScopeTotals:
    files: int
    bytes: int
    newest: int

    @property
    def fingerprint(self) -> str:
        return f"{self.files}:{self.newest}:{self.bytes}"


def scope_totals(batches: QuerySet[Batch]) -> ScopeTotals:
    """How many files, how many bytes, and the newest file's id: one query."""
    totals = scope_documents(batches).aggregate(
        files=Count("pk"), size=Sum("size"), newest=Max("pk")
    )
    return ScopeTotals(
        files=totals["files"], bytes=totals["size"] or 0, newest=totals["newest"] or 0
    )


@dataclass(frozen=True)
class Entry:
    """One file of a download: where it goes in the zip, and its manifest line."""

    path: str
    key: str
    size: int
    batch: int
    learner: str
    p_number: str
    unit: str
    uploaded_at: datetime
    uploaded_by: str


MANIFEST_HEADER = (
    "Batch",
    "Learner",
    "P number",
    "Unit",
    "File name",
    "Uploaded at",
    "Uploaded by",
)


def entries(download: DownloadRequest, *, chunk_size: int = 500) -> Iterator[Entry]:
    """Every file of the download in zip order (batch, kind, id), read in chunks from the
    database so a download of 100,000 files is never one list in memory; names unique.

    A download of several batches puts each in its own folder.
    """
    several = download.scope != Scope.BATCH
    documents = (
        scope_documents(batches_of(download))
        .select_related(
            "batch__centre",
            "batch__qualification",
            "batch_unit__selection__registration__learner",
            "batch_unit__selection__unit",
            "uploaded_by",
        )
        .order_by("batch_id", "kind", "pk")
    )
    used: set[str] = set()
    for document in documents.iterator(chunk_size=chunk_size):
        batch = document.batch
        path = member_path(document)
        if several:
            path = f"Batch {batch.pk} {batch.centre.number} {batch.qualification.code}/{path}"
        learner = p_number = unit = ""
        if document.kind == DocumentKind.SAMPLE:
            selection = document.batch_unit.selection
            person = selection.registration.learner
            learner = f"{person.first_name} {person.last_name}".strip()
            p_number = person.membership_number
            unit = f"{selection.unit.code} {selection.unit.title}".strip()
        who = document.uploaded_by
        yield Entry(
            path=unique_path(path, used),
            key=document.file.name,
            size=document.size,
            batch=batch.pk,
            learner=learner,
            p_number=p_number,
            unit=unit,
            uploaded_at=document.uploaded_at,
            uploaded_by=(who.get_full_name() or who.email) if who else "",
        )


def downloads_for(user: User) -> QuerySet[DownloadRequest]:
    """The user's own prepared downloads: nobody sees another's (R-ACC-3)."""
    return DownloadRequest.objects.filter(requested_by_id=user.pk)


@dataclass(frozen=True)
class Choice:
    """A scope the downloads page offers to prepare."""

    label: str
    batches: int
    centre_id: int
    qualification_id: int


def centre_choices(*, centre_id: int) -> list[Choice]:
    """Each qualification with live batches at the centre: one grouped query."""
    rows = (
        Batch.objects.live()
        .filter(centre_id=centre_id)
        .values("qualification_id", "qualification__code", "qualification__title")
        .annotate(n=Count("pk"))
        .order_by("qualification__code")
    )
    return [
        Choice(
            label=f"{row['qualification__code']} {row['qualification__title']}",
            batches=row["n"],
            centre_id=centre_id,
            qualification_id=row["qualification_id"],
        )
        for row in rows
    ]


def moderator_choices(*, moderator_id: int) -> list[Choice]:
    """Each centre and qualification the moderator has batches of: one grouped query."""
    rows = (
        Batch.objects.live()
        .filter(moderator_id=moderator_id)
        .values(
            "centre_id",
            "centre__number",
            "centre__name",
            "qualification_id",
            "qualification__code",
            "qualification__title",
        )
        .annotate(n=Count("pk"))
        .order_by("centre__number", "qualification__code")
    )
    return [
        Choice(
            label=(
                f"{row['centre__number']} {row['centre__name']}: "
                f"{row['qualification__code']} {row['qualification__title']}"
            ),
            batches=row["n"],
            centre_id=row["centre_id"],
            qualification_id=row["qualification_id"],
        )
        for row in rows
    ]


def holds_deleted_batch(download: DownloadRequest) -> bool:
    """Whether a batch the zip may hold was deleted by the awarding body since it was asked
    for: its files are destroyed (R-BAT-9), so the zip must go too. One query."""
    deleted = Batch.objects.filter(deleted_at__isnull=False)
    if download.scope == Scope.BATCH:
        return deleted.filter(pk=download.batch_id).exists()
    deleted = deleted.filter(deleted_at__gte=download.created_at)
    if download.as_moderator:
        deleted = deleted.filter(moderator_id=download.requested_by_id)
    if download.scope == Scope.QUALIFICATION:
        deleted = deleted.filter(
            centre_id=download.centre_id, qualification_id=download.qualification_id
        )
    return deleted.exists()
