"""Reads for claims: who may be claimed for, which units, and what is already claimed.

Every function runs a fixed number of queries whatever the number of candidates, so the
By Candidate and By Unit pages stay flat at 20 or 1,000 candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from html import escape
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import mark_safe

from centres.models import (
    EntryType,
    Learner,
    Qualification,
    QualificationUnit,
    Registration,
    RegistrationTally,
    Route,
)
from hub.paging import short_date, url_maker
from hub.prepared import Prepared
from hub.reconcile import Mismatch, any_mismatch, first_mismatch, mismatch_flags
from par.locks import unheld
from par.models import UnitSelection

from .locks import claim_holds
from .models import (
    HISTORY_RETENTION,
    LINE_WITHDRAWN,
    CentreAssessor,
    Claim,
    ClaimLine,
    ClaimStatus,
    Grade,
)


def eligible_registrations(claim: Claim) -> QuerySet[Registration]:
    """Current registrations at the claim's centre on its qualification."""
    return Registration.objects.filter(
        learner__centre_id=claim.centre_id,
        qualification_id=claim.qualification_id,
        is_current=True,
    ).select_related("learner")


def active_assessors(claim: Claim) -> list[CentreAssessor]:
    return list(
        CentreAssessor.objects.filter(
            centre_id=claim.centre_id, qualification_id=claim.qualification_id, is_active=True
        )
    )


def qualification_units(claim: Claim) -> list[QualificationUnit]:
    return list(
        QualificationUnit.objects.filter(qualification_id=claim.qualification_id)
        .select_related("unit")
        .order_by("position", "unit__code")
    )


def unit_entries(registrations: QuerySet[Registration]) -> dict[int, set[int]]:
    """Entered unit ids by registration id, for the unit-entry registrations among these."""
    entries: dict[int, set[int]] = defaultdict(set)
    through = Registration.entered_units.through
    for registration_id, unit_id in through.objects.filter(
        registration__in=registrations.filter(entry_type=EntryType.UNIT).values("pk")
    ).values_list("registration_id", "unit_id"):
        entries[registration_id].add(unit_id)
    return entries


def blocked_pairs(claim: Claim, **line_filter: Any) -> dict[tuple[int, int], str]:
    """Why each (registration, unit) cannot be claimed again here (R-CLM-6), by pair.

    A pair is blocked when another live claim holds it or the PAR already has its result.
    ``line_filter`` narrows by ``registration_id`` or ``unit_id``.
    """
    scope = Q(
        registration__learner__centre_id=claim.centre_id,
        registration__qualification_id=claim.qualification_id,
    )
    narrowing = Q(**line_filter)
    blocked: dict[tuple[int, int], str] = {}
    for registration_id, unit_id, result in (
        UnitSelection.objects.filter(scope & narrowing)
        .exclude(result="")
        .values_list("registration_id", "unit_id", "result")
    ):
        blocked[(registration_id, unit_id)] = f"Achieved: {result.title()}"
    for registration_id, unit_id, number, status, grade in (
        ClaimLine.objects.filter(scope & narrowing)
        .exclude(claim_id=claim.pk)
        .exclude(claim__status=ClaimStatus.WITHDRAWN)
        .exclude(outcome=LINE_WITHDRAWN)
        .values_list("registration_id", "unit_id", "claim__number", "claim__status", "grade")
    ):
        blocked.setdefault(
            (registration_id, unit_id),
            f"Claimed: {grade.title()} on claim {number or '(unsubmitted)'} ({status.title()})",
        )
    return blocked


def claim_lines(claim: Claim, **line_filter: Any) -> dict[tuple[int, int], ClaimLine]:
    return {
        (line.registration_id, line.unit_id): line
        for line in claim.lines.filter(**line_filter).select_related("assessor")
    }


@dataclass
class UnitRow:
    """One unit on a candidate's page, or one candidate on a unit's page."""

    key: str
    registration: Registration
    unit: object
    line: ClaimLine | None = None
    blocked: str = ""
    late: bool = False
    fields: dict = field(default_factory=dict)

    @property
    def disabled(self) -> bool:
        return bool(self.blocked or self.late)


def candidate_rows(claim: Claim, registration: Registration) -> list[UnitRow]:
    """The units of one candidate's page: greyed out when claimed (full award), absent
    when claimed (unit entries) (R-CLM-6)."""
    units = qualification_units(claim)
    if registration.entry_type == EntryType.UNIT:
        entered = set(registration.entered_units.values_list("pk", flat=True))
        units = [qu for qu in units if qu.unit_id in entered]
    blocked = blocked_pairs(claim, registration_id=registration.pk)
    lines = claim_lines(claim, registration_id=registration.pk)
    late = claim.entry_is_late(registration)
    rows = []
    for qu in units:
        pair = (registration.pk, qu.unit_id)
        reason = blocked.get(pair, "")
        if reason and registration.entry_type == EntryType.UNIT:
            continue
        rows.append(
            UnitRow(
                key=str(qu.unit_id),
                registration=registration,
                unit=qu.unit,
                line=lines.get(pair),
                blocked=reason,
                late=late,
            )
        )
    return rows


