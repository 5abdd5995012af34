"""Reads for the moderation pages, each bounded by what one page shows, not by the batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, TypedDict

from django.conf import settings
from django.core.paginator import Page
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.template.defaultfilters import filesizeformat, linebreaksbr, pluralize
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from centres.models import (
    Centre,
    EntryType,
    Learner,
    QualificationUnit,
    Registration,
    RegistrationTally,
    Unit,
)
from centres.selectors import TRIGRAM
from hub.paging import PreparedPages
from hub.prepared import Prepared
from hub.reconcile import Mismatch, any_mismatch, first_mismatch, mismatch_flags
from hub.sql import any_id_sql, icontains_param, icontains_sql, id_list
from par.locks import locks_for, unheld, unheld_sql
from par.models import Result, UnitSelection

from .access import unassigned_batches
from .locks import batch_holds
from .models import (
    AWAITING_MODERATOR,
    OUTCOMES,
    SLOT_ORDER_SOURCES,
    Batch,
    BatchDocument,
    BatchHistory,
    BatchSlotTally,
    BatchStatus,
    BatchTally,
    BatchUnit,
    CentreSampleRate,
    DocumentKind,
    HistoryEvent,
    SampleRule,
)

# --- the batch page and the moderator's review: slots ---------------------------------------
SLOTS_MISSING = "missing"  # the "Slots without a file" filter's value of ?slots=
# "Slots to fill": the slots the centre accepted from "Suggest a sample" (R-SMP-1) and the
# top-ups the moderator asked for (R-SMP-3), those still without a file.
SLOTS_TO_FILL = "to-fill"
SLOT_FILTERS = (SLOTS_MISSING, SLOTS_TO_FILL)


class Row(dict):
    """One row of a long list: a dict, so the template finds each field at its first try
    (an object's attribute costs it a failed item lookup, an exception, then getattr), and
    attributes for Python code (``row.pk``, ``slot.upload_url = ...``). Fields are worded
    and formatted here, so a row costs the template lookups, not filters."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: object) -> None:
        self[name] = value


_MINUTE = "j M Y H:i"  # how the batch pages show an upload or a history entry


def _local(moment: datetime | None, format_string: str) -> str:
    """``moment`` in local time as the ``date`` filter shows it; "" for None.

    "j M Y H:i" (a page has some 40: its files and history) is put together here from the
    day's "j M Y" (cached, as _local_day's) and the time: Django's formatter costs ~25 us a
    call.
    """
    if not moment:
        return ""
    local = timezone.localtime(moment)
    if format_string == _MINUTE:
        return f"{_day(local.date(), get_language())} {local.hour:02d}:{local.minute:02d}"
    return date_format(local, format_string)


def _local_day(moment: datetime | None) -> str:
    """``moment``'s local day as ``date:"j M Y"`` shows it; "" for None. A list's rows share
    few days, and Django's formatter costs ~25 us a call (50 rows x 4 dates a page)."""
    return _day(timezone.localtime(moment).date(), get_language()) if moment else ""


@lru_cache(maxsize=2048)
def _day(day: date, language: str) -> str:
    return date_format(day, "j M Y")


class _Days:
    """_local_day for the rows of one list: the time zone and language read once, not on
    each of its ~200 dates (~3 us each, through asgiref's locals)."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.language = get_language()

    def __call__(self, moment: datetime | None) -> str:
        return _day(moment.astimezone(self.zone).date(), self.language) if moment else ""


class _Minutes:
    """``_local(moment, _MINUTE)`` for the rows of one list: the time zone and language read
    once, not twice for each of its dates (~3 us each, through asgiref's locals): a page's
    files and history entries."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.language = get_language()

    def __call__(self, moment: datetime | None) -> str:
        if not moment:
            return ""
        local = moment.astimezone(self.zone)
        return f"{_day(local.date(), self.language)} {local.hour:02d}:{local.minute:02d}"


class SlotFile(Row):
    """One file of a slot: the current one or an earlier version."""

    def __init__(
        self,
        *,
        pk: int,
        name: str,
        size: int,
        uploaded_at: datetime,
        superseded_at: datetime | None,
        minute: Callable[[datetime | None], str] | None = None,
    ) -> None:
        minute = minute or _Minutes()
        super().__init__(
            pk=pk,
            name=name,
            size=size,
            size_label=filesizeformat(size),
            uploaded_at=uploaded_at,
            uploaded_label=minute(uploaded_at),
            superseded_at=superseded_at,
            superseded_label=minute(superseded_at),
            url="",
        )


class Slot(Row):
    """One learner-unit's upload slot, flat so the template looks up little per row; its
    labels and element ids are worded where its HTML is made (moderation.slot_rows)."""

    def __init__(
        self,
        *,
        pk: int,
        learner_id: int,
        p_number: str,
        first_name: str,
        last_name: str,
        unit_code: str,
        unit_title: str,
        to_fill: bool = False,
        top_up: bool = False,
    ) -> None:
        super().__init__(
            pk=pk,
            learner_id=learner_id,
            p_number=p_number,
            first_name=first_name,
            last_name=last_name,
            unit_code=unit_code,
            unit_title=unit_title,
            to_fill=to_fill,  # one of the slots the centre chose to fill (R-SMP-1)
            top_up=top_up,  # the moderator asked for its work (R-SMP-3)
            current=None,
            earlier=[],
            errors=[],
            upload_url="",
            remove_url="",
        )


class LearnerSlots(Row):
    """A learner's slots on one page; ``continued`` when the previous page showed some too."""

    def __init__(
        self, *, p_number: str, first_name: str, last_name: str, continued: bool = False
    ) -> None:
        super().__init__(
            p_number=p_number,
            first_name=first_name,
            last_name=last_name,
            slots=[],
            continued=continued,
        )


@dataclass
class SlotCounts:
    claimed: int
    uploaded: int
    rate: int | None = None  # the centre's own sample rate, if the awarding body set one
    earlier_submission: bool | None = None  # whether this is not the first (R-BAT-6)
    history: int = 0  # entries in the batch's history, for its page numbers
    to_fill: int = 0  # slots the centre chose to fill (R-SMP-1)
    top_up_missing: int = 0  # learner-units the moderator asked for, still without a file (R-SMP-3)
    # Slots to fill (the centre's, R-SMP-1, and the moderator's top-ups) still without a file
    to_fill_missing: int = 0

    @property
    def without_file(self) -> int:
        return self.claimed - self.uploaded


def _current_sample(batch_unit_ref: int | OuterRef) -> QuerySet[BatchDocument]:
    return BatchDocument.objects.filter(
        batch_unit=batch_unit_ref, kind=DocumentKind.SAMPLE, superseded_at__isnull=True
    )


# One statement, written once: the batch's live learner-units and its slots to fill from
# BatchSlotTally (kept by triggers: no count of 2,000 learner-units a view), the slots to
# fill and the moderator's top-ups still without a file from the partial index of those
# alone (batchunit_marked_idx), its current samples, the centre's own rate, whether an earlier
# submission exists (R-BAT-6) and the history's length. Built by the ORM as seven scalar
# subqueries it cost ~3 ms of CPU to compile and ~2 ms for PostgreSQL to plan, every view.
_SLOT_COUNTS_SQL = """
SELECT units.claimed, units.to_fill, units.top_up_missing, units.to_fill_missing,
  (SELECT COUNT(*) FROM {document} d
    WHERE d.batch_id = %(batch)s AND d.kind = %(sample)s AND d.superseded_at IS NULL),
  (SELECT r.percent FROM {rate} r WHERE r.centre_id = %(centre)s),
  EXISTS (SELECT 1 FROM {batch} b
    WHERE b.deleted_at IS NULL AND b.centre_id = %(centre)s
      AND b.qualification_id = %(qualification)s AND b.id <> %(batch)s
      AND {earlier}),
  (SELECT COUNT(*) FROM {history} h WHERE h.batch_id = %(batch)s)
FROM (
  SELECT
    (SELECT COALESCE(SUM(t.n), 0) FROM {tally} t WHERE t.batch_id = %(batch)s) AS claimed,
    (SELECT COALESCE(SUM(t.n), 0) FROM {tally} t
      WHERE t.batch_id = %(batch)s AND t.to_fill) AS to_fill,
    COUNT(*) FILTER (WHERE u.top_up AND NOT {has_file}) AS top_up_missing,
    COUNT(*) FILTER (WHERE NOT {has_file}) AS to_fill_missing
  FROM {unit} u
  WHERE u.batch_id = %(batch)s AND u.released_at IS NULL AND (u.to_fill OR u.top_up)
) units
"""
_HAS_FILE_SQL = (
    "EXISTS (SELECT 1 FROM {document} s WHERE s.batch_unit_id = u.id"
    " AND s.kind = %(sample)s AND s.superseded_at IS NULL)"
)


@lru_cache(maxsize=2)
def _slot_counts_sql(earlier: str) -> str:
    tables = {
        "document": BatchDocument._meta.db_table,
        "rate": CentreSampleRate._meta.db_table,
        "batch": Batch._meta.db_table,
        "history": BatchHistory._meta.db_table,
        "unit": BatchUnit._meta.db_table,
        "tally": BatchSlotTally._meta.db_table,
    }
    return _SLOT_COUNTS_SQL.format(
        **tables, earlier=earlier, has_file=_HAS_FILE_SQL.format(**tables)
    )


def _slot_counts_params(batch: Batch) -> tuple[str, dict]:
    """The earlier-submission condition of _slot_counts_sql for ``batch``, and the params."""
    params = {
        "batch": batch.pk,
        "centre": batch.centre_id,
        "qualification": batch.qualification_id,
        "sample": DocumentKind.SAMPLE.value,
    }
    if batch.submitted_at is not None:
        params["submitted"] = batch.submitted_at
        return "b.submitted_at < %(submitted)s", params
    return "b.submitted_at IS NOT NULL", params


def _slot_counts(row: tuple) -> SlotCounts:
    claimed, to_fill, top_up_missing, to_fill_missing, uploaded, rate, earlier, history = row
    return SlotCounts(
        claimed=claimed,
        uploaded=uploaded,
        rate=rate,
        earlier_submission=bool(earlier),
        history=history,
        to_fill=to_fill,
        top_up_missing=top_up_missing,
        to_fill_missing=to_fill_missing,
    )


def batch_slot_counts(*, batch: Batch) -> SlotCounts:
    """Learner-units claimed and those with a file, what R-BAT-6's percentage rests on (the
    centre's own rate, an earlier submission), the slots to fill and the history's length,
    in one query.

    The counts are read from indexes alone (the batch's slots in slot order; its current
    samples, at most one per learner-unit), not with a file lookup per learner-unit. The
    earlier submissions are Batch.earlier_submissions' (submitted before this one).
    """
    earlier, params = _slot_counts_params(batch)
    with connection.cursor() as cursor:
        cursor.execute(_slot_counts_sql(earlier), params)
        return _slot_counts(cursor.fetchone())


# The batch page's counts and a page of its history in one statement: the counts' one row
# joined to the page's entries (one row each, the counts repeated; the counts alone when
# there are none). The history's window is written as _BATCH_HISTORY's (hub.prepared): its
# size in the text, its offset through a subquery, so PostgreSQL keeps one plan.
_HISTORY_WINDOW_SQL = (
    "SELECT e.id AS entry_id, e.at AS entry_at, e.event, e.from_status, e.to_status, e.note,"
    " e.document_id, f.original_name, a.first_name, a.last_name, a.email"
    " FROM {history} e LEFT JOIN {document} f ON f.id = e.document_id"
    " LEFT JOIN {user} a ON a.id = e.actor_id WHERE e.batch_id = %(batch)s"
    " ORDER BY e.at DESC, e.id DESC LIMIT {size} OFFSET (SELECT CAST(%(history_offset)s AS BIGINT))"
)


@lru_cache(maxsize=8)
def _counts_with_history_sql(earlier: str, size: int) -> str:
    tables = {
        "history": BatchHistory._meta.db_table,
        "document": BatchDocument._meta.db_table,
        "user": BatchHistory._meta.get_field("actor").related_model._meta.db_table,
    }
    window = _HISTORY_WINDOW_SQL.format(**tables, size=int(size))
    return (
        f"SELECT c.*, h.* FROM ({_slot_counts_sql(earlier)}) c LEFT JOIN ({window}) h ON 1 = 1"
        " ORDER BY h.entry_at DESC, h.entry_id DESC"
    )


def batch_slot_counts_and_history(
    *, batch: Batch, history_offset: int, history_size: int
) -> tuple[SlotCounts, list[tuple]]:
    """batch_slot_counts, and the history's entries from ``history_offset`` (at most
    ``history_size``, newest first, as batch_history's rows), in one statement."""
    earlier, params = _slot_counts_params(batch)
    params["history_offset"] = int(history_offset)
    with connection.cursor() as cursor:
        cursor.execute(_counts_with_history_sql(earlier, history_size), params)
        rows = cursor.fetchall()
    entries = [(_moment(row[9]), *row[10:]) for row in rows if row[8] is not None]
    return _slot_counts(rows[0][:8]), entries


def batch_sample_rule(*, batch: Batch, counts: SlotCounts) -> SampleRule:
    """R-BAT-6 from counts already aggregated, so no learner-unit is loaded for it."""
    return batch.sample_rule(
        claimed=counts.claimed,
        uploaded=counts.uploaded,
        basis=(counts.rate, counts.earlier_submission),
    )


# BatchUnit's own copy of learner and unit, so the order is batchunit_slot_order_idx's.
_SLOT_ORDER = (*SLOT_ORDER_SOURCES, "pk")
_SLOT_FIELDS = {
    "learner_id": "selection__registration__learner_id",
    "p_number": "selection__registration__learner__membership_number",
    "first_name": "selection__registration__learner__first_name",
    "last_name": "selection__registration__learner__last_name",
    "unit_code": "selection__unit__code",
    "unit_title": "selection__unit__title",
}


def _slot_units(*, batch: Batch, slot_filter: str = "") -> QuerySet[BatchUnit]:
    """The batch's learner-units in slot order, joined to nothing: an index range.

    A learner-unit taken off the batch before "Submit Batch" (released) has no slot.
    ``slot_filter``: SLOTS_MISSING, those without a file; SLOTS_TO_FILL, the slots to fill
    and the top-ups among them; anything else, every slot.
    """
    units = BatchUnit.objects.filter(batch=batch, released_at__isnull=True)
    if slot_filter in SLOT_FILTERS:
        units = units.filter(~Exists(_current_sample(OuterRef("pk"))))
    if slot_filter == SLOTS_TO_FILL:
        units = units.filter(Q(to_fill=True) | Q(top_up=True))
    return units.order_by(*_SLOT_ORDER)


def slot_filter_count(counts: SlotCounts, slot_filter: str) -> int:
    """How many slots ``slot_filter`` (as _slot_units reads it) lists, from the counts."""
    if slot_filter == SLOTS_MISSING:
        return counts.without_file
    if slot_filter == SLOTS_TO_FILL:
        return counts.to_fill_missing
    return counts.claimed


def batch_slots_queryset(*, batch: Batch, slot_filter: str = "") -> QuerySet:
    """The batch's slots as flat rows, by learner then unit; only those of a filter if asked."""
    return _slot_units(batch=batch, slot_filter=slot_filter).values(
        "pk", "to_fill", "top_up", **{k: F(v) for k, v in _SLOT_FIELDS.items()}
    )


# The batch's own documents, as the Documents section lists them.
DOCUMENT_KINDS = (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF, DocumentKind.COMMENTS)


class DocumentRow(Row):
    """One version of an IV feedback, brief or comments document, its labels made here."""


def _user_name(first_name: str | None, last_name: str | None, email: str | None) -> str:
    """What ``str(user)`` gives (full name, else email), from values; "" for no user."""
    return f"{first_name or ''} {last_name or ''}".strip() or email or ""


def _moment(value: datetime | str | None) -> datetime | None:
    """A datetime column read by hand-written SQL as the ORM gives it: aware. PostgreSQL
    answers aware already; SQLite answers UTC without a zone (or as text)."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@lru_cache(maxsize=4)
def _slot_sql(vendor: str) -> dict[str, str]:
    """The slot list's statements, written once per process (and database vendor): compiled
    by the ORM they cost ~2.5 ms of CPU a batch page or review. ``vendor`` keys the cache
    (any_id_sql writes the id list for the connection's database)."""
    user = BatchDocument._meta.get_field("uploaded_by").related_model
    tables = {
        "unit": BatchUnit._meta.db_table,
        "document": BatchDocument._meta.db_table,
        "selection": UnitSelection._meta.db_table,
        "registration": Registration._meta.db_table,
        "learner": Learner._meta.db_table,
        "qualification_unit": Unit._meta.db_table,
        "user": user._meta.db_table,
    }
    columns = [BatchUnit._meta.get_field(name).column for name in SLOT_ORDER_SOURCES]
    order = ", ".join([f"u.{column}" for column in columns] + ["u.id"])
    has_file = _HAS_FILE_SQL.format(**tables)
    live = "u.batch_id = %(batch)s AND u.released_at IS NULL"
    # The page's ids come off the order index first (MATERIALIZED: a window of its own),
    # then only they are joined to learners and units, however far into the batch it is.
    # The window carries what the slot needs of its own row (the order index's walk reads
    # the row for released_at already), so the page is not read again by its keys.
    window = (
        f"SELECT u.id, {', '.join(f'u.{column}' for column in columns)}, u.selection_id,"
        f" u.to_fill, u.top_up FROM {tables['unit']} u WHERE {live}{{filter}} ORDER BY {order}"
        " LIMIT %(limit)s OFFSET %(offset)s"
    )
    kinds = ", ".join(f"'{kind.value}'" for kind in DOCUMENT_KINDS)
    files = (
        "SELECT d.id, d.kind, d.batch_unit_id, d.original_name, d.size, d.uploaded_at,"
        " d.superseded_at, us.first_name, us.last_name, us.email"
        f" FROM {tables['document']} d LEFT JOIN {tables['user']} us ON us.id = d.uploaded_by_id"
        f" WHERE d.kind = %(sample)s AND {any_id_sql('d.batch_unit_id', 'ids')}"
        " ORDER BY d.uploaded_at DESC, d.id DESC"
    )
    # A page's slots with their files and the batch's documents, in one statement: each
    # slot's row once per file (newest first; once with NULLs when it has none), then the
    # documents (part 1, newest first). One round trip less than the page and its files
    # apart; the output columns are named so SQLite can order the compound by them. The
    # one slot's partial (batch_slot) reads its files with "files".
    file_columns = (
        "d.id AS d_id, d.kind AS d_kind, d.original_name AS d_name, d.size AS d_size,"
        " d.uploaded_at AS d_uploaded, d.superseded_at AS d_superseded,"
        " us.first_name AS us_first, us.last_name AS us_last, us.email AS us_email"
    )
    with_files = (
        f"WITH page AS MATERIALIZED ({window})"
        f" SELECT 0 AS part, {', '.join(f'page.{c} AS {c}' for c in columns)}, page.id AS uid,"
        " page.to_fill, page.top_up, r.learner_id, l.membership_number, l.first_name,"
        f" l.last_name, qu.code, qu.title, {file_columns}"
        f" FROM page JOIN {tables['selection']} s ON s.id = page.selection_id"
        f" JOIN {tables['registration']} r ON r.id = s.registration_id"
        f" JOIN {tables['learner']} l ON l.id = r.learner_id"
        f" JOIN {tables['qualification_unit']} qu ON qu.id = s.unit_id"
        f" LEFT JOIN {tables['document']} d ON d.batch_unit_id = page.id AND d.kind = %(sample)s"
        f" LEFT JOIN {tables['user']} us ON us.id = d.uploaded_by_id"
        " UNION ALL"
        f" SELECT 1, {', '.join('NULL' for _ in columns)}, NULL, NULL, NULL, NULL, NULL, NULL,"
        f" NULL, NULL, NULL, {file_columns}"
        f" FROM {tables['document']} d LEFT JOIN {tables['user']} us ON us.id = d.uploaded_by_id"
        f" WHERE d.batch_id = %(batch)s AND d.kind IN ({kinds})"
        f" ORDER BY part, {', '.join(columns)}, uid,"
        " d_uploaded DESC, d_id DESC"
    )
    return {
        "page with files": with_files.format(filter=""),
        f"page with files {SLOTS_MISSING}": with_files.format(filter=f" AND NOT {has_file}"),
        f"page with files {SLOTS_TO_FILL}": with_files.format(
            filter=f" AND (u.to_fill OR u.top_up) AND NOT {has_file}"
        ),
        "files": files,
    }


def _attach_files(*, slots: list[Slot]) -> None:
    """Put their files (current and earlier, newest first) on ``slots``."""
    by_pk = {slot["pk"]: slot for slot in slots}
    # The ids as one parameter (hub.sql.id_list), not a placeholder each.
    with connection.cursor() as cursor:
        cursor.execute(
            _slot_sql(connection.vendor)["files"],
            {"sample": DocumentKind.SAMPLE.value, "ids": id_list(by_pk)},
        )
        files = cursor.fetchall()
    for pk, _kind, unit_id, name, size, uploaded_at, superseded_at, *_uploader in files:
        uploaded_at, superseded_at = _moment(uploaded_at), _moment(superseded_at)
        file = SlotFile(
            pk=pk, name=name, size=size, uploaded_at=uploaded_at, superseded_at=superseded_at
        )
        slot = by_pk[unit_id]
        if superseded_at is None:
            slot["current"] = file
        else:
            slot["earlier"].append(file)


def _slots_and_files(
    rows: list[tuple], *, skip_first: bool
) -> tuple[list[Slot], list[tuple[str, list[DocumentRow]]]]:
    """Rows of a "page with files" statement (_slot_sql) as Slots with their files, in
    order, and the batch's documents by section. ``skip_first``: the first slot is the
    previous page's last, read only to see whether its learner continues here; its files
    are not attached (nothing shows them)."""
    width = len(SLOT_ORDER_SOURCES)
    minute = _Minutes()
    sections: dict[str, list[DocumentRow]] = {kind: [] for kind in DOCUMENT_KINDS}
    slots: list[Slot] = []
    slot = None
    for row in rows:
        file_id, kind, name, size, uploaded_at, superseded_at, *uploader = row[-9:]
        if row[0]:  # part 1: the batch's own documents
            uploaded_at, superseded_at = _moment(uploaded_at), _moment(superseded_at)
            sections[kind].append(
                DocumentRow(
                    pk=file_id,
                    original_name=name,
                    size_label=filesizeformat(size),
                    uploaded_label=minute(uploaded_at),
                    uploaded_by=_user_name(*uploader),
                    is_current=superseded_at is None,
                    superseded_label=minute(superseded_at),
                )
            )
            continue
        pk = row[width + 1]
        if slot is None or slot["pk"] != pk:
            _, to_fill, top_up, learner_id, p_number, first_name, last_name, code, title = row[
                width + 1 : width + 10
            ]
            slot = Slot(
                pk=pk,
                to_fill=bool(to_fill),
                top_up=bool(top_up),
                learner_id=learner_id,
                p_number=p_number,
                first_name=first_name,
                last_name=last_name,
                unit_code=code,
                unit_title=title,
            )
            slots.append(slot)
        if file_id is None or (skip_first and len(slots) == 1):
            continue
        uploaded_at, superseded_at = _moment(uploaded_at), _moment(superseded_at)
        file = SlotFile(
            pk=file_id,
            name=name,
            size=size,
            uploaded_at=uploaded_at,
            superseded_at=superseded_at,
            minute=minute,
        )
        if superseded_at is None:
            slot["current"] = file
        else:
            slot["earlier"].append(file)
    return slots, [(kind.label, sections[kind]) for kind in DOCUMENT_KINDS]


def batch_slot_page(
    *, batch: Batch, page: Page, slot_filter: str = ""
) -> tuple[list[LearnerSlots], list[tuple[str, list[DocumentRow]]]]:
    """The slots of ``page`` (a page of batch_slots_queryset) grouped under their learners,
    and the batch's documents by section.

    A page holds a fixed number of slots, not of learners, so its size is bounded whatever
    the number of units per learner; a learner cut by the page break is marked continued.
    """
    per_page = page.paginator.per_page
    bottom = (page.number - 1) * per_page
    # One row before the page says whether its first learner started on the page before.
    # One hand-written statement (_slot_sql): the page's window of the order index, then
    # its rows joined to learners, units and their files, and the batch's documents.
    # (Compiled by the ORM with the ids as a subquery, PostgreSQL took ~10 ms to plan it;
    # written so, ~0.5 ms, and one round trip, not three: ids, rows, files.)
    key = f"page with files {slot_filter}" if slot_filter in SLOT_FILTERS else "page with files"
    offset = max(bottom - 1, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            _slot_sql(connection.vendor)[key],
            {
                "batch": batch.pk,
                "sample": DocumentKind.SAMPLE.value,
                "limit": bottom + per_page - offset,
                "offset": offset,
            },
        )
        rows = cursor.fetchall()
    slots, sections = _slots_and_files(rows, skip_first=bool(bottom))
    before = slots.pop(0) if bottom and slots else None
    groups: list[LearnerSlots] = []
    learner = before["learner_id"] if before is not None else None
    for slot in slots:
        if not groups or slot["learner_id"] != learner:
            continued = not groups and slot["learner_id"] == learner
            learner = slot["learner_id"]
            groups.append(
                LearnerSlots(
                    p_number=slot["p_number"],
                    first_name=slot["first_name"],
                    last_name=slot["last_name"],
                    continued=continued,
                )
            )
        groups[-1]["slots"].append(slot)
    return groups, sections


def batch_slot(*, batch: Batch, batch_unit_id: int) -> Slot:
    """One slot with its files, for the partial an upload or removal answers with."""
    slot = Slot(**batch_slots_queryset(batch=batch).get(pk=batch_unit_id))
    _attach_files(slots=[slot])
    return slot


# --- history --------------------------------------------------------------------------------
# Compiled to SQL once per process (hub.prepared), paged by LIMIT/OFFSET parameters.
_BATCH_HISTORY = Prepared(
    lambda batch_id: (
        BatchHistory.objects.filter(batch_id=batch_id)
        .order_by("-at", "-pk")
        .values_list(
            "at",
            "event",
            "from_status",
            "to_status",
            "note",
            "document_id",
            "document__original_name",
            "actor__first_name",
            "actor__last_name",
            "actor__email",
        )
    ),
    "int",
    window=True,
)


def batch_history(*, batch: Batch) -> PreparedPages:
    """The batch's history, newest first, as plain values to be paged (uploads alone can
    be thousands) and then worded by history_rows."""
    return PreparedPages(_BATCH_HISTORY, batch.pk)


_NO_NOTE = mark_safe("")  # noqa: S308 -- what linebreaksbr("") gives


class HistoryRow(Row):
    """One history entry, worded: when, who, what, from, to, the note and its file."""


def history_rows(entries: Iterable[tuple], *, download: Callable[[int], str]) -> list[HistoryRow]:
    """A page of batch_history's values as HistoryRows; ``download`` gives a file's URL."""
    events, statuses = dict(HistoryEvent.choices), dict(BatchStatus.choices)
    minute = _Minutes()
    rows = []
    for at, event, source, target, note, document_id, name, *actor in entries:
        moved = event == HistoryEvent.TRANSITION
        rows.append(
            HistoryRow(
                when=minute(at),
                who=_user_name(*actor) or "–",
                what=events.get(event, event),
                source=statuses.get(source, source) if moved else "",
                target=statuses.get(target, target)
                if moved or event == HistoryEvent.CREATED
                else "",
                # Most entries have no note: linebreaksbr would still escape and mark "".
                note=linebreaksbr(note) if note else _NO_NOTE,
                document_url=download(document_id) if document_id else "",
                document_name=name or "",
            )
        )
    return rows


# After these the centre has had an outcome from the moderator, with comments (R-BAT-8).
OUTCOME_SEEN = (*OUTCOMES, BatchStatus.RESUBMITTED)


def moderator_comments(*, batch: Batch, download: Callable[[int], str]) -> Row | None:
    """The moderator's latest outcome as the centre reads it on the batch page: which, when,
    by whom, the comments typed and the comments document. None before any outcome.

    One query, and only for a batch past an outcome; the history keeps every earlier one.
    """
    if batch.status not in OUTCOME_SEEN:
        return None
    entry = (
        BatchHistory.objects.filter(
            batch=batch, event=HistoryEvent.TRANSITION, to_status__in=OUTCOMES
        )
        .order_by("-at", "-pk")
        .values_list(
            "at",
            "to_status",
            "note",
            "document_id",
            "document__original_name",
            "actor__first_name",
            "actor__last_name",
            "actor__email",
        )
        .first()
    )
    if entry is None:
        return None
    at, outcome, note, document_id, name, *actor = entry
    return Row(
        outcome=dict(BatchStatus.choices).get(outcome, outcome),
        when=_local(at, _MINUTE),
        who=_user_name(*actor) or "The moderator",
        note=linebreaksbr(note),
        document_url=download(document_id) if document_id else "",
        document_name=name or "",
    )


# --- lists ---------------------------------------------------------------------------------
# A queue row's columns, read as plain values: no Batch, Centre or Qualification instances.
QUEUE_FIELDS = (
    "pk",
    "status",
    "sla_due_at",
    "centre__number",
    "centre__name",
    "qualification__code",
)


# The queue's three lists, each compiled to SQL once per process (hub.prepared): built by
# the ORM on every view they were ~2 ms of the queue's CPU, the same SQL but for the keys.
# The two paged ones are planned once per connection too (hub.prepared: window=True).
_QUEUE_ASSIGNED = Prepared(
    lambda moderator_id: (
        Batch.objects.live()
        .filter(moderator_id=moderator_id, status__in=AWAITING_MODERATOR)
        .order_by("sla_due_at", "pk")
        .values_list(*QUEUE_FIELDS)
    ),
    "int",
    window=True,
)
_QUEUE_UNASSIGNED = Prepared(
    lambda: unassigned_batches().order_by("sla_due_at", "pk").values_list(*QUEUE_FIELDS),
    window=True,
)
QUEUE_DECIDED = 20  # the moderator's latest outcomes the queue lists
# The decided list's statuses are written into its SQL, not sent as parameters: its index
# (batch_moderator_decided_idx) is partial on them, and a generic plan, which cannot see a
# parameter, could not use it, so PostgreSQL planned the statement afresh on every view
# (0.20 ms of backend CPU; one plan kept, 0.03 ms). They are the code's constants.
_AWAITING_SQL = ", ".join(f"'{status.value}'" for status in AWAITING_MODERATOR)
_DECIDED = RawSQL(
    f'NOT ("{Batch._meta.db_table}"."status" IN ({_AWAITING_SQL}))',
    (),
    output_field=BooleanField(),
)
_QUEUE_DECIDED = Prepared(
    lambda moderator_id: (
        Batch.objects.live()
        .filter(_DECIDED, moderator_id=moderator_id)
        .order_by("-outcome_at", "-pk")
        .values_list(*QUEUE_FIELDS)[:QUEUE_DECIDED]
    ),
    "int",
)


def moderator_queue_assigned(*, moderator_id: int) -> PreparedPages:
    """Batches assigned to the moderator and awaiting a decision, by SLA due date, as
    QUEUE_FIELDS rows to be paged (batch_moderator_sla_idx)."""
    return PreparedPages(_QUEUE_ASSIGNED, moderator_id)


# The tally's sums written once: built and compiled by the ORM (an aggregate cannot be a
# hub.prepared query) they cost the queue and the batch list ~0.2-0.3 ms of Python a view.
_QUEUE_COUNTS = (
    "SELECT COALESCE(SUM(CASE WHEN t.moderator_id = %s THEN t.n ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN t.moderator_id = 0 THEN t.n ELSE 0 END), 0)"
    f" FROM {BatchTally._meta.db_table} t"
    " WHERE t.moderator_id IN (%s, 0)"
    f" AND t.status IN ({', '.join(['%s'] * len(AWAITING_MODERATOR))})"
)
_CENTRE_COUNT = {
    completed: f"SELECT COALESCE(SUM(t.n), 0) FROM {BatchTally._meta.db_table} t"
    f" WHERE t.centre_id = %s AND t.status {'=' if completed else '<>'} %s"
    for completed in (True, False)
}


def moderator_queue_counts(*, moderator_id: int) -> tuple[int, int]:
    """How many batches await ``moderator_id``, and how many nobody has taken, for the
    queue's page numbers: exact, from the tally the database keeps (BatchTally, moderator 0
    is nobody), a few rows per centre instead of counting every open batch (10,000 at the
    bench: 2 ms of PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _QUEUE_COUNTS, [moderator_id, moderator_id, *(s.value for s in AWAITING_MODERATOR)]
        )
        assigned, unassigned = cursor.fetchone()
    return assigned, unassigned


def centre_batch_count(*, centre_id: int, completed: bool) -> int:
    """How many live batches the centre has open, or completed: the batch list's count,
    exact from BatchTally (a row per status and moderator) rather than counted."""
    with connection.cursor() as cursor:
        cursor.execute(_CENTRE_COUNT[completed], [centre_id, BatchStatus.COMPLETE.value])
        return cursor.fetchone()[0]


def moderator_queue_unassigned() -> PreparedPages:
    """Submitted batches nobody has taken, by SLA due date (batch_unassigned_sla_idx), as
    QUEUE_FIELDS rows to be paged."""
    return PreparedPages(_QUEUE_UNASSIGNED)


def sla_state(
    due: datetime | None, *, now: datetime, today: date, zone: tzinfo | None = None
) -> tuple[int | None, bool]:
    """Days left until ``due`` (negative once past) and whether it is overdue (R-SLA-1).

    Batch.sla_days_left says the same per batch; a list works it out with one ``today``
    and, passing ``zone`` (the current time zone read once), no asgiref lookup a row.
    """
    if due is None:
        return None, False
    local = due.astimezone(zone).date() if zone is not None else timezone.localdate(due)
    return (local - today).days, due < now


def sla_badge(days_left: int | None, overdue: bool) -> tuple[str, str]:
    """The SLA note's class and words, as moderation/_sla.html words them for one batch."""
    if overdue:
        days = -days_left if days_left is not None and days_left < 0 else 0
        by = f" by {days} day{pluralize(days)}" if days else ""
        return "badge text-bg-danger", f"Overdue{by}"
    if days_left == 0:
        return "badge text-bg-warning", "Due today"
    return "text-body-secondary", f"({days_left} day{pluralize(days_left)} left)"


class QueueRow(Row):
    """One batch of a queue, its SLA worded (sla_badge)."""


def queue_rows(
    rows: Iterable[tuple],
    *,
    url: Callable[[int], str],
    take_url: Callable[[int], str] | None = None,
) -> list[QueueRow]:
    """QUEUE_FIELDS ``rows`` as QueueRows of finished strings, so a row costs the template a
    few dictionary lookups and no filter; ``url`` and ``take_url`` give a batch's URLs
    (hub.paging.url_maker, reversed once per page)."""
    now = timezone.now()
    today = timezone.localdate(now)
    labels = dict(BatchStatus.choices)
    day = _Days()
    out = []
    for pk, status, due, centre_number, centre_name, qualification_code in rows:
        days_left, overdue = sla_state(due, now=now, today=today, zone=day.zone)
        sla_class, sla_text = sla_badge(days_left, overdue) if due else ("", "")
        out.append(
            QueueRow(
                pk=pk,
                centre=f"{centre_number} {centre_name}",
                qualification_code=qualification_code,
                status=status,
                status_label=labels.get(status, status),
                sla_due=day(due),
                sla_class=sla_class,
                sla_text=sla_text,
                is_overdue=overdue,
                url=url(pk),
                take_url=take_url(pk) if take_url else "",
            )
        )
    return out


def moderator_queue_decided(*, moderator_id: int) -> list[tuple]:
    """The moderator's latest outcomes, QUEUE_DECIDED of them, as QUEUE_FIELDS rows."""
    return _QUEUE_DECIDED.rows(moderator_id)


def _centre_batch_query(centre_id: int, completed: bool) -> QuerySet:
    batches = Batch.objects.live().filter(centre_id=centre_id)
    if completed:
        batches = batches.filter(status=BatchStatus.COMPLETE).order_by("-completed_at", "-pk")
    else:
        batches = batches.exclude(status=BatchStatus.COMPLETE).order_by("-created_at", "-pk")
    latest_comments = BatchDocument.objects.filter(
        batch=OuterRef("pk"), kind=DocumentKind.COMMENTS
    ).order_by("-uploaded_at", "-pk")
    return batches.annotate(
        comments_id=Subquery(latest_comments.values("pk")[:1]),
        comments_name=Subquery(latest_comments.values("original_name")[:1]),
    ).values_list(*_CENTRE_BATCH_FIELDS)


# Open and completed, each compiled to SQL once per process (hub.prepared): built by the
# ORM with its two comment subqueries on every view it was ~1 ms of the list's CPU.
# Planned once per connection too (hub.prepared: window=True).
_CENTRE_BATCHES = {
    completed: Prepared(
        lambda centre_id, completed=completed: _centre_batch_query(centre_id, completed),
        "int",
        window=True,
    )
    for completed in (False, True)
}


def centre_batches(*, centre_id: int | None, completed: bool) -> PreparedPages | list:
    """A centre's live open or completed batches, newest first, with the latest comments
    file, as _CENTRE_BATCH_FIELDS rows to be paged; none without a centre.

    Sorted by (centre, created_at) or (centre, completed_at), both indexed, so a page of a
    long list is read from the index rather than sorted whole.
    """
    if centre_id is None:
        return []
    return PreparedPages(_CENTRE_BATCHES[completed], centre_id)


_CENTRE_BATCH_FIELDS = (
    "pk",
    "status",
    "created_at",
    "submitted_at",
    "completed_at",
    "sla_due_at",
    "deletion_requested_at",
    "qualification__code",
    "comments_id",
    "comments_name",
)


def centre_batch_rows(
    rows: Iterable[tuple], *, url: Callable[[int], str], comments_url: str
) -> list[Row]:
    """``centre_batches`` rows as Rows of finished strings: dates formatted and the SLA note
    worded here (sla_badge), so a row costs the template lookups and no filter.

    ``url`` gives a batch's URL (hub.paging.url_maker); ``comments_url`` is a format string
    of the batch and document ids (hub.paging.url_format); both made once per page.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    labels = dict(BatchStatus.choices)
    day = _Days()
    out = []
    for (
        pk,
        status,
        created_at,
        submitted_at,
        completed_at,
        due,
        deletion_requested_at,
        qualification_code,
        comments_id,
        comments_name,
    ) in rows:
        days_left, overdue = sla_state(due, now=now, today=today, zone=day.zone)
        sla_class, sla_text = sla_badge(days_left, overdue) if due else ("", "")
        out.append(
            Row(
                pk=str(pk),
                url=url(pk),
                qualification_code=qualification_code,
                status=status,
                status_label=labels.get(status, status),
                deletion_requested=deletion_requested_at is not None,
                started=day(created_at),
                submitted=day(submitted_at) or "–",
                completed=day(completed_at),
                sla_due=day(due),
                sla_class=sla_class,
                sla_text=sla_text,
                comments_id=comments_id,
                comments_name=comments_name,
                comments_url=comments_url.format(pk, comments_id),
            )
        )
    return out


# --- the awarding body's SLA lists (R-SLA-1): the dashboard counts them, admin lists them ---
TURNAROUND_WINDOW_DAYS = 90


def batches_awaiting_with_sla() -> QuerySet[Batch]:
    return Batch.objects.live().filter(status__in=AWAITING_MODERATOR, sla_due_at__isnull=False)


def batches_sla_overdue(*, now: datetime) -> QuerySet[Batch]:
    """Awaiting their moderator past the due date."""
    return batches_awaiting_with_sla().filter(sla_due_at__lte=now)


def batches_sla_due_soon(*, now: datetime) -> QuerySet[Batch]:
    """Awaiting their moderator and due within HUB_SLA_WARN_DAYS."""
    return batches_awaiting_with_sla().filter(
        sla_due_at__gt=now, sla_due_at__lte=now + timedelta(days=settings.HUB_SLA_WARN_DAYS)
    )


def batches_turned_around(*, now: datetime) -> QuerySet[Batch]:
    """Batches given an outcome in the last 90 days, whose clock started (turnaround)."""
    return Batch.objects.live().filter(
        status__in=OUTCOMES,
        outcome_at__gte=now - timedelta(days=TURNAROUND_WINDOW_DAYS),
        sla_started_at__isnull=False,
    )


def centre_deleted_batches(*, centre: Centre) -> QuerySet[Batch]:
    """The centre's batches the awarding body deleted, newest deletion first (R-BAT-9)."""
    return (
        Batch.objects.deleted_by_body()
        .filter(centre=centre)
        .select_related("qualification")
        .order_by("-deleted_at", "-pk")
    )


# --- Select Units to Pass on Batch (R-BAT-4) ------------------------------------------------
UNIT_SEARCH_MAX_TERMS = 5


class UnitChoice(TypedDict):
    """One PAR selection as a box on the page: ticked when the batch holds it.

    A plain dict (moderation.unit_rows reads it by key), made as a literal: a Row built
    through keyword __init__ cost ~0.8 us a box and ~1.2 us a learner, some 0.2 ms a page
    of 50 learners and 190 boxes.
    """

    pk: int
    value: str  # the id as text: no number formatting per box
    label: str  # "CODE Title", as PAR shows it
    reason: str  # why it cannot be ticked (R-BAT-4), "" when it can
    ticked: bool


class LearnerChoices(TypedDict):
    """A learner's row: their PAR units and what the summary line says, worked out once."""

    name: str  # "Surname, First name"
    p_number: str
    units: list[UnitChoice]
    open_count: int
    ticked_count: int
    note: str
    all_ticked: bool


def _learner_choices(name: str, p_number: str, units: list[UnitChoice]) -> LearnerChoices:
    open_count = ticked_count = 0
    for unit in units:
        if not unit["reason"]:
            open_count += 1
        if unit["ticked"]:
            ticked_count += 1
    if not units:
        note = " – no units selected on PAR"
    elif not open_count:
        note = " – no units free to claim"
    elif ticked_count:
        note = f" – {ticked_count} of {open_count} ticked"
    else:
        note = ""
    return {
        "name": name,
        "p_number": p_number,
        "units": units,
        "open_count": open_count,
        "ticked_count": ticked_count,
        "note": note,
        "all_ticked": ticked_count == open_count,
    }


def learner_search(query: str, *, learner: str = "learner") -> Q:
    """Every word of ``query`` in the first name, surname or P number of ``learner`` (a path;
    "" for a condition on Learner itself)."""
    prefix = f"{learner}__" if learner else ""
    condition = Q()
    for term in query.split()[:UNIT_SEARCH_MAX_TERMS]:
        condition &= (
            Q(**{f"{prefix}first_name__icontains": term})
            | Q(**{f"{prefix}last_name__icontains": term})
            | Q(**{f"{prefix}membership_number__icontains": term})
        )
    return condition


def batch_free_selections(*, batch: Batch, query: str = "") -> QuerySet[UnitSelection]:
    """PAR selections of ``batch``'s centre and qualification it may claim (R-BAT-4).

    Current learners only (those ``query`` finds), not passed, and held by no batch or
    claim: the set-wise twin of ``services.claimable_reasons``, for the database to filter
    thousands at once. The learners come as one IN (subquery): PostgreSQL hashes them and
    the two NOT EXISTS (another batch, a claim), so 100,000 rows take one pass each rather
    than an index probe per row per table, whatever its row estimates say.
    """
    registrations = Registration.objects.filter(
        learner_search(query),
        learner__centre_id=batch.centre_id,
        qualification_id=batch.qualification_id,
        is_current=True,
    ).values("pk")
    return UnitSelection.objects.filter(registration_id__in=registrations, result="").filter(
        unheld()
    )


@dataclass
class SelectionCounts:
    """What the batch holds so far, over every page, and the R-BAT-1 documents it lacks."""

    units: int
    learners: int
    missing_documents: list[str]
    # Current registrations on the batch's qualification at its centre (RegistrationTally):
    # Select Units' learner count when nothing filters the list.
    registered: int = 0


# Select Units' reads are written by hand, once per process: compiled by the ORM, the page's
# count, learners, units and counts cost ~4 ms of CPU a request, the same SQL each time but
# for the keys. Their conditions are the ORM's above, kept alike: learner_search
# (_search_sql), and a unit a learner may tick (_tickable_sql): not passed, held by no other
# batch and by nothing else (par.locks.unheld_sql), as batch_free_selections, or held by
# this batch.
_UNIT_TABLES = {
    "registration": Registration._meta.db_table,
    "learner": Learner._meta.db_table,
    "selection": UnitSelection._meta.db_table,
    "unit": Unit._meta.db_table,
    "batch_unit": BatchUnit._meta.db_table,
    "document": BatchDocument._meta.db_table,
    "tally": RegistrationTally._meta.db_table,
}


def _search_sql(query: str, params: dict, alias: str) -> str:
    """learner_search(``query``) on the learner ``alias``; its terms go into ``params``.

    A word of three characters or more is matched on the columns as the trigram indexes
    (centres 0004, 0010) have them, so the three make a BitmapOr. A shorter word has no
    trigram: the indexes would be read whole, and the prepared statement's generic plan
    (the same text whatever the word) did so for "jo": 24 -> 48 ms of PostgreSQL at 20k. It
    is matched on ``col || ''`` instead, the same text under an expression no index has, so
    its statement keeps the scan (25 ms)."""
    parts = []
    for i, term in enumerate(query.split()[:UNIT_SEARCH_MAX_TERMS]):
        params[f"term{i}"] = icontains_param(term)
        columns = (f"{alias}.first_name", f"{alias}.last_name", f"{alias}.membership_number")
        if len(term) < TRIGRAM:
            columns = tuple(f"({column} || '')" for column in columns)
        parts.append(f"({' OR '.join(icontains_sql(c, f'term{i}') for c in columns)})")
    return "".join(f" AND {part}" for part in parts)


def _tickable_sql(alias: str) -> str:
    """The registration ``alias`` has a unit to tick on the batch ``%(batch)s``."""
    return (
        f" AND EXISTS (SELECT 1 FROM {_UNIT_TABLES['selection']} t"
        f" WHERE t.registration_id = {alias}.id AND t.result = ''"
        f" AND NOT EXISTS (SELECT 1 FROM {_UNIT_TABLES['batch_unit']} o"
        " WHERE o.selection_id = t.id AND o.released_at IS NULL AND o.batch_id <> %(batch)s)"
        f" AND {unheld_sql('t', besides=[batch_holds])})"
    )


class _LearnerWalk:
    """The learners of Select Units, sliceable for ``Paginator``, in name order.

    A slice is one statement: the page's learners come from a walk of the centre's learner
    name index (learner_centre_name_idx: centre, surname, first name, id; read alone, no
    table), from whichever end of the list is nearer, each checked by a probe of
    registration_current_idx; then their registrations and P numbers for those 50 only. The
    probe is a scalar subquery on purpose, as in PAR's RegistrationPages: a join lets
    PostgreSQL hash every learner of the centre and sort them all for any page past the
    first. The count comes separately, from the registrations alone (registration_centre_idx).
    """

    def __init__(
        self, *, batch: Batch, query: str, free_only: bool, counts: SelectionCounts | None = None
    ):
        self.params = {
            "centre": batch.centre_id,
            "qualification": batch.qualification_id,
            "batch": batch.pk,
        }
        self.search = _search_sql(query, self.params, "w") if query.strip() else ""
        self.free_only = free_only
        self.tickable = _tickable_sql if free_only else (lambda alias: "")
        if counts is not None and not self.search and not free_only:
            # Unfiltered, the learners are the registrations the tally counts, read with the
            # counts at the top of the page (batch_selection_counts): no statement of its own.
            self.total = counts.registered

    @cached_property
    def total(self) -> int:
        if not self.search and not self.free_only:
            # Every current registration: the count the database keeps
            # (centres.RegistrationTally), one row instead of counting 23,000 (~1.5 ms).
            sql = (
                f"SELECT t.n FROM {_UNIT_TABLES['tally']} t WHERE t.centre_id = %(centre)s"
                " AND t.qualification_id = %(qualification)s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, self.params)
                row = cursor.fetchone()
            return row[0] if row else 0
        learners = ""
        if self.search:
            learners = (
                f" AND r.learner_id IN (SELECT w.id FROM {_UNIT_TABLES['learner']} w"
                f" WHERE 1 = 1{self.search})"
            )
        sql = (
            f"SELECT COUNT(*) FROM {_UNIT_TABLES['registration']} r"
            " WHERE r.centre_id = %(centre)s AND r.qualification_id = %(qualification)s"
            f" AND r.is_current{learners}{self.tickable('r')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            return cursor.fetchone()[0]

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[tuple]:
        start, stop = window.start or 0, min(window.stop, self.total)
        direction = ""
        if start > self.total - stop:
            # Nearer the end: walk the index backwards, so no page skips more than half.
            start, stop, direction = self.total - stop, self.total - start, " DESC"
        sql = self._search_walk(direction) if self.search else self._walk(stop - start, direction)
        with connection.cursor() as cursor:
            cursor.execute(sql, {**self.params, "limit": stop - start, "offset": start})
            return cursor.fetchall()

    def _walk(self, limit: int, direction: str) -> str:
        """The list's walk when no search narrows it: the window's size written into the
        text (a page's 50, or the last page's rest) and its offset read through a subquery.

        With both as plain parameters PostgreSQL planned the statement afresh on every
        view: the custom plan (offset known) always looked cheaper than the generic one
        (offset guessed at a tenth of the list), and planning it was most of the 0.5 ms the
        statement cost. An offset the planner cannot see costs the same either way, so it
        keeps the generic plan, the same index walk (0.13 ms at 20k, page 1). The learner's
        registration is the walk's probe itself: a LATERAL join on PostgreSQL, a scalar
        subquery elsewhere (SQLite has no LATERAL), so no second probe and no re-sort."""
        tables, tickable = _UNIT_TABLES, self.tickable("c")
        probe = (
            f"SELECT c.id FROM {tables['registration']} c WHERE c.learner_id = w.id"
            f" AND c.qualification_id = %(qualification)s AND c.is_current{tickable} LIMIT 1"
        )
        order = f"ORDER BY w.last_name{direction}, w.first_name{direction}, w.id{direction}"
        window = f"LIMIT {int(limit)} OFFSET (SELECT CAST(%(offset)s AS BIGINT))"
        if connection.vendor == "postgresql":
            learners = (
                f"SELECT r.id AS registration_id, w.id, w.last_name, w.first_name"
                f" FROM {tables['learner']} w CROSS JOIN LATERAL ({probe}) r"
                f" WHERE w.centre_id = %(centre)s {order} {window}"
            )
        else:
            learners = (
                f"SELECT ({probe}) AS registration_id, w.id, w.last_name, w.first_name"
                f" FROM {tables['learner']} w WHERE w.centre_id = %(centre)s"
                f" AND ({probe}) IS NOT NULL {order} {window}"
            )
        return (
            "SELECT p.registration_id, p.last_name, p.first_name, l.membership_number"
            f" FROM ({learners}) p INNER JOIN {tables['learner']} l ON l.id = p.id"
            " ORDER BY p.last_name, p.first_name, p.id"
        )

    def _search_walk(self, direction: str) -> str:
        """The walk of a search's learners: window and words as parameters, so PostgreSQL
        plans each search with its words (the trigram indexes or the name index)."""
        tables = _UNIT_TABLES
        return (
            "SELECT r.id, l.last_name, l.first_name, l.membership_number"
            f" FROM {tables['registration']} r INNER JOIN {tables['learner']} l"
            " ON l.id = r.learner_id WHERE r.qualification_id = %(qualification)s"
            f" AND r.is_current{self.tickable('r')} AND r.learner_id IN ("
            f"SELECT w.id FROM {tables['learner']} w WHERE w.centre_id = %(centre)s{self.search}"
            f" AND (SELECT c.id FROM {tables['registration']} c WHERE c.learner_id = w.id"
            f" AND c.qualification_id = %(qualification)s AND c.is_current{self.tickable('c')}"
            f" LIMIT 1) IS NOT NULL ORDER BY w.last_name{direction}, w.first_name{direction},"
            f" w.id{direction} LIMIT %(limit)s OFFSET %(offset)s)"
            " ORDER BY l.last_name, l.first_name, r.learner_id"
        )


def batch_unit_learners(
    *,
    batch: Batch,
    query: str = "",
    free_only: bool = False,
    counts: SelectionCounts | None = None,
) -> _LearnerWalk:
    """Select Units' learners (found by ``query``, only those with units free if asked), to
    be paged; batch_unit_choices reads a page of them. ``counts`` (batch_selection_counts
    of the same request) saves the count when nothing filters the list."""
    return _LearnerWalk(batch=batch, query=query, free_only=free_only, counts=counts)


_SELECTION_KINDS = (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF)


@lru_cache(maxsize=2)
def _selection_counts_sql(vendor: str) -> tuple[str, str]:
    """batch_selection_counts' columns and what they are read from, joined to a batch row
    ``q`` (its centre_id and qualification_id); the parameters, in order: the batch's key,
    the two documents' kinds, the batch's key again."""
    tables = _UNIT_TABLES
    present = (
        f"EXISTS (SELECT 1 FROM {tables['document']} d WHERE d.batch_id = %s"
        " AND d.superseded_at IS NULL AND d.kind = %s)"
    )
    columns = "c.units, c.learners, c.iv, c.brief, t.n"
    # One registration per learner on the batch's qualification: no join to learners.
    joins = (
        f"LEFT JOIN (SELECT COUNT(*) AS units, COUNT(DISTINCT s.registration_id) AS learners,"
        f" {present} AS iv, {present} AS brief FROM {tables['batch_unit']} b"
        f" INNER JOIN {tables['selection']} s ON s.id = b.selection_id"
        " WHERE b.batch_id = %s AND b.released_at IS NULL) c ON 1 = 1"
        f" LEFT JOIN {tables['tally']} t ON t.centre_id = q.centre_id"
        " AND t.qualification_id = q.qualification_id"
    )
    return columns, joins


def selection_counts_with_batch(pk: int) -> tuple[str, str, list]:
    """batch_selection_counts of batch ``pk``, to be read with it (the ``also`` of
    access.get_batch_with_for_request, which answers 404 for a batch the request may not
    see, counts and all); selection_counts makes their values SelectionCounts."""
    columns, joins = _selection_counts_sql(connection.vendor)
    iv, brief = (kind.value for kind in _SELECTION_KINDS)
    return columns, joins, [int(pk), iv, int(pk), brief, int(pk)]


def selection_counts(values: tuple) -> SelectionCounts:
    """SelectionCounts from the values of batch_selection_counts' columns."""
    units, learners, *uploaded, registered = values
    return SelectionCounts(
        units=units,
        learners=learners,
        missing_documents=[
            kind.label for kind, up in zip(_SELECTION_KINDS, uploaded, strict=True) if not up
        ],
        registered=registered or 0,
    )


def batch_selection_counts(*, batch: Batch) -> SelectionCounts:
    """Units the batch holds and their learners, over every page, the R-BAT-1 documents
    not uploaded yet (as Batch.missing_documents) and the learners registered (the tally);
    one statement."""
    kinds = _SELECTION_KINDS
    present = (
        f"EXISTS (SELECT 1 FROM {_UNIT_TABLES['document']} d WHERE d.batch_id = %(batch)s"
        " AND d.superseded_at IS NULL AND d.kind = %({kind})s)"
    )
    sql = (
        # One registration per learner on the batch's qualification: no join to learners.
        "SELECT COUNT(*), COUNT(DISTINCT s.registration_id),"
        f" {present.format(kind='iv')}, {present.format(kind='brief')},"
        f" (SELECT t.n FROM {_UNIT_TABLES['tally']} t WHERE t.centre_id = %(centre)s"
        " AND t.qualification_id = %(qualification)s)"
        f" FROM {_UNIT_TABLES['batch_unit']} b INNER JOIN {_UNIT_TABLES['selection']} s"
        " ON s.id = b.selection_id WHERE b.batch_id = %(batch)s AND b.released_at IS NULL"
    )
    params = {
        "batch": batch.pk,
        "iv": kinds[0].value,
        "brief": kinds[1].value,
        "centre": batch.centre_id,
        "qualification": batch.qualification_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return selection_counts(cursor.fetchone())


def batch_unit_choices(
    *,
    batch: Batch,
    page: Page,
    posted: tuple[set[int], set[int]] | None = None,
) -> list[LearnerChoices]:
    """The learners of ``page`` (of batch_unit_learners) with their PAR units, ticks and
    reasons, in three queries.

    ``posted`` (shown, ticked) puts back what a refused POST had ticked, so nothing the
    user ticked is lost when the service says no.
    """
    learners = list(page.object_list)
    sql = (
        # The box's label ("CODE Title") put together by the database: a column less to
        # read and no string to build per box.
        "SELECT s.id, s.registration_id, u.code || ' ' || u.title, s.result,"
        f" EXISTS (SELECT 1 FROM {_UNIT_TABLES['batch_unit']} b WHERE b.batch_id = %(batch)s"
        " AND b.selection_id = s.id AND b.released_at IS NULL)"
        f" FROM {_UNIT_TABLES['selection']} s INNER JOIN {_UNIT_TABLES['unit']} u"
        f" ON u.id = s.unit_id WHERE {any_id_sql('s.registration_id', 'registrations')}"
        " ORDER BY u.code"
    )
    params = {"batch": batch.pk, "registrations": id_list(row[0] for row in learners)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        selections = cursor.fetchall()
    on_batch = {pk for pk, _r, _l, _result, held in selections if held}
    reasons = selection_reasons(
        results={pk: result for pk, _r, _l, result, _h in selections}, on_batch=on_batch
    )
    ticked = on_batch
    if posted is not None:
        shown, ticks = posted
        ticked = (on_batch - shown) | ticks
    units: dict[int, list[UnitChoice]] = {row[0]: [] for row in learners}
    for pk, registration_id, label, _result, _held in selections:
        reason = reasons.get(pk, "")
        units[registration_id].append(
            {
                "pk": pk,
                "value": str(pk),
                "label": label,
                "reason": reason,
                "ticked": not reason and pk in ticked,
            }
        )
    return [
        _learner_choices(f"{last}, {first}", p_number, units[pk])
        for pk, last, first, p_number in learners
    ]


def selection_reasons(*, results: dict[int, str], on_batch: set[int]) -> dict[int, str]:
    """Why each selection (by id, with its PAR result) cannot be ticked on a batch (R-BAT-4).

    Passed units, and units another batch or a claim holds; ``on_batch`` are those the batch
    itself holds, which stay tickable. One query per holder, whatever the number of ids.
    """
    labels = dict(Result.choices)
    reasons = {
        pk: f"already passed ({labels.get(result, result)})"
        for pk, result in results.items()
        if result
    }
    held = locks_for(pk for pk in results if pk not in reasons and pk not in on_batch)
    return reasons | held


# --- Check your answers before "Submit Batch" (R-NEW-2, R-NEW-6) ---------------------------
# In the order a line's first mismatch is named.
BATCH_MISMATCHES = (
    Mismatch(
        "not_current",
        "The learner is no longer current on this qualification.",
        "Remove it from the batch. If the learner is still studying, ask your Customer Data "
        "Administrator to make the registration current again.",
    ),
    Mismatch(
        "not_entered",
        "The unit is not on the learner's registration.",
        "Remove it from the batch, or ask your Customer Data Administrator to enter the "
        "learner for this unit.",
    ),
    Mismatch(
        "passed",
        "The unit is already passed on the learner's record.",
        "Remove it from the batch: a passed unit is not moderated again.",
    ),
    Mismatch(
        "claimed",
        "The unit is on a grade claim as well.",
        "Remove it from the batch, or take it off the claim.",
    ),
)
RECONCILE_EXAMPLES = 20  # problem lines named at the top of the page; the rest are counted


def _mismatch_conditions() -> dict[str, Q]:
    """Each mismatch as a condition on a BatchUnit row, for the database to test set-wise."""
    registration_id = OuterRef("selection__registration_id")
    unit_id = OuterRef("selection__unit_id")
    in_qualification = QualificationUnit.objects.filter(
        qualification_id=OuterRef("selection__registration__qualification_id"), unit_id=unit_id
    )
    entered = Registration.entered_units.through.objects.filter(
        registration_id=registration_id, unit_id=unit_id
    )
    # Held by anything but a batch (a live claim line): the registry of holders (par.locks),
    # so moderation names no claim model. Another batch cannot hold it (batchunit_one_live_batch).
    held_elsewhere = UnitSelection.objects.filter(pk=OuterRef("selection_id")).exclude(
        unheld(besides=[batch_holds])
    )
    return {
        "not_current": Q(selection__registration__is_current=False),
        "not_entered": ~Q(Exists(in_qualification))
        | (Q(selection__registration__entry_type=EntryType.UNIT) & ~Q(Exists(entered))),
        "passed": ~Q(selection__result=""),
        "claimed": Q(Exists(held_elsewhere)),
    }


class CheckLine(Row):
    """One learner-unit as "Check your answers" lists it, with what does not reconcile."""

    def __init__(self, *, mismatch: Mismatch | None, **fields: Any) -> None:
        super().__init__(
            **fields,
            full_name=f"{fields['first_name']} {fields['last_name']}",
            problem=mismatch.says if mismatch else "",
            todo=mismatch.todo if mismatch else "",
            work="",
            change_url="",
            remove_url="",
        )


@dataclass
class Reconciliation:
    """What does not reconcile on a batch: counts by mismatch and the first lines named."""

    lines: int
    learners: int
    counts: list[tuple[Mismatch, int]]
    problems: int
    examples: list[CheckLine]

    @property
    def clean(self) -> bool:
        return self.problems == 0

    @property
    def unnamed(self) -> int:
        """Problem lines beyond those named: the page's list marks them."""
        return self.problems - len(self.examples)


def _check_rows(units: QuerySet[BatchUnit], conditions: dict[str, Q]) -> list[CheckLine]:
    rows = units.annotate(**mismatch_flags(conditions)).values(
        "pk", *[f"is_{key}" for key in conditions], **{k: F(v) for k, v in _SLOT_FIELDS.items()}
    )
    return [CheckLine(mismatch=first_mismatch(row, BATCH_MISMATCHES), **row) for row in rows]


def batch_reconciliation(*, batch: Batch, examples: int = RECONCILE_EXAMPLES) -> Reconciliation:
    """Every live learner-unit of ``batch`` against the registrations, in two queries at most.

    One aggregate counts the lines, their learners and each mismatch over the whole batch;
    when any line fails, one more query names the first ``examples`` of them in slot order.
    """
    conditions = _mismatch_conditions()
    units = BatchUnit.objects.filter(batch=batch, released_at__isnull=True)
    totals = units.aggregate(
        lines=Count("pk"),
        learners=Count("selection__registration_id", distinct=True),
        problems=Count("pk", filter=any_mismatch(conditions)),
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()},
    )
    named = []
    if totals["problems"] and examples:
        named = _check_rows(
            units.filter(any_mismatch(conditions)).order_by(*_SLOT_ORDER)[:examples], conditions
        )
    return Reconciliation(
        lines=totals["lines"],
        learners=totals["learners"],
        counts=[(m, totals[m.key]) for m in BATCH_MISMATCHES if totals[m.key]],
        problems=totals["problems"],
        examples=named,
    )


def batch_check_ids(*, batch: Batch) -> QuerySet:
    """The ids of the learner-units being submitted, in slot order, read off the order index.

    The same order as the batch page's slots: at the same page size, line n of page p here
    is on page p there, so its Change link goes straight to it.
    """
    return _slot_units(batch=batch).values_list("pk", flat=True)


def batch_check_lines(*, ids: list[int]) -> list[CheckLine]:
    """The learner-units ``ids`` (one page), each with its learner work and first mismatch;
    two queries whatever their number."""
    lines = _check_rows(
        BatchUnit.objects.filter(pk__in=ids).order_by(*_SLOT_ORDER), _mismatch_conditions()
    )
    work = dict(
        BatchDocument.objects.current()
        .filter(batch_unit_id__in=ids, kind=DocumentKind.SAMPLE)
        .values_list("batch_unit_id", "original_name")
    )
    for line in lines:
        line.work = work.get(line.pk, "")
    return lines


def batch_check_line(*, batch: Batch, batch_unit_id: int) -> CheckLine:
    """One live learner-unit of ``batch`` with its first mismatch, if any; one query."""
    rows = _check_rows(
        BatchUnit.objects.filter(pk=batch_unit_id, batch=batch, released_at__isnull=True),
        _mismatch_conditions(),
    )
    if not rows:
        raise BatchUnit.DoesNotExist(batch_unit_id)
    return rows[0]
