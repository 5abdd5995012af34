"""Reads for the PAR pages: each unit's state for a page of registrations, in fixed queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from centres.models import (
    Centre,
    EntryType,
    Learner,
    Qualification,
    QualificationUnit,
    Registration,
)
from hub.paging import url_maker

from . import rows
from .locks import AnyOf, locks_for
from .models import Result, UnitSelection


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

    @property
    def learner(self) -> Learner:
        return self.registration.learner


def name_or_number(term: str) -> Q:
    """Learners whose surname or P number contains ``term``, any case (R-PAR-1)."""
    term = term.strip()
    return Q(last_name__icontains=term) | Q(membership_number__icontains=term)


def centre_qualifications(centre: Centre) -> QuerySet[Qualification]:
    """Qualifications the centre has current registrations on."""
    return Qualification.objects.filter(
        Exists(
            Registration.objects.filter(
                qualification=OuterRef("pk"), centre=centre, is_current=True
            )
        )
    ).order_by("code")


def learner_cards(registrations: list[Registration]) -> list[LearnerCard]:
    """Each registration with every unit of its qualification and that unit's state."""
    if not registrations:
        return []
    registration_ids = [r.pk for r in registrations]
    # (unit id, code, label HTML) by qualification; the label is the same for every learner.
    units_by_qualification: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for qualification_id, unit_id, mandatory, code, title in (
        QualificationUnit.objects.filter(
            qualification_id__in={r.qualification_id for r in registrations}
        )
        .order_by("position", "unit__code")
        .values_list("qualification_id", "unit_id", "mandatory", "unit__code", "unit__title")
    ):
        units_by_qualification[qualification_id].append(
            (unit_id, code, rows.unit_label(code, title, mandatory=mandatory))
        )
    # No ordering: the model's default joins four tables to sort what a dict holds anyway.
    selections = {
        (registration_id, unit_id): (pk, result, result_at, source)
        for pk, registration_id, unit_id, result, result_at, source in UnitSelection.objects.filter(
            AnyOf(F("registration_id"), registration_ids)
        )
        .order_by()
        .values_list("pk", "registration_id", "unit_id", "result", "result_at", "result_source")
    }
    entries = set(
        Registration.entered_units.through.objects.filter(
            registration_id__in=[r.pk for r in registrations if r.entry_type == EntryType.UNIT]
        ).values_list("registration_id", "unit_id")
    )
    locks = locks_for(pk for pk, result, _, _ in selections.values() if not result)
    remove_url = url_maker("par:remove")
    learner_url = url_maker("par:learner")
    results = dict(Result.choices)

    cards = []
    for registration in registrations:
        learner = registration.learner
        registration_id = registration.pk
        unit_entry = registration.entry_type == EntryType.UNIT
        html = []
        selected = selectable = 0
        for unit_id, code, label in units_by_qualification[registration.qualification_id]:
            selection = selections.get((registration_id, unit_id))
            if selection is not None:
                selected += 1
                pk, result, result_at, source = selection
                if result:
                    state = rows.achieved(
                        _result_text(results.get(result, result), result_at, source)
                    )
                    html.append(rows.state_row(UnitState.ACHIEVED, label, state))
                elif pk in locks:
                    html.append(rows.state_row(UnitState.LOCKED, label, rows.locked(locks[pk])))
                else:
                    state = rows.removable(
                        remove_url=remove_url(pk),
                        registration_id=registration_id,
                        code=code,
                        learner_name=learner.full_name,
                    )
                    html.append(rows.state_row(UnitState.SELECTED, label, state))
            elif not registration.is_current:
                html.append(rows.state_row(UnitState.NOT_CURRENT, label, rows.NOT_CURRENT))
            elif unit_entry and (registration_id, unit_id) not in entries:
                html.append(rows.state_row(UnitState.NOT_ENTERED, label, rows.NOT_ENTERED))
            else:
                selectable += 1
                html.append(rows.selectable_row(registration_id, unit_id, label))
        cards.append(
            LearnerCard(
                registration,
                name=f"{learner.last_name}, {learner.first_name}",
                url=learner_url(learner.pk),
                selected_count=selected,
                selectable_count=selectable,
                # Safe: rows.py escapes every text from the database.
                rows_html=mark_safe("\n".join(html)),  # noqa: S308
            )
        )
    return cards


# What a page of Bulk Add's "Available learners" reads of each registration.
BULK_ROW_FIELDS = (
    "pk",
    "learner__last_name",
    "learner__first_name",
    "learner__membership_number",
    "entry_type",
)