def unit_candidate_rows(
    claim: Claim, unit_id: int, registrations: Iterable[Registration]
) -> list[UnitRow]:
    """The candidates entered for one unit, for one page of ``registrations`` (R-CLM-5)."""
    registrations = list(registrations)
    blocked = blocked_pairs(
        claim, unit_id=unit_id, registration_id__in=[r.pk for r in registrations]
    )
    lines = claim_lines(claim, unit_id=unit_id, registration_id__in=[r.pk for r in registrations])
    rows = []
    for registration in registrations:
        pair = (registration.pk, unit_id)
        reason = blocked.get(pair, "")
        if reason and registration.entry_type == EntryType.UNIT:
            continue
        rows.append(
            UnitRow(
                key=str(registration.pk),
                registration=registration,
                unit=None,
                line=lines.get(pair),
                blocked=reason,
                late=claim.entry_is_late(registration),
            )
        )
    return rows


def registrations_for_unit(claim: Claim, unit_id: int) -> QuerySet[Registration]:
    """Candidates entered for the unit: full-award entries and unit entries naming it."""
    entered = Registration.entered_units.through.objects.filter(unit_id=unit_id)
    return eligible_registrations(claim).filter(
        Q(entry_type=EntryType.FULL)
        | Q(entry_type=EntryType.UNIT, pk__in=entered.values("registration_id"))
    )


def line_counts_by_unit(claim: Claim) -> dict[int, int]:
    return dict(claim.lines.values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))


def date_notices(claim: Claim, today: date | None = None) -> list[tuple[str, str]]:
    """R-CLM-12 as the centre should see it: deadlines, warned early, refused once late."""
    from django.utils import timezone

    from .models import WARNING_WINDOW

    if claim.visit_date is None or not claim.is_editable:
        return []
    today = today or timezone.localdate()
    visit = f"{claim.visit_date:%-d %B %Y}"
    notices = []
    for deadline, what in (
        (claim.entry_deadline, "Entries must be made at least 4 weeks"),
        (claim.submission_deadline, "The claim must be submitted at least 2 weeks"),
    ):
        text = f"{what} before the moderation visit on {visit}: by {deadline:%-d %B %Y}."
        if today > deadline:
            if claim.late_allowed:
                notices.append(("info", f"{text} The awarding body has allowed this claim late."))
            else:
                notices.append(("danger", f"{text} That date has passed."))
        elif today >= deadline - WARNING_WINDOW:
            notices.append(("warning", text))
        else:
            notices.append(("info", text))
    return notices


def claims_awaiting_processing(*, older_than: datetime) -> QuerySet:
    """Finalised claims with agreed lines, finalised before ``older_than`` and still not
    processed: their processing message was lost (a worker died, a broker restarted)."""
    return Claim.objects.filter(
        Exists(ClaimLine.objects.filter(claim=OuterRef("pk")).exclude(outcome=LINE_WITHDRAWN)),
        status=ClaimStatus.FINALISED,
        finalised_at__lt=older_than,
    ).order_by("finalised_at")


# --- The long lists: one page of rows, prepared here so templates only print them ---------

# By Candidate's sort keys; each ends on the learner's key, so ties keep one order and the
# name sort can walk learner_centre_name_idx (migration 0003 in centres).
CANDIDATE_SORTS = {
    "name": ["learner__last_name", "learner__first_name", "learner_id"],
    "number": ["learner__candidate_number", "learner_id"],
    "dob": ["learner__date_of_birth", "learner_id"],
    "action": [],  # without lines first, then by name: see CandidatePages
}


UNIT_ENTRIES_BADGE = ' <span class="badge text-bg-light">Unit entries</span>'
# A character html.escape replaces.
_HTML_SPECIAL = re.compile("[&<>\"']")
_EDIT = '<a class="btn btn-sm btn-outline-primary" href="{url}">Edit'
_CREATE = '<a class="btn btn-sm btn-primary" href="{url}">Create new'


def candidate_rows_html(rows: list[str]) -> str:
    """By Candidate's rows (CandidatePages' page), one table row each: printed by the
    template language, 50 rows took about a millisecond of lookups and escapes."""
    return mark_safe("\n".join(rows))  # noqa: S308 (escaped by CandidatePages)


_SORT_LABELS = {
    "name": "Candidate name",
    "number": "Candidate number",
    "dob": "Date of birth",
    "action": "Action",
}


