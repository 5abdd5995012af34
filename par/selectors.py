"""Reads for the PAR pages: each unit's state for a page of registrations, in fixed queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from centres.models import (
    Centre,
    EntryType,
    Learner,
    Qualification,
    QualificationUnit,
    Registration,
    RegistrationTally,
    Unit,
)
from hub.paging import url_maker
from hub.sql import any_id_sql, icontains_param, icontains_sql, id_list

from . import rows
from .locks import held_by_sql, held_reason, locks_for
from .models import Result, UnitSelection

# Labels by value, made once: an enum's ``choices`` walks its members on every read.
_RESULT_LABELS = dict(Result.choices)
_ENTRY_TYPE_LABELS = dict(EntryType.choices)


class UnitState:
    SELECTABLE = "selectable"  # a box to tick
    SELECTED = "selected"  # chosen already; may be removed
    LOCKED = "locked"  # chosen and held by a batch or claim
    ACHIEVED = "achieved"  # has a result (R-PAR-2)
    NOT_ENTERED = "not_entered"  # a unit entry registration without an entry for it
    NOT_CURRENT = "not_current"  # the registration is not current


@dataclass
class LearnerCard:
    """One registration and its units, ready to print: counts, names, the learner's record
    link and the unit rows' HTML (par/rows.py) are all made here, once."""

    registration: Registration
    name: str = ""  # "Surname, First name"
    url: str = ""  # the learner's PAR record
    selected_count: int = 0
    selectable_count: int = 0
    rows_html: str = ""
    # The learner's names, escaped (the page's all at once: rows.escape_each).
    first_name_html: str = ""
    last_name_html: str = ""

    @property
    def learner(self) -> Learner:
        return self.registration.learner


def centre_qualifications(centre: Centre) -> QuerySet[Qualification]:
    """Qualifications the centre has current registrations on."""
    return Qualification.objects.filter(
        Exists(
            Registration.objects.filter(
                qualification=OuterRef("pk"), centre=centre, is_current=True
            )
        )
    ).order_by("code")