def bulk_rows_html(registrations: list[tuple]) -> str:
    """The rows of one page of Bulk Add's "Available learners", from BULK_ROW_FIELDS
    (par/rows.py escapes)."""
    entry_types = dict(EntryType.choices)
    return mark_safe(  # noqa: S308
        "\n".join(
            rows.bulk_learner_row(
                pk, f"{last_name}, {first_name}", p_number, entry_types.get(entry, entry)
            )
            for pk, last_name, first_name, p_number, entry in registrations
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
        (qualification, group, mark_safe("\n      ".join(_card_html(c, opened) for c in group)))  # noqa: S308
        for qualification, group in groups
    ]


def _card_html(card: LearnerCard, opened: bool) -> str:
    registration, learner = card.registration, card.learner
    return rows.learner_card(
        name=card.name,
        p_number=learner.membership_number,
        first_name=learner.first_name,
        selected=card.selected_count,
        selectable=card.selectable_count,
        units_html=rows.units_table(
            registration_id=registration.pk,
            qualification_code=registration.qualification.code,
            full_name=learner.full_name,
            rows=card.rows_html,
        ),
        url=card.url,
        opened=opened,
    )


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
LEARNER_ORDER = ("last_name", "first_name", "pk")
LEARNER_ORDER_DESC = ("-last_name", "-first_name", "-pk")
# Up to this many registrations, a qualification group is sorted rather than walked.
SORT_AT_MOST = 2000


class RegistrationPages:
    """Current registrations of one centre, grouped by qualification, then by learner name.

    Countable and sliceable, for ``Paginator``, in a fixed number of queries at any size:

    - ``count()`` is one grouped count (learners per qualification), read from the centre's
      registrations index (registration_centre_idx) without joining its learners;
    - a slice is one query: for each qualification the page touches (one, or two at a
      boundary), the learners' ids come from a walk of the learner name index, from
      whichever end of the group is nearer, each learner checked by a probe of the current
      registrations index. The check is a scalar subquery on purpose: an EXISTS would be
      turned into a join, and PostgreSQL would then sort the whole centre by name for every
      page past the first few hundred. A group of at most SORT_AT_MOST is sorted instead.
    """

    def __init__(
        self,
        centre: Centre,
        *,
        qualification: Qualification | None = None,
        learners: Q | None = None,
        registrations: Q | None = None,
        fields: tuple[str, ...] = (),
    ):
        self.centre = centre
        # Given, a slice is tuples of these fields rather than registrations (with their
        # learner and qualification): no model built for a page that prints a few values.
        self.fields = fields
        self.qualification = qualification
        self.learner_filter = learners or Q()
        self.registration_filter = registrations or Q()
        self._groups: list[tuple[int, int]] | None = None

    def _registrations(self) -> QuerySet[Registration]:
        qs = Registration.objects.filter(
            self.registration_filter, centre=self.centre, is_current=True
        )
        if self.qualification is not None:
            qs = qs.filter(qualification=self.qualification)
        if self.learner_filter:
            qs = qs.filter(learner__in=Learner.objects.filter(self.learner_filter))
        return qs

    def groups(self) -> list[tuple[int, int]]:
        """(qualification id, number of registrations) in qualification code order."""
        if self._groups is None:
            # Grouped by id alone, so the count reads the registrations and nothing else
            # (joining the qualification for its code cost a probe per registration).
            counts = dict(
                self._registrations()
                .order_by()
                .values_list("qualification_id")
                .annotate(n=Count("pk"))
            )
            order = (
                list(counts)
                if len(counts) < 2
                else Qualification.objects.filter(pk__in=counts)
                .order_by("code")
                .values_list("pk", flat=True)
            )
            self._groups = [(pk, counts[pk]) for pk in order]
        return self._groups

    def count(self) -> int:
        return sum(n for _, n in self.groups())

    def _learner_ids(self, qualification_id: int, start: int, stop: int, size: int) -> QuerySet:
        """Ids of learners ``start``..``stop`` of one qualification group, by name."""
        if size <= SORT_AT_MOST:
            # A small group: sorting it is cheap, while walking the centre's name index to
            # find its learners probed ~15 learners per row for a group of 1 in 100. The
            # names come by a probe per registration: joined, PostgreSQL read every learner
            # of the awarding body (30,000: 2-20 ms) to sort 200 of them.
            learner = Learner.objects.filter(pk=OuterRef("learner_id")).order_by()
            return (
                self._registrations()
                .filter(qualification_id=qualification_id)
                .alias(
                    **{
                        f"learner_{field}": Subquery(learner.values(field)[:1])
                        for field in LEARNER_ORDER[:2]
                    }
                )
                .order_by(*[f"learner_{f}" for f in LEARNER_ORDER[:2]], "learner_id")
                .values("learner_id")[start:stop]
            )
        registration = (
            Registration.objects.filter(
                self.registration_filter,
                learner=OuterRef("pk"),
                qualification_id=qualification_id,
                is_current=True,
            )
            .order_by()
            .values("pk")[:1]
        )
        learners = (
            Learner.objects.filter(self.learner_filter, centre=self.centre)
            .alias(registration=Subquery(registration))
            .filter(registration__isnull=False)
        )
        if start > size - stop:
            # Nearer the end: walk the index backwards, so no page skips more than half.
            return learners.order_by(*LEARNER_ORDER_DESC).values("pk")[size - stop : size - start]
        return learners.order_by(*LEARNER_ORDER).values("pk")[start:stop]

    def __getitem__(self, window: slice) -> list[Registration]:
        start, stop = window.start or 0, window.stop
        wanted, offset = [], 0
        for qualification_id, size in self.groups():
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                wanted.append(
                    Q(
                        qualification_id=qualification_id,
                        learner_id__in=self._learner_ids(qualification_id, low, high, size),
                    )
                )
            offset += size
        if not wanted:
            return []
        page = Registration.objects.filter(reduce(or_, wanted), is_current=True).order_by(
            "qualification__code", "learner__last_name", "learner__first_name", "learner_id"
        )
        if self.fields:
            return list(page.values_list(*self.fields))
        return list(page.select_related("learner", "qualification"))