@lru_cache(maxsize=16)
def candidate_sort_headers(sort: str, descending: bool) -> str:
    """By Candidate's column headings, each a link sorting by it (the other way round when
    it is the sort already, ascending), the current one marked with aria-sort."""
    cells = []
    for key, label in _SORT_LABELS.items():
        state = ""
        if key == sort:
            state = f' aria-sort="{"descending" if descending else "ascending"}"'
        flip = "-" if key == sort and not descending else ""
        cells.append(f'<th scope="col"{state}><a href="?sort={flip}{key}">{label}</a></th>')
    return mark_safe("\n    ".join(cells))  # noqa: S308 (no text from a request or the database)


# A By Candidate row's columns, read as plain values: no Registration or Learner instances.
_CANDIDATE_FIELDS = (
    "pk",
    "entry_type",
    "has_lines",
    "learner__last_name",
    "learner__first_name",
    "learner__candidate_number",
    "learner__date_of_birth",
)
# Up to this many candidates, a page sorts them all (a few hundred learners found by their
# keys); a longer list walks the centre's learner index of the sort and stops at the page.
SORT_AT_MOST = 500


def _eligible(centre_id: int, qualification_id: int) -> QuerySet[Registration]:
    return Registration.objects.filter(
        centre_id=centre_id, qualification_id=qualification_id, is_current=True
    )


def _has_lines(claim_id: int) -> Exists:
    # EXISTS, not IN: PostgreSQL estimates the anti-join well and keeps walking the name
    # index; NOT IN was guessed at half the rows and sorted them all.
    return Exists(ClaimLine.objects.filter(claim_id=claim_id, registration=OuterRef("pk")))


# By Candidate's queries, each compiled once per process (hub.prepared), as each request
# built and compiled the same SQL for its own keys: (centre, qualification, claim).
# The list's length: the centre's current registrations on the qualification, which the
# database keeps exact in RegistrationTally (hub.tallies), one row read instead of counting
# every candidate (0.05 ms of PostgreSQL's CPU for 222, ~2 ms for 20,000). Written by hand:
# hub.prepared takes keys of ForeignKeys, and the tally's are plain big integers.
_CANDIDATE_COUNT_SQL = (
    f"SELECT n FROM {RegistrationTally._meta.db_table}"
    " WHERE centre_id = %s AND qualification_id = %s"
)
_candidates_with_lines = Prepared(
    lambda centre_id, qualification_id, claim_id: (
        _eligible(centre_id, qualification_id)
        .filter(_has_lines(claim_id))
        .order_by()
        .values_list("pk")
    ),
    "int",
    "int",
    "int",
)
_candidate_pages: dict[tuple, Prepared] = {}


# By Candidate's sort keys as columns of _short_page_sql's statement.
_SHORT_PAGE_COLUMNS = {
    "learner__last_name": "l.last_name",
    "learner__first_name": "l.first_name",
    "learner__candidate_number": "l.candidate_number",
    "learner__date_of_birth": "l.date_of_birth",
    "learner_id": "r.learner_id",
}


@lru_cache(maxsize=64)
def _short_page_sql(vendor: str, order: tuple[str, ...], lines: bool | None, limit: int) -> str:
    """A page of ``limit`` rows of a short list, in ``order``, as _candidate_page's query
    gives them (its _CANDIDATE_FIELDS), written once per shape and page size.

    Each learner is read by key for its registration, then the few hundred rows sorted:
    on PostgreSQL through a lateral subquery (OFFSET 0 keeps it one), which its plans
    always join by key; the ORM's join let a generic plan guess thousands of registrations
    and hash every learner of the database (7 ms), so its query found them through the
    registrations a second time (a semi-join, 0.81 ms of PostgreSQL's CPU a page; this is
    0.58). The page's size is in the text and the offset read through a scalar subquery,
    so PostgreSQL keeps one plan (hub.prepared's windows).
    """
    learner = (
        "SELECT l.last_name, l.first_name, l.candidate_number, l.date_of_birth FROM {learner} l"
    )
    if vendor == "postgresql":
        learners = f"CROSS JOIN LATERAL ({learner} WHERE l.id = r.learner_id OFFSET 0) l"
    else:
        learners = "JOIN {learner} l ON l.id = r.learner_id"
    has_lines = (
        "EXISTS (SELECT 1 FROM {line} cl"
        " WHERE cl.claim_id = %(claim)s AND cl.registration_id = r.id)"
    )
    part = "" if lines is None else f" AND {'' if lines else 'NOT '}{has_lines}"
    sort = ", ".join(
        f"{_SHORT_PAGE_COLUMNS[key.lstrip('-')]}{' DESC' if key.startswith('-') else ''}"
        for key in order
    )
    sql = (
        f"SELECT r.id, r.entry_type, {has_lines} AS has_lines, l.last_name, l.first_name,"
        f" l.candidate_number, l.date_of_birth FROM {{registration}} r {learners}"
        " WHERE r.centre_id = %(centre)s AND r.qualification_id = %(qualification)s"
        f" AND r.is_current{part} ORDER BY {sort}"
        f" LIMIT {int(limit)} OFFSET (SELECT CAST(%(offset)s AS BIGINT))"
    )
    return sql.format(
        line=ClaimLine._meta.db_table,
        registration=Registration._meta.db_table,
        learner=Learner._meta.db_table,
    )