def centre_qualification_list(centre: Centre | None) -> list[Qualification]:
    """centre_qualifications as a list, by code, read by hand-written SQL through the
    centre's registration tally (a qualification with current registrations has a row with
    n > 0): compiling the queryset's EXISTS was ~0.4 ms of CPU on every filter page. Each
    carries its tally as ``current_registrations``: RegistrationPages of that qualification
    counts by it instead of reading the tally again."""
    if centre is None:
        return []
    sql = (
        f"SELECT q.id, q.code, q.title, t.n FROM {_T.qualification} q INNER JOIN {_T.tally} t"
        " ON t.qualification_id = q.id WHERE t.centre_id = %(centre)s AND t.n > 0"
        " ORDER BY q.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"centre": centre.pk})
        rows = cursor.fetchall()
    # What the page shows of each; any other field is read if ever asked for (deferred).
    fields = ["id", "code", "title"]
    qualifications = []
    for *row, n in rows:
        qualification = Qualification.from_db(connection.alias, fields, row)
        qualification.current_registrations = n
        qualifications.append(qualification)
    return qualifications


def qualification_units(
    centre: Centre | None, qualification_id: object
) -> tuple[Qualification | None, list[tuple[int, str]]]:
    """Qualification ``qualification_id`` if the centre has current registrations on it (as
    centre_qualifications finds it), with its units as Bulk Add's choices, in order: "CODE
    Title", " (mandatory)" when it is; one statement (by the ORM, two that cost ~1 ms of
    CPU to compile). (None, []) for any other value."""
    if centre is None or not str(qualification_id or "").isdigit():
        return None, []
    sql = (
        "SELECT q.id, q.code, q.title, u.id, u.code, u.title, qu.mandatory"
        f" FROM {_T.qualification} q LEFT JOIN {QualificationUnit._meta.db_table} qu"
        f" ON qu.qualification_id = q.id LEFT JOIN {Unit._meta.db_table} u ON u.id = qu.unit_id"
        f" WHERE q.id = %(qualification)s AND EXISTS (SELECT 1 FROM {_T.registration} r"
        " WHERE r.qualification_id = q.id AND r.centre_id = %(centre)s AND r.is_current)"
        " ORDER BY qu.position, u.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"qualification": int(qualification_id), "centre": centre.pk})
        rows = cursor.fetchall()
    if not rows:
        return None, []
    qualification = Qualification.from_db(
        connection.alias, ["id", "code", "title"], list(rows[0][:3])
    )
    units = [
        (unit_id, f"{code} {title}{' (mandatory)' if mandatory else ''}")
        for *_, unit_id, code, title, mandatory in rows
        if unit_id is not None
    ]
    return qualification, units


@dataclass(slots=True)
class _UnitRows:
    """One unit of a qualification as every learner's card prints it, made once per page:
    its code (escaped), its label, and its rows that do not depend on a selection, with
    ``rows.REGISTRATION_SLOT`` where the card's registration id goes."""

    id: int
    code_html: str
    label: str
    selectable: str
    not_current: str
    not_entered: str


def _unit_rows(unit_id: int, code: str, title: str, mandatory: bool) -> _UnitRows:
    code_html = escape(code)
    label = rows.unit_label(code_html, title, mandatory=mandatory)
    return _UnitRows(
        unit_id,
        code_html,
        label,
        rows.selectable_row(rows.REGISTRATION_SLOT, unit_id, label),
        rows.state_row(UnitState.NOT_CURRENT, label, rows.NOT_CURRENT),
        rows.state_row(UnitState.NOT_ENTERED, label, rows.NOT_ENTERED),
    )


def learner_cards(registrations: list[Registration]) -> list[LearnerCard]:
    """Each registration with every unit of its qualification and that unit's state."""
    if not registrations:
        return []
    units_by_qualification: dict[int, list[_UnitRows]] = defaultdict(list)
    unit_entry_ids = [r.pk for r in registrations if r.entry_type == EntryType.UNIT]
    params = {
        "qualifications": id_list({r.qualification_id for r in registrations}),
        "registrations": id_list(r.pk for r in registrations),
        "unit_entry": id_list(unit_entry_ids),
    }
    # Selections by registration, then unit; entries (of unit-entry registrations) likewise.
    selections: dict[int, dict[int, tuple]] = defaultdict(dict)
    entries: dict[int, set[int]] = defaultdict(set)
    # Written by hand (_CARD_SQL): compiled by the ORM, the three cost ~1.5 ms of CPU a page.
    with connection.cursor() as cursor:
        cursor.execute(_card_sql("units", connection.vendor), params)
        for qualification_id, unit_id, mandatory, code, title in cursor.fetchall():
            units_by_qualification[qualification_id].append(
                _unit_rows(unit_id, code, title, bool(mandatory))
            )
        free = []  # selections without a result: a batch or claim may hold them
        locks = {}
        if held_by_sql(connection.vendor, "") is None:
            cursor.execute(_card_sql("selections", connection.vendor), params)
            for pk, registration_id, unit_id, result, result_at, source in cursor.fetchall():
                selections[registration_id][unit_id] = (pk, result, result_at, source)
                if not result:
                    free.append(pk)
        else:
            # Each with its holder, if any: no statement of locks_for's own.
            cursor.execute(_card_sql("held selections", connection.vendor), params)
            for pk, registration_id, unit_id, result, result_at, source, *held in cursor.fetchall():
                selections[registration_id][unit_id] = (pk, result, result_at, source)
                if held[0] is not None:
                    locks[pk] = held_reason(*held)
        if unit_entry_ids:
            cursor.execute(_card_sql("entries", connection.vendor), params)
            for registration_id, unit_id in cursor.fetchall():
                entries[registration_id].add(unit_id)
    if free:
        locks = locks_for(free)
    # The two patterns reversed once per process (hub.paging.url_maker), not on every row.
    remove_url = url_maker("par:remove")
    learner_url = url_maker("par:learner")
    results = _RESULT_LABELS
    slot = rows.REGISTRATION_SLOT
    no_selections: dict[int, tuple] = {}
    all_selectable: dict[int, str] = {}  # by qualification: its rows, every one selectable

    first_names = rows.escape_each([r.learner.first_name for r in registrations])
    last_names = rows.escape_each([r.learner.last_name for r in registrations])

    cards = []
    for registration, first_html, last_html in zip(
        registrations, first_names, last_names, strict=True
    ):
        learner = registration.learner
        registration_id = registration.pk
        units = units_by_qualification[registration.qualification_id]
        chosen = selections.get(registration_id, no_selections)
        current = registration.is_current
        # The units a unit-entry registration is entered for; None: a full entry, all of them.
        entered = entries[registration_id] if registration.entry_type == EntryType.UNIT else None
        if not chosen and current and entered is None:
            # Nothing selected yet and every unit open to it: every row a box to tick.
            rows_html = all_selectable.get(registration.qualification_id)
            if rows_html is None:
                rows_html = all_selectable[registration.qualification_id] = "\n".join(
                    unit.selectable for unit in units
                )
            cards.append(
                LearnerCard(
                    registration,
                    name=f"{learner.last_name}, {learner.first_name}",
                    url=learner_url(learner.pk),
                    selectable_count=len(units),
                    # Safe: rows.py escapes every text from the database.
                    rows_html=SafeString(rows_html.replace(slot, str(registration_id))),
                    first_name_html=first_html,
                    last_name_html=last_html,
                )
            )
            continue
        html = []
        selected = selectable = 0
        name_html = f"{first_html} {last_html}"  # as Learner.full_name
        for unit in units:
            selection = chosen.get(unit.id)
            if selection is not None:
                selected += 1
                pk, result, result_at, source = selection
                if result:
                    text = _result_text(results.get(result, result), _aware(result_at), source)
                    state = rows.state_row(UnitState.ACHIEVED, unit.label, rows.achieved(text))
                elif pk in locks:
                    state = rows.state_row(UnitState.LOCKED, unit.label, rows.locked(locks[pk]))
                else:
                    button = rows.removable(
                        remove_url=remove_url(pk),
                        registration_id=slot,
                        code=unit.code_html,
                        learner_name=name_html,
                    )
                    state = rows.state_row(UnitState.SELECTED, unit.label, button)
                html.append(state)
            elif not current:
                html.append(unit.not_current)
            elif entered is not None and unit.id not in entered:
                html.append(unit.not_entered)
            else:
                selectable += 1
                html.append(unit.selectable)
        cards.append(
            LearnerCard(
                registration,
                name=f"{learner.last_name}, {learner.first_name}",
                url=learner_url(learner.pk),
                selected_count=selected,
                selectable_count=selectable,
                # Safe: rows.py escapes every text from the database.
                rows_html=SafeString("\n".join(html).replace(slot, str(registration_id))),
                first_name_html=first_html,
                last_name_html=last_html,
            )
        )
    return cards


@lru_cache(maxsize=8)
def _card_sql(name: str, vendor: str = "") -> str:
    """learner_cards' reads: a page's qualifications' units in order, its registrations'
    selections (no ordering: they go into a dict), with their holders when par.locks can
    give them in the same statement ("held selections"), and its unit-entry registrations'
    entries."""
    units, selection = QualificationUnit._meta.db_table, UnitSelection._meta.db_table
    if name == "units":
        return (
            "SELECT qu.qualification_id, qu.unit_id, qu.mandatory, u.code, u.title"
            f" FROM {units} qu INNER JOIN {Unit._meta.db_table} u ON u.id = qu.unit_id"
            f" WHERE {any_id_sql('qu.qualification_id', 'qualifications')}"
            " ORDER BY qu.position, u.code"
        )
    if name == "selections":
        return (
            "SELECT s.id, s.registration_id, s.unit_id, s.result, s.result_at,"
            f" s.result_source FROM {selection} s"
            f" WHERE {any_id_sql('s.registration_id', 'registrations')}"
        )
    if name == "held selections":
        # The page's selections once (a CTE read twice), the holders of those without a
        # result among them, by the same probes as locks_for's statement.
        held = held_by_sql(vendor, "ARRAY(SELECT chosen.id FROM chosen WHERE chosen.result = '')")
        return (
            "WITH chosen AS (SELECT s.id, s.registration_id, s.unit_id, s.result, s.result_at,"
            f" s.result_source FROM {selection} s"
            f" WHERE {any_id_sql('s.registration_id', 'registrations')})"
            " SELECT c.id, c.registration_id, c.unit_id, c.result, c.result_at, c.result_source,"
            f" h.place, h.holder_id, h.status FROM chosen c LEFT JOIN {held} h"
            " ON h.selection_id = c.id"
        )
    if name == "entries":
        return (
            f"SELECT e.registration_id, e.unit_id FROM {_T.entered} e"
            f" WHERE {any_id_sql('e.registration_id', 'unit_entry')}"
        )
    raise ValueError(name)


def _aware(value: datetime | str | None) -> datetime | None:
    """A datetime column read by hand as the ORM gives it: aware (SQLite's come naive, in
    the connection's time zone, UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


def bulk_rows_html(registrations: list[PageRegistration]) -> str:
    """The rows of one page of Bulk Add's "Available learners" (par/rows.py escapes)."""
    entry_types = _ENTRY_TYPE_LABELS
    return mark_safe(  # noqa: S308
        rows.bulk_learner_rows(
            [
                (
                    r.pk,
                    f"{r.learner.last_name}, {r.learner.first_name}",
                    r.learner.membership_number,
                    entry_types.get(r.entry_type, r.entry_type),
                )
                for r in registrations
            ]
        )
    )


def cards_by_qualification(
    cards: list[LearnerCard], *, opened: bool = False
) -> list[tuple[Qualification, list, str]]:
    """The cards in runs of one qualification each (they come sorted by qualification), each
    run with its cards' HTML (par/rows.py escapes), ``opened`` or closed."""
    groups: list[tuple[Qualification, list]] = []
    for card in cards:
        qualification = card.registration.qualification
        if not groups or groups[-1][0].pk != qualification.pk:
            groups.append((qualification, []))
        groups[-1][1].append(card)
    return [
        (qualification, group, _cards_html(group, escape(qualification.code), opened))
        for qualification, group in groups
    ]


def _cards_html(cards: list[LearnerCard], code_html: str, opened: bool) -> str:
    numbers = rows.escape_each([card.learner.membership_number for card in cards])
    html = [
        rows.learner_card(
            registration_id=card.registration.pk,
            first_name=card.first_name_html,
            last_name=card.last_name_html,
            p_number=number,
            qualification_code=code_html,
            selected=card.selected_count,
            selectable=card.selectable_count,
            rows=card.rows_html,
            url=card.url,
            opened=opened,
        )
        for card, number in zip(cards, numbers, strict=True)
    ]
    # Safe: rows.py escapes every text from the database.
    return mark_safe("\n      ".join(html))  # noqa: S308


def _result_text(result: str, result_at: datetime | None, source: str) -> str:
    """What an achieved unit shows instead of a box (R-PAR-2): result, when, from where."""
    at = date_format(localtime(result_at), "j M Y H:i") if result_at else ""
    text = ", ".join(part for part in (result, at) if part)
    return f"{text} ({source})" if source else text


def bulk_availability(unit_ids: list[int]) -> Q:
    """Registrations with none of ``unit_ids`` selected that may take them all (R-PAR-4).

    Unit-entry registrations are offered only when they are entered for every chosen unit,
    so that a bulk update never breaks R-PAR-5.
    """
    available = ~Exists(
        UnitSelection.objects.filter(registration=OuterRef("pk"), unit_id__in=unit_ids)
    )
    through = Registration.entered_units.through
    for unit_id in unit_ids:
        available &= Q(entry_type=EntryType.FULL) | Exists(
            through.objects.filter(registration_id=OuterRef("pk"), unit_id=unit_id)
        )
    return available


def bulk_available_registrations(
    centre: Centre, qualification: Qualification, unit_ids: list[int]
) -> QuerySet[Registration]:
    """Current registrations on ``qualification`` still available for ``unit_ids`` (R-PAR-4)."""
    return Registration.objects.filter(
        bulk_availability(unit_ids),
        centre=centre,
        qualification=qualification,
        is_current=True,
    )


# Learners are listed by name, in the order of the index on (centre, last_name, first_name,
# id) (centres migration 0002): a page is found by walking that index, never by sorting the
# whole centre.
# Up to this many registrations, a qualification group is sorted rather than walked.
SORT_AT_MOST = 2000


# Plain slotted dataclasses: a frozen one sets each field through object.__setattr__, 0.38
# against 0.09 us a row object (timeit), and Bulk Add's page of 100 makes 200 of them.
@dataclass(slots=True)
class PageQualification:
    pk: int
    code: str
    title: str


@dataclass(slots=True)
class PageLearner:
    pk: int
    first_name: str
    last_name: str
    membership_number: str

    @property
    def full_name(self) -> str:  # as Learner.full_name
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class PageRegistration:
    """A registration of a page, with what its row or card prints of its learner and
    qualification (learner_cards takes these or Registration models alike)."""

    pk: int
    qualification_id: int
    entry_type: str
    is_current: bool
    learner: PageLearner
    qualification: PageQualification


_ON_QUALIFICATION = "r.qualification_id = %(qualification)s"


class RegistrationPages:
    """Current registrations of one centre, grouped by qualification, then by learner name.

    Countable and sliceable, for ``Paginator``, in a fixed number of queries at any size,
    each written by hand (compiled by the ORM, the count and the page cost 3-5 ms of CPU):

    - ``count()`` is one statement: the centre's tally of current registrations per
      qualification (RegistrationTally) when nothing but the qualification is asked, Bulk
      Add's tally less what its chosen units rule out (``_available_count_sql``), else a
      grouped count read from the centre's registrations index (registration_centre_idx)
      without joining its learners; each group with its qualification's code, for order;
    - a slice is one query: for each qualification the page touches (one, or two at a
      boundary), the learners' ids come from a walk of the learner name index, from
      whichever end of the group is nearer, each learner checked by a probe of the current
      registrations index. The check is a scalar subquery on purpose: an EXISTS would be
      turned into a join, and PostgreSQL would then sort the whole centre by name for every
      page past the first few hundred. A group of at most SORT_AT_MOST is sorted instead.

    ``search``: the learner's surname or P number contains it, any case (R-PAR-1).
    ``available_for``: unit ids; only registrations Bulk Add may give them all to (R-PAR-4,
    as ``bulk_availability``).
    """

    def __init__(
        self,
        centre: Centre,
        *,
        qualification: Qualification | None = None,
        search: str = "",
        available_for: list[int] | None = None,
    ):
        self.params: dict = {"centre": centre.pk}
        # Conditions on the registration (r) and on the learner (l).
        self.on_registration, self.on_learner = [], []
        if qualification is not None:
            self.on_registration.append(_ON_QUALIFICATION)
            self.params["qualification"] = qualification.pk
        if search.strip():
            self.on_learner.append(
                f"({icontains_sql('l.last_name', 'term')}"
                f" OR {icontains_sql('l.membership_number', 'term')})"
            )
            self.params["term"] = icontains_param(search.strip())
        self.qualification = qualification
        # Nothing asked but the qualification: the centre's tally counts every group.
        self.counted_by_tally = available_for is None and not self.on_learner
        # Bulk Add's list of one qualification: counted from the chosen units' selections.
        self.counted_by_units = (
            available_for is not None and qualification is not None and not self.on_learner
        )
        if available_for is not None:
            units = sorted(set(available_for))
            self.on_registration.append(_available_sql(connection.vendor))
            self.params.update(
                units=id_list(units),
                unit_count=len(units),
                full=EntryType.FULL.value,
                unit_entry=EntryType.UNIT.value,
            )
        self._groups: list[tuple[int, int]] | None = None
        tallied = getattr(qualification, "current_registrations", None)
        if self.counted_by_tally and tallied is not None:
            # The qualification came from centre_qualification_list, its tally read with it.
            self._groups = [(qualification.pk, tallied)] if tallied > 0 else []

    def _where(self) -> str:
        """The conditions on the registration ``r``, the learner's by an IN."""
        where = list(self.on_registration)
        if self.on_learner:
            learners = " AND ".join(self.on_learner)
            where.append(f"r.learner_id IN (SELECT l.id FROM {_T.learner} l WHERE {learners})")
        return "".join(f" AND {condition}" for condition in where)

    def groups(self) -> list[tuple[int, int]]:
        """(qualification id, number of registrations) in qualification code order."""
        if self._groups is None:
            if self.counted_by_units:
                # Bulk Add: the tally less the learners the chosen units rule out, read from
                # those units' selections instead of probing all 23,700 registrations (20k
                # bench: 2.7 -> 0.7 ms of PostgreSQL for rare units, 5.2 -> 2.9 for common).
                with connection.cursor() as cursor:
                    cursor.execute(
                        _available_count_sql(connection.vendor, PROBE_SELECTIONS_BELOW),
                        self.params,
                    )
                    (n,) = cursor.fetchone()
                self._groups = [(self.qualification.pk, n)] if n > 0 else []
                return self._groups
            if self.counted_by_tally:
                # Every current registration (of one qualification): the counts the
                # database keeps (centres.RegistrationTally), a few rows, instead of counting
                # 23,000 registrations (1.5-3 ms of PostgreSQL).
                groups = (
                    f"SELECT t.qualification_id, t.n FROM {_T.tally} t"
                    " WHERE t.centre_id = %(centre)s AND t.n > 0"
                    + (" AND t.qualification_id = %(qualification)s" if self.qualification else "")
                )
            else:
                # Grouped by id alone, so the count reads the registrations and nothing else
                # (joining the qualification for its code cost a probe per registration).
                groups = (
                    "SELECT r.qualification_id, COUNT(*) AS n"
                    f" FROM {_T.registration} r WHERE r.centre_id = %(centre)s AND r.is_current"
                    f"{self._where()} GROUP BY r.qualification_id"
                )
            # The code comes by one probe per group.
            sql = (
                f"SELECT g.qualification_id, g.n FROM ({groups}) g ORDER BY"
                f" (SELECT q.code FROM {_T.qualification} q WHERE q.id = g.qualification_id)"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, self.params)
                self._groups = cursor.fetchall()
        return self._groups

    def count(self) -> int:
        return sum(n for _, n in self.groups())

    def _learner_ids(self, key: str, start: int, stop: int, size: int) -> str:
        """SQL for the ids of learners ``start``..``stop`` of the group whose qualification is
        the parameter ``key``, by name; its limit and offset go into ``self.params``."""
        if size <= SORT_AT_MOST:
            # A small group: sorting it is cheap, while walking the centre's name index to
            # find its learners probed ~15 learners per row for a group of 1 in 100. The
            # names come by a probe per registration: joined, PostgreSQL read every learner
            # of the awarding body (30,000: 2-20 ms) to sort 200 of them.
            self.params[f"{key}_limit"], self.params[f"{key}_offset"] = stop - start, start
            name = f"(SELECT n.%s FROM {_T.learner} n WHERE n.id = r.learner_id)"
            return (
                f"SELECT r.learner_id FROM {_T.registration} r WHERE r.centre_id = %(centre)s"
                f" AND r.is_current AND r.qualification_id = %({key})s{self._where()}"
                f" ORDER BY {name % 'last_name'}, {name % 'first_name'}, r.learner_id"
                f" LIMIT %({key}_limit)s OFFSET %({key}_offset)s"
            )
        direction = ""
        if start > size - stop:
            # Nearer the end: walk the index backwards, so no page skips more than half.
            start, stop, direction = size - stop, size - start, " DESC"
        self.params[f"{key}_limit"], self.params[f"{key}_offset"] = stop - start, start
        on_registration = "".join(f" AND {c}" for c in self.on_registration)
        on_learner = "".join(f" AND {c}" for c in self.on_learner)
        return (
            f"SELECT l.id FROM {_T.learner} l WHERE l.centre_id = %(centre)s{on_learner}"
            f" AND (SELECT r.id FROM {_T.registration} r WHERE r.learner_id = l.id"
            f" AND r.qualification_id = %({key})s AND r.is_current{on_registration}"
            f" LIMIT 1) IS NOT NULL ORDER BY l.last_name{direction},"
            f" l.first_name{direction}, l.id{direction}"
            f" LIMIT %({key}_limit)s OFFSET %({key}_offset)s"
        )

    def _walk(self, key: str, start: int, stop: int, size: int) -> str:
        """The page's rows when it lies in one group that is walked and no search narrows
        the learners: the whole page is the walk of the learner name index.

        The window's size is written into the text and its offset read through a subquery:
        with both as parameters PostgreSQL planned the statement afresh on every view (the
        custom plan, offset known, always looked cheaper than the generic one, offset
        guessed), and planning was half its cost; an offset it cannot see costs the same
        either way, so it keeps the generic plan. The registration is the walk's probe
        itself (a LATERAL join on PostgreSQL, a scalar subquery on SQLite, which has no
        LATERAL): no second probe of the learner's registrations, no IN list to hash."""
        direction = ""
        if start > size - stop:
            # Nearer the end: walk the index backwards, so no page skips more than half.
            start, stop, direction = size - stop, size - start, " DESC"
        self.params[f"{key}_offset"] = start
        on_registration = "".join(f" AND {c}" for c in self.on_registration)
        probe = (
            f"FROM {_T.registration} r WHERE r.learner_id = w.id"
            f" AND r.qualification_id = %({key})s AND r.is_current{on_registration} LIMIT 1"
        )
        order = f"ORDER BY w.last_name{direction}, w.first_name{direction}, w.id{direction}"
        window = f"LIMIT {int(stop - start)} OFFSET (SELECT CAST(%({key}_offset)s AS BIGINT))"
        if connection.vendor == "postgresql":
            learners = (
                "SELECT p.id AS registration_id, p.entry_type, w.id, w.last_name, w.first_name"
                f" FROM {_T.learner} w CROSS JOIN LATERAL (SELECT r.id, r.entry_type {probe}) p"
                f" WHERE w.centre_id = %(centre)s {order} {window}"
            )
            entry = "p.entry_type"
            registration = ""
        else:
            learners = (
                f"SELECT (SELECT r.id {probe}) AS registration_id, w.id, w.last_name,"
                f" w.first_name FROM {_T.learner} w WHERE w.centre_id = %(centre)s"
                f" AND (SELECT r.id {probe}) IS NOT NULL {order} {window}"
            )
            entry = "g.entry_type"
            registration = f" INNER JOIN {_T.registration} g ON g.id = p.registration_id"
        return (
            f"SELECT p.registration_id, q.id, {entry}, TRUE, p.id, p.first_name, p.last_name,"
            f" l.membership_number, q.code, q.title FROM ({learners}) p{registration}"
            f" INNER JOIN {_T.learner} l ON l.id = p.id"
            f" INNER JOIN {_T.qualification} q ON q.id = %({key})s"
            " ORDER BY p.last_name, p.first_name, p.id"
        )

    def _sorted(self, key: str, start: int, stop: int) -> str:
        """The page's rows when it lies in one small group (sorted, as ``_learner_ids``
        sorts it) and no search narrows the learners: the page's registrations come from
        the sort itself, and, as in ``_walk``, the window's size is written into the text
        and its offset read through a subquery, so PostgreSQL keeps one plan."""
        self.params[f"{key}_offset"] = start
        name = f"(SELECT n.%s FROM {_T.learner} n WHERE n.id = r.learner_id)"
        # The group's keys too are read through subqueries: known, a small group's custom
        # plan looked cheaper than the generic one and was planned on every view. (The
        # qualification asked for is the group itself.)
        conditions = "".join(f" AND {c}" for c in self.on_registration if c != _ON_QUALIFICATION)
        group = (
            " WHERE r.centre_id = (SELECT CAST(%(centre)s AS BIGINT)) AND r.is_current"
            f" AND r.qualification_id = (SELECT CAST(%({key})s AS BIGINT)){conditions}"
        )
        window = f"LIMIT {int(stop - start)} OFFSET (SELECT CAST(%({key}_offset)s AS BIGINT))"
        if connection.vendor == "postgresql":
            # One probe of the learner per registration gives all the row prints of them
            # (two scalar subqueries probed twice, and the page joined the learner again);
            # OFFSET 0 keeps the probe a probe (flattened into a join, PostgreSQL could
            # hash every learner of the awarding body to sort a small group).
            return (
                "SELECT p.id, q.id, p.entry_type, TRUE, p.learner_id, p.first_name, p.last_name,"
                " p.membership_number, q.code, q.title FROM (SELECT r.id, r.entry_type,"
                " r.learner_id, n.first_name, n.last_name, n.membership_number"
                f" FROM {_T.registration} r CROSS JOIN LATERAL (SELECT l.first_name,"
                f" l.last_name, l.membership_number FROM {_T.learner} l"
                f" WHERE l.id = r.learner_id OFFSET 0) n{group}"
                f" ORDER BY n.last_name, n.first_name, r.learner_id {window}) p"
                f" INNER JOIN {_T.qualification} q ON q.id = %({key})s"
                " ORDER BY p.last_name, p.first_name, p.learner_id"
            )
        page = (
            f"SELECT r.id, r.entry_type, r.learner_id FROM {_T.registration} r{group}"
            f" ORDER BY {name % 'last_name'}, {name % 'first_name'}, r.learner_id {window}"
        )
        return (
            "SELECT p.id, q.id, p.entry_type, TRUE, l.id, l.first_name, l.last_name,"
            f" l.membership_number, q.code, q.title FROM ({page}) p"
            f" INNER JOIN {_T.learner} l ON l.id = p.learner_id"
            f" INNER JOIN {_T.qualification} q ON q.id = %({key})s"
            " ORDER BY l.last_name, l.first_name, p.learner_id"
        )

    def __getitem__(self, window: slice) -> list[PageRegistration]:
        start, stop = window.start or 0, window.stop
        wanted, touched, offset = [], [], 0
        for qualification_id, size in self.groups():
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                touched.append((qualification_id, low, high, size))
            offset += size
        if not touched:
            return []
        if len(touched) == 1 and not self.on_learner:
            qualification_id, low, high, size = touched[0]
            self.params["group0"] = qualification_id
            if size > SORT_AT_MOST:
                sql = self._walk("group0", low, high, size)
            else:
                sql = self._sorted("group0", low, high)
        else:
            for qualification_id, low, high, size in touched:
                key = f"group{len(wanted)}"
                self.params[key] = qualification_id
                ids = self._learner_ids(key, low, high, size)
                wanted.append(f"(r.qualification_id = %({key})s AND r.learner_id IN ({ids}))")
            sql = (
                "SELECT r.id, r.qualification_id, r.entry_type, r.is_current, l.id, l.first_name,"
                " l.last_name, l.membership_number, q.code, q.title"
                f" FROM {_T.registration} r INNER JOIN {_T.learner} l ON l.id = r.learner_id"
                f" INNER JOIN {_T.qualification} q ON q.id = r.qualification_id"
                f" WHERE r.is_current AND ({' OR '.join(wanted)})"
                " ORDER BY q.code, l.last_name, l.first_name, r.learner_id"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            rows = cursor.fetchall()
        qualifications: dict[int, PageQualification] = {}
        page = []
        for (
            pk,
            qualification_id,
            entry,
            current,
            learner_id,
            first,
            last,
            number,
            code,
            title,
        ) in rows:
            qualification = qualifications.get(qualification_id)
            if qualification is None:
                qualification = qualifications[qualification_id] = PageQualification(
                    qualification_id, code, title
                )
            learner = PageLearner(learner_id, first, last, number)
            page.append(
                PageRegistration(pk, qualification_id, entry, bool(current), learner, qualification)
            )
        return page


class _Tables:
    """Table names for the hand-written SQL above, read once the models are loaded."""

    @cached_property
    def registration(self) -> str:
        return Registration._meta.db_table

    @cached_property
    def learner(self) -> str:
        return Learner._meta.db_table

    @cached_property
    def qualification(self) -> str:
        return Qualification._meta.db_table

    @cached_property
    def selection(self) -> str:
        return UnitSelection._meta.db_table

    @cached_property
    def entered(self) -> str:
        return Registration.entered_units.through._meta.db_table

    @cached_property
    def tally(self) -> str:
        return RegistrationTally._meta.db_table


_T = _Tables()


@lru_cache(maxsize=2)
def _available_sql(vendor: str) -> str:
    """``bulk_availability`` on the registration ``r``: none of the units (``%(units)s``)
    selected, and a unit-entry registration entered for every one (``%(unit_count)s``
    distinct ids). Keep it, ``bulk_availability`` and ``_available_count_sql`` alike."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {_T.selection} s WHERE s.registration_id = r.id"
        f" AND {any_id_sql('s.unit_id', 'units')}) AND (r.entry_type = %(full)s"
        f" OR (SELECT COUNT(*) FROM {_T.entered} e WHERE e.registration_id = r.id"
        f" AND {any_id_sql('e.unit_id', 'units')}) = %(unit_count)s)"
    )


# Bulk Add's count: below this many selections of the chosen units (in every centre), the
# full entries they rule out are found from those selections, a probe of the registration
# each; from this many on, by walking the group's registrations, a probe of selections each.
PROBE_SELECTIONS_BELOW = 1000


@lru_cache(maxsize=4)
def _available_count_sql(vendor: str, probe_below: int) -> str:
    """How many current registrations of the centre (``%(centre)s``) on the qualification
    (``%(qualification)s``) ``_available_sql`` keeps, in one row: their tally, less the full
    entries holding a chosen unit, less the unit entries that hold one or lack an entry for
    one (a range of registration_centre_idx: entry_type = 'unit', not <> 'full', which would
    read the whole group). Exact because a full entry qualifies iff it holds none of the
    units, a unit entry iff it holds none and is entered for all, and every registration is
    one or the other (EntryType). Checked against the ORM's count in par/tests/test_pages.py;
    keep the three alike.

    On PostgreSQL the values are read through a subquery (``g``), so the statement keeps one
    plan: with them as plain parameters the custom plan (the units known) always looked
    cheaper, and planning it was most of the statement's cost on every view. Which way the
    full entries are counted then depends on the data, not on a plan: the cheap way for the
    units' selections as they are (``probe_below``), decided by the statement as it runs."""
    if vendor != "postgresql":
        group = (
            "r.centre_id = %(centre)s AND r.qualification_id = %(qualification)s AND r.is_current"
        )
        return (
            f"SELECT COALESCE((SELECT t.n FROM {_T.tally} t WHERE t.centre_id = %(centre)s"
            " AND t.qualification_id = %(qualification)s), 0)"
            f" - (SELECT COUNT(DISTINCT s.registration_id) FROM {_T.selection} s"
            f" INNER JOIN {_T.registration} r ON r.id = s.registration_id"
            f" WHERE {any_id_sql('s.unit_id', 'units')} AND {group} AND r.entry_type = %(full)s)"
            f" - (SELECT COUNT(*) FROM {_T.registration} r WHERE {group}"
            " AND r.entry_type = %(unit_entry)s AND NOT ("
            f"NOT EXISTS (SELECT 1 FROM {_T.selection} s WHERE s.registration_id = r.id"
            f" AND {any_id_sql('s.unit_id', 'units')})"
            f" AND (SELECT COUNT(*) FROM {_T.entered} e WHERE e.registration_id = r.id"
            f" AND {any_id_sql('e.unit_id', 'units')}) = %(unit_count)s))"
        )
    group = "r.centre_id = g.centre AND r.qualification_id = g.qualification AND r.is_current"
    full, unit = EntryType.FULL.value, EntryType.UNIT.value
    limit = int(probe_below)
    return (
        f"SELECT COALESCE((SELECT t.n FROM {_T.tally} t WHERE t.centre_id = g.centre"
        " AND t.qualification_id = g.qualification), 0)"
        # Few selections of the units: each one's registration probed (the LATERAL per unit,
        # kept apart by OFFSET 0, reads the unit index; the probe is a scalar subquery so
        # it stays a probe).
        f" - CASE WHEN (SELECT COUNT(*) FROM (SELECT 1 FROM {_T.selection} s"
        f" WHERE s.unit_id = ANY(g.units) LIMIT {limit}) f) < {limit}"
        " THEN (SELECT COUNT(DISTINCT s.registration_id) FROM unnest(g.units) AS c(unit_id)"
        f" CROSS JOIN LATERAL (SELECT s.registration_id FROM {_T.selection} s"
        " WHERE s.unit_id = c.unit_id OFFSET 0) s"
        f" WHERE (SELECT r.id FROM {_T.registration} r WHERE r.id = s.registration_id"
        f" AND {group} AND r.entry_type = '{full}') IS NOT NULL)"
        # Many: the group's full entries, each probed for a selection of the units.
        f" ELSE (SELECT COUNT(*) FROM {_T.registration} r WHERE {group}"
        f" AND r.entry_type = '{full}' AND EXISTS (SELECT 1 FROM {_T.selection} s"
        " WHERE s.registration_id = r.id AND s.unit_id = ANY(g.units))) END"
        f" - (SELECT COUNT(*) FROM {_T.registration} r WHERE {group}"
        f" AND r.entry_type = '{unit}' AND NOT ("
        f"NOT EXISTS (SELECT 1 FROM {_T.selection} s WHERE s.registration_id = r.id"
        " AND s.unit_id = ANY(g.units))"
        f" AND (SELECT COUNT(*) FROM {_T.entered} e WHERE e.registration_id = r.id"
        " AND e.unit_id = ANY(g.units)) = g.unit_count))"
        " FROM (SELECT CAST(%(centre)s AS BIGINT) AS centre,"
        " CAST(%(qualification)s AS BIGINT) AS qualification,"
        " CAST(%(units)s AS BIGINT[]) AS units, CAST(%(unit_count)s AS BIGINT) AS unit_count"
        " OFFSET 0) g"
    )