class _ShortPage:
    """A page of a short list (_short_page_sql), run as a Prepared windowed query is."""

    def __init__(self, order: tuple[str, ...], lines: bool | None):
        self.order, self.lines = order, lines

    def rows(
        self, centre_id: int, qualification_id: int, claim_id: int, *, limit: int, offset: int
    ) -> list[tuple]:
        sql = _short_page_sql(connection.vendor, self.order, self.lines, int(limit))
        params = {
            "centre": centre_id,
            "qualification": qualification_id,
            "claim": claim_id,
            "offset": int(offset),
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if rows and isinstance(rows[0][6], str):  # SQLite: dates come back as text
            rows = [(*row[:6], date.fromisoformat(row[6])) for row in rows]
        return rows


def _candidate_page(
    *, short: bool, order: tuple[str, ...], lines: bool | None
) -> Prepared | _ShortPage:
    """The page query of one shape: short or long list, its sort, which part of "Action"."""
    if short:
        return _ShortPage(order, lines)
    key = (order, lines)
    if (prepared := _candidate_pages.get(key)) is None:

        def build(centre_id: int, qualification_id: int, claim_id: int) -> QuerySet:
            # A long list: the learner's centre lets PostgreSQL walk that centre's learners
            # in the order of the sort (learner_centre_*_idx) and stop at the page.
            listed = _eligible(centre_id, qualification_id).filter(learner__centre_id=centre_id)
            listed = listed.annotate(has_lines=_has_lines(claim_id))
            if lines is not None:
                listed = listed.filter(has_lines=lines)
            return listed.order_by(*order).values_list(*_CANDIDATE_FIELDS)

        prepared = _candidate_pages[key] = Prepared(build, "int", "int", "int", window=True)
    return prepared


class CandidatePages:
    """By Candidate's list for Paginator: its length, and a page as finished rows.

    The length is read from the tally of the centre's current registrations on the
    qualification (RegistrationTally), one row. A page is one query of plain values, with
    whether the claim has lines for each candidate (an EXISTS per row, so no second query).
    "Action" is two parts,
    without lines ("Create new") then with lines ("Edit"), each by name (the other way round
    descending), split at the number with lines: one sort on the per-row EXISTS read and
    sorted every candidate for each page (and PostgreSQL's JIT compiled it, ~100 ms at
    20,000 candidates), while each part is walked by name and cut at the page.
    """

    def __init__(self, claim: Claim, *, sort: str, descending: bool):
        self.keys = (claim.centre_id, claim.qualification_id)
        self.claim_id = claim.pk
        self.edit_url = url_maker("claims:candidate-edit", claim.pk)
        self.sort, self.descending = sort, descending
        self._total: int | None = None
        self._split: int | None = None

    def count(self) -> int:
        if self._total is None:
            with connection.cursor() as cursor:
                cursor.execute(_CANDIDATE_COUNT_SQL, self.keys)
                row = cursor.fetchone()
            self._total = row[0] if row else 0
        return self._total

    def _parts(self) -> list[tuple[Prepared | _ShortPage, int]]:
        """(the query of the rows in their order, how many) for each part, in page order."""
        fields = CANDIDATE_SORTS["name" if self.sort == "action" else self.sort]
        order = tuple(f"-{f}" if self.descending else f for f in fields)
        short = self.count() <= SORT_AT_MOST
        if self.sort != "action":
            return [(_candidate_page(short=short, order=order, lines=None), self.count())]
        if self._split is None:
            # Count the small part (candidates with lines, at most the claim's lines) only.
            edits = _candidates_with_lines.count(*self.keys, self.claim_id)
            self._split = edits if self.descending else self.count() - edits
        edit = _candidate_page(short=short, order=order, lines=True)
        create = _candidate_page(short=short, order=order, lines=False)
        first, second = (edit, create) if self.descending else (create, edit)
        return [(first, self._split), (second, self.count() - self._split)]

    def __getitem__(self, window: slice) -> list[str]:
        """The window's rows as By Candidate prints them, every text from the database
        escaped: made here from the values, with no object per row (a frozen dataclass a
        row and strftime for its date were most of a page's Python)."""
        start, stop = window.start or 0, window.stop
        rows, offset = [], 0
        for part, size in self._parts():
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                rows += part.rows(*self.keys, self.claim_id, limit=high - low, offset=low)
            offset += size
        # One search over the page's texts: with nothing to escape (most pages), each text
        # goes in as it is, not through escape() (three a row were a third of the rows' CPU).
        texts = "".join([text for row in rows for text in row[3:6]])
        esc = escape if _HTML_SPECIAL.search(texts) else str
        edit_url, unit, html = self.edit_url, EntryType.UNIT, []
        for pk, entry_type, has_lines, last_name, first_name, candidate_number, born in rows:
            last, first = esc(last_name), esc(first_name)
            html.append(
                f"<tr><td>{last}, {first}{UNIT_ENTRIES_BADGE if entry_type == unit else ''}</td>"
                f"<td>{esc(candidate_number)}</td>"
                f"<td>{f'{born.day:02d}/{born.month:02d}/{born.year}' if born else ''}</td>"
                f"<td>{(_EDIT if has_lines else _CREATE).format(url=edit_url(pk))}"
                f'<span class="visually-hidden"> for {first} {last}</span></a></td></tr>'
            )
        return html


@dataclass(frozen=True)
class UnitListRow:
    code: str
    title: str
    mandatory: bool
    count: int
    edit_url: str


def unit_list_rows(claim: Claim, units: list[QualificationUnit]) -> list[UnitListRow]:
    """The rows of one By Unit page: each unit with how many candidates are claimed."""
    edit_url = url_maker("claims:unit-edit", claim.pk)
    counts = dict(
        claim.lines.filter(unit_id__in=[qu.unit_id for qu in units])
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return [
        UnitListRow(
            code=qu.unit.code,
            title=qu.unit.title,
            mandatory=qu.mandatory,
            count=counts.get(qu.unit_id, 0),
            edit_url=edit_url(qu.unit_id),
        )
        for qu in units
    ]


def claim_units(claim: Claim) -> QuerySet[QualificationUnit]:
    """By Unit's list: the qualification's units in their order."""
    return (
        QualificationUnit.objects.filter(qualification_id=claim.qualification_id)
        .select_related("unit")
        .order_by("position", "unit__code", "pk")
    )


def line_count_subquery() -> Subquery:
    """How many lines a claim has, per row: no GROUP BY over the whole list."""
    return Subquery(
        ClaimLine.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def claim_history(
    claims: QuerySet[Claim],
    *,
    qualification_id: int | None,
    sort: str,
    sorts: dict[str, str],
    cutoff: datetime | None = None,
) -> tuple[QuerySet[Claim], str]:
    """The centre's claims as the history shows them: filtered, sorted, 12 months kept
    (R-CLM-11; ``cutoff``, now less 12 months by default). Return the claims and the sort
    applied ("" for newest first)."""
    if cutoff is None:
        cutoff = timezone.now() - HISTORY_RETENTION
    claims = claims.exclude(processed_at__lt=cutoff).exclude(withdrawn_at__lt=cutoff)
    if qualification_id:
        claims = claims.filter(qualification_id=qualification_id)
    key = sort.lstrip("-")
    if key not in sorts:
        return claims.order_by("-created_at", "-pk"), ""  # newest first
    field = sorts[key]
    if field == "line_count":
        claims = claims.annotate(line_count=Coalesce(line_count_subquery(), 0))
    return claims.order_by(f"-{field}" if sort.startswith("-") else field, "-pk"), sort


@dataclass(frozen=True)
class QualificationChoice:
    pk: int
    code: str
    title: str


def _history_count(centre_id: int, cutoff: datetime, qualification_id: int | None) -> Coalesce:
    """How many claims the history lists (as HistoryPages pages them), as a subquery."""
    claims = _centre_history(centre_id, cutoff, qualification_id, "", {}).order_by()
    return Coalesce(
        Subquery(claims.values("centre_id").annotate(n=Count("pk")).values("n")),
        0,
        output_field=IntegerField(),
    )


# The filter's qualifications with the history's length, unfiltered and filtered by the
# qualification asked for (0: none), in one statement: the count was a round trip of its
# own (~0.1 ms of Python a view). Each count is an uncorrelated subquery, run once.
_history_filter_rows = Prepared(
    lambda centre_id, cutoff, qualification_id: (
        Qualification.objects.filter(route=Route.CLAIM, approvals__centre_id=centre_id)
        .order_by("code")
        .annotate(
            history_total=_history_count(centre_id, cutoff, None),
            history_of_one=_history_count(centre_id, cutoff, qualification_id),
        )
        .values_list("pk", "code", "title", "history_total", "history_of_one")
    ),
    "int",
    "datetime",
    "int",
)


@dataclass(frozen=True)
class HistoryFilter:
    """The history filter's choices, and how many claims it lists unfiltered and filtered
    by the qualification asked for (None when there is no choice to read them with)."""

    choices: list[QualificationChoice]
    cutoff: datetime
    total: int | None
    total_of_asked: int | None


def history_filter(centre_id: int, *, asked: str | None) -> HistoryFilter:
    """The claim-route qualifications the centre is approved for, by code (as
    ``claim_qualifications_for``), with the history's lengths; ``asked`` is the filter's
    value as sent (only a whole number is counted for)."""
    cutoff = timezone.now() - HISTORY_RETENTION
    try:
        asked_id = int(asked) if asked else 0
    except ValueError:
        asked_id = 0
    rows = _history_filter_rows.rows(centre_id, cutoff, asked_id)
    return HistoryFilter(
        choices=[QualificationChoice(pk, code, title) for pk, code, title, _, _ in rows],
        cutoff=cutoff,
        total=rows[0][3] if rows else None,
        total_of_asked=rows[0][4] if rows else None,
    )


@dataclass(frozen=True)
class HistoryRow:
    number: str
    qualification_code: str
    status: str
    line_count: int
    created_at: str
    submitted_at: str
    reference: str
    url: str
    label: str


def _history_text(row: HistoryRow) -> str:
    return (
        f"<tr><td>{escape(row.number)}</td><td>{escape(row.qualification_code)}</td>"
        f"<td>{escape(row.status)}</td><td>{row.line_count}</td><td>{row.created_at}</td>"
        f'<td>{row.submitted_at}</td><td>{escape(row.reference)}</td><td><a href="{row.url}">'
        f'View<span class="visually-hidden"> claim {escape(row.label)}</span></a></td></tr>'
    )


def history_rows_html(rows: list[HistoryRow]) -> str:
    """The history's rows, formatted here rather than by the template language."""
    return mark_safe("\n".join(_history_text(row) for row in rows))  # noqa: S308 (escaped)


def history_sort_headers(
    columns: list[tuple[str, str]], *, sort: str, qualification_id: int | None
) -> str:
    """The history's column headings, each a link sorting by it (the other way round when
    it is the sort already), the filter kept."""
    keep = f"qualification={qualification_id}&amp;" if qualification_id else ""
    cells = []
    for key, label in columns:
        state = (
            ' aria-sort="ascending"'
            if sort == key
            else ' aria-sort="descending"'
            if sort == f"-{key}"
            else ""
        )
        flip = "-" if sort == key else ""
        cells.append(
            f'<th scope="col"{state}><a href="?{keep}sort={flip}{key}">{escape(label)}</a></th>'
        )
    return mark_safe("\n".join(cells))  # noqa: S308 (escaped above)


_HISTORY_FIELDS = (
    "pk",
    "number",
    "qualification__code",
    "status",
    "line_count",
    "created_at",
    "submitted_at",
    "reference",
)


def _centre_history(
    centre_id: int, cutoff: datetime, qualification_id: int | None, sort: str, sorts: dict
) -> QuerySet[Claim]:
    claims, _ = claim_history(
        Claim.objects.filter(centre_id=centre_id),
        qualification_id=qualification_id,
        sort=sort,
        sorts=sorts,
        cutoff=cutoff,
    )
    return claims


# The history's count and pages, compiled once per process and shape (hub.prepared):
# (filtered by a qualification or not, the sort) -> query.
_history_queries: dict[tuple, Prepared] = {}


def _history_query(*, filtered: bool, sort: str, sorts: dict, count: bool) -> Prepared:
    key = (filtered, sort, count, tuple(sorts.items()))
    if (prepared := _history_queries.get(key)) is None:
        kinds = ("int", "datetime", "int") if filtered else ("int", "datetime")

        def build(
            centre_id: int, cutoff: datetime, qualification_id: int | None = None
        ) -> QuerySet:
            claims = _centre_history(centre_id, cutoff, qualification_id, sort, sorts)
            if count:
                return claims.order_by().values_list("pk")
            if "line_count" not in claims.query.annotations:
                claims = claims.annotate(line_count=Coalesce(line_count_subquery(), 0))
            return claims.values_list(*_HISTORY_FIELDS)

        prepared = _history_queries[key] = Prepared(build, *kinds, window=not count)
    return prepared


class HistoryPages:
    """The history's list for Paginator: its length, and a page as finished rows, each with
    its line count (a subquery per row: no second query)."""

    def __init__(
        self,
        centre_id: int,
        *,
        qualification_id: int | None,
        sort: str,
        sorts: dict[str, str],
        cutoff: datetime | None = None,
        total: int | None = None,
    ):
        """``cutoff`` and ``total`` when read already (``history_filter``)."""
        self.sort = sort if sort.lstrip("-") in sorts else ""
        self.sorts = sorts
        self.qualification_id = qualification_id
        keys = [centre_id, cutoff or timezone.now() - HISTORY_RETENTION]
        if qualification_id:
            keys.append(qualification_id)
        self.keys = keys
        self.url = url_maker("claims:claim-detail")
        self._total = total

    def _query(self, *, count: bool) -> Prepared:
        return _history_query(
            filtered=bool(self.qualification_id), sort=self.sort, sorts=self.sorts, count=count
        )

    def count(self) -> int:
        if self._total is None:
            self._total = self._query(count=True).count(*self.keys)
        return self._total

    def __getitem__(self, window: slice) -> list[HistoryRow]:
        start, stop = window.start or 0, window.stop
        rows = self._query(count=False).rows(*self.keys, limit=stop - start, offset=start)
        statuses = dict(ClaimStatus.choices)
        return [
            HistoryRow(
                number=number or "—",
                qualification_code=code,
                status=statuses.get(status, status),
                line_count=line_count,
                created_at=short_date(created_at),
                submitted_at=short_date(submitted_at, blank="—"),
                reference=reference or "—",
                url=self.url(pk),
                label=number or str(pk),
            )
            for pk, number, code, status, line_count, created_at, submitted_at, reference in rows
        ]


def assessor_claims(claims: QuerySet[Claim], *, status: str) -> QuerySet[Claim]:
    """ "Claims to assess", to do first: by status, then the latest submitted."""
    if status in ClaimStatus.values:
        claims = claims.filter(status=status)
    return claims.order_by("status", "-submitted_at", "-pk")


@dataclass(frozen=True)
class AssessorRow:
    number: str
    url: str
    centre: str
    qualification_code: str
    status: str
    submitted_at: str
    visit_date: str


def assessor_rows(claims: list[Claim]) -> list[AssessorRow]:
    url = url_maker("claims:assessor-claim")
    return [
        AssessorRow(
            number=c.number or "",
            url=url(c.pk),
            centre=f"{c.centre.number} {c.centre.name}",
            qualification_code=c.qualification.code,
            status=c.get_status_display(),
            submitted_at=short_date(c.submitted_at),
            visit_date=short_date(c.visit_date, blank="—"),
        )
        for c in claims
    ]


# --- Check your answers before "Submit to assessor" (R-NEW-2, R-NEW-6) ---------------------
# In the order a line's first mismatch is named.
CLAIM_MISMATCHES = (
    Mismatch(
        "not_current",
        "The candidate is no longer current on this qualification.",
        "Remove the unit from the claim. If the candidate is still studying, ask your "
        "Customer Data Administrator to make the registration current again.",
    ),
    Mismatch(
        "not_entered",
        "The unit is not on the candidate's registration.",
        "Remove it from the claim, or ask your Customer Data Administrator to enter the "
        "candidate for this unit.",
    ),
    Mismatch(
        "passed",
        "The unit is already passed on the candidate's record.",
        "Remove it from the claim: a unit is claimed once.",
    ),
    Mismatch(
        "claimed",
        "The unit is on another claim or a moderation batch as well.",
        "Remove it from this claim, or take it off the other one.",
    ),
    Mismatch(
        "late",
        "The candidate was entered less than 4 weeks before the moderation visit (R-CLM-12).",
        "Remove the unit from the claim, or ask the awarding body to allow late entries.",
    ),
)
RECONCILE_EXAMPLES = 20  # problem lines named at the top of the page; the rest are counted
CHECK_RETURN = "check"  # ?from=check: a candidate's grades saved go back to the check page


def _mismatch_conditions(claim: Claim) -> dict[str, Q]:
    """Each mismatch as a condition on a ClaimLine row of ``claim``, tested set-wise."""
    registration_id, unit_id = OuterRef("registration_id"), OuterRef("unit_id")
    in_qualification = QualificationUnit.objects.filter(
        qualification_id=claim.qualification_id, unit_id=unit_id
    )
    entered = Registration.entered_units.through.objects.filter(
        registration_id=registration_id, unit_id=unit_id
    )
    selection = UnitSelection.objects.filter(registration_id=registration_id, unit_id=unit_id)
    other_claims = (
        ClaimLine.objects.filter(registration_id=registration_id, unit_id=unit_id)
        .exclude(claim_id=claim.pk)
        .exclude(claim__status=ClaimStatus.WITHDRAWN)
        .exclude(outcome=LINE_WITHDRAWN)
    )
    late = Q(pk__isnull=True)  # never, unless R-CLM-12's entry deadline applies
    if claim.entry_deadline is not None and not claim.late_allowed:
        late = Q(registration__registered_on__gt=claim.entry_deadline)
    return {
        "not_current": Q(registration__is_current=False),
        "not_entered": ~Q(Exists(in_qualification))
        | (Q(registration__entry_type=EntryType.UNIT) & ~Q(Exists(entered))),
        "passed": Q(Exists(selection.exclude(result=""))),
        # Another live claim's line, or any other holder of the PAR selection (a batch),
        # through par.locks' registry, so claims names no batch model.
        "claimed": Q(Exists(other_claims))
        | Q(Exists(selection.exclude(unheld(besides=[claim_holds])))),
        "late": late,
    }


class CheckLine(dict):
    """One claim line as "Check your answers" lists it: flat values and its first mismatch."""

    __getattr__ = dict.get


@dataclass
class ClaimReconciliation:
    """What does not reconcile on a claim: counts by mismatch and the first lines named."""

    lines: int
    candidates: int
    counts: list[tuple[Mismatch, int]]
    problems: int
    examples: list[CheckLine]

    @property
    def clean(self) -> bool:
        return self.problems == 0

    @property
    def unnamed(self) -> int:
        return self.problems - len(self.examples)


_CHECK_FIELDS = {
    "is_current": F("registration__is_current"),
    "first_name": F("registration__learner__first_name"),
    "last_name": F("registration__learner__last_name"),
    "p_number": F("registration__learner__membership_number"),
    "candidate_number": F("registration__learner__candidate_number"),
    "unit_code": F("unit__code"),
    "unit_title": F("unit__title"),
    "assessor_name": F("assessor__name"),
    "assessor_initials": F("assessor__initials"),
}
CHECK_ORDER = (
    "registration__learner__last_name",
    "registration__learner__first_name",
    "registration_id",
    "unit__code",
    "pk",
)


def claim_check_lines(claim: Claim) -> QuerySet:
    """The claim's lines as flat rows with a flag per mismatch, by candidate then unit.

    Slice it (a page) before reading: the flags are worked out for the rows read only.
    """
    conditions = _mismatch_conditions(claim)
    return (
        claim.lines.annotate(**mismatch_flags(conditions))
        .order_by(*CHECK_ORDER)
        .values(
            "pk",
            "registration_id",
            "grade",
            "other_awarding_body",
            *[f"is_{k}" for k in conditions],
            **_CHECK_FIELDS,
        )
    )


def check_rows(claim: Claim, rows: Iterable[dict]) -> list[CheckLine]:
    """Rows of ``claim_check_lines`` as lines with their Change and Remove links."""
    grades = dict(Grade.choices)
    candidate_url = url_maker("claims:candidate-edit", claim.pk)
    other_body_url = url_maker("claims:other-body", claim.pk)
    remove_url = url_maker("claims:line-remove", claim.pk)
    lines = []
    for row in rows:
        mismatch = first_mismatch(row, CLAIM_MISMATCHES)
        line = CheckLine(
            row,
            full_name=f"{row['first_name']} {row['last_name']}",
            grade_label=grades.get(row["grade"], row["grade"]),
            problem=mismatch.says if mismatch else "",
            todo=mismatch.todo if mismatch else "",
            remove_url=remove_url(row["pk"]),
            change_url="",
        )
        # A candidate no longer current has no grade page to go back to: only Remove.
        if row["other_awarding_body"] and row["is_current"]:
            line["change_url"] = other_body_url(row["registration_id"])
        elif row["is_current"]:
            line["change_url"] = f"{candidate_url(row['registration_id'])}?from={CHECK_RETURN}"
        lines.append(line)
    return lines


def claim_reconciliation(
    claim: Claim, *, examples: int = RECONCILE_EXAMPLES
) -> ClaimReconciliation:
    """Every line of ``claim`` against the registrations, in two queries at most.

    One aggregate counts the lines, their candidates and each mismatch over the whole
    claim; when any line fails, one more query names the first ``examples`` of them.
    """
    conditions = _mismatch_conditions(claim)
    totals = claim.lines.aggregate(
        lines=Count("pk"),
        candidates=Count("registration_id", distinct=True),
        problems=Count("pk", filter=any_mismatch(conditions)),
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()},
    )
    named: list[CheckLine] = []
    if totals["problems"] and examples:
        rows = claim_check_lines(claim).filter(any_mismatch(conditions))[:examples]
        named = check_rows(claim, rows)
    return ClaimReconciliation(
        lines=totals["lines"],
        candidates=totals["candidates"],
        counts=[(m, totals[m.key]) for m in CLAIM_MISMATCHES if totals[m.key]],
        problems=totals["problems"],
        examples=named,
    )
