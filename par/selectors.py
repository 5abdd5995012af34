"""Reads for the PAR pages: each unit's state for a page of registrations, in fixed queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.formats import date_format
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

from .locks import locks_for
from .models import UnitSelection


class UnitState:
    SELECTABLE = "selectable"  # a box to tick
    SELECTED = "selected"  # chosen already; may be removed
    LOCKED = "locked"  # chosen and held by a batch or claim
    ACHIEVED = "achieved"  # has a result (R-PAR-2)
    NOT_ENTERED = "not_entered"  # a unit entry registration without an entry for it
    NOT_CURRENT = "not_current"  # the registration is not current


@dataclass
class UnitRow:
    unit: object
    mandatory: bool
    state: str
    selection: UnitSelection | None = None
    reason: str = ""
    registration_id: int = 0
    # Prepared once here, so a page of 300 rows costs the template no lookups or reversing.
    dom_id: str = ""  # "<registration id>-<unit id>", for ids and labels
    remove_url: str = ""
    result_text: str = ""  # "Pass, 3 Mar 2026 10:00 (Batch 12)" for an achieved unit

    @property
    def key(self) -> str:
        """The value of this unit's checkbox: "<registration id>:<unit id>"."""
        return f"{self.registration_id}:{self.unit.pk}"


@dataclass
class LearnerCard:
    registration: Registration
    rows: list[UnitRow] = field(default_factory=list)

    @property
    def learner(self):
        return self.registration.learner

    @property
    def selectable_count(self) -> int:
        return sum(1 for row in self.rows if row.state == UnitState.SELECTABLE)

    @property
    def selected_count(self) -> int:
        return sum(1 for row in self.rows if row.state != UnitState.SELECTABLE and row.selection)


def name_or_number(term: str) -> Q:
    """Learners whose surname or P number contains ``term``, any case (R-PAR-1)."""
    term = term.strip()
    return Q(last_name__icontains=term) | Q(membership_number__icontains=term)


def centre_qualifications(centre: Centre) -> QuerySet[Qualification]:
    """Qualifications the centre has current registrations on."""
    return Qualification.objects.filter(
        Exists(
            Registration.objects.filter(
                qualification=OuterRef("pk"), learner__centre=centre, is_current=True
            )
        )
    ).order_by("code")


def learner_cards(registrations: list[Registration]) -> list[LearnerCard]:
    """Each registration with every unit of its qualification and that unit's state."""
    if not registrations:
        return []
    registration_ids = [r.pk for r in registrations]
    units_by_qualification: dict[int, list[QualificationUnit]] = defaultdict(list)
    for qu in (
        QualificationUnit.objects.filter(
            qualification_id__in={r.qualification_id for r in registrations}
        )
        .select_related("unit")
        .order_by("position", "unit__code")
    ):
        units_by_qualification[qu.qualification_id].append(qu)
    selections = {
        (s.registration_id, s.unit_id): s
        for s in UnitSelection.objects.filter(registration_id__in=registration_ids)
    }
    entries = set(
        Registration.entered_units.through.objects.filter(
            registration_id__in=[r.pk for r in registrations if r.entry_type == EntryType.UNIT]
        ).values_list("registration_id", "unit_id")
    )
    locks = locks_for(s.pk for s in selections.values() if not s.is_achieved)
    remove_url = url_maker("par:remove")

    cards = []
    for registration in registrations:
        card = LearnerCard(registration)
        for qu in units_by_qualification[registration.qualification_id]:
            selection = selections.get((registration.pk, qu.unit_id))
            row = UnitRow(
                unit=qu.unit,
                mandatory=qu.mandatory,
                state=UnitState.SELECTABLE,
                selection=selection,
                registration_id=registration.pk,
                dom_id=f"{registration.pk}-{qu.unit_id}",
            )
            if selection and selection.is_achieved:
                row.state = UnitState.ACHIEVED
                row.result_text = _result_text(selection)
            elif selection and selection.pk in locks:
                row.state, row.reason = UnitState.LOCKED, locks[selection.pk]
            elif selection:
                row.state = UnitState.SELECTED
                row.remove_url = remove_url(selection.pk)
            elif not registration.is_current:
                row.state = UnitState.NOT_CURRENT
            elif (
                registration.entry_type == EntryType.UNIT
                and (registration.pk, qu.unit_id) not in entries
            ):
                row.state = UnitState.NOT_ENTERED
            card.rows.append(row)
        cards.append(card)
    return cards


def _result_text(selection: UnitSelection) -> str:
    """What an achieved unit shows instead of a box (R-PAR-2): result, when, from where."""
    at = date_format(localtime(selection.result_at), "j M Y H:i") if selection.result_at else ""
    text = ", ".join(part for part in (selection.get_result_display(), at) if part)
    return f"{text} ({selection.result_source})" if selection.result_source else text


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
        learner__centre=centre,
        qualification=qualification,
        is_current=True,
    )


# Learners are listed by name, in the order of the index on (centre, last_name, first_name,
# id) (centres migration 0002): a page is found by walking that index, never by sorting the
# whole centre.
LEARNER_ORDER = ("last_name", "first_name", "pk")
LEARNER_ORDER_DESC = ("-last_name", "-first_name", "-pk")


class RegistrationPages:
    """Current registrations of one centre, grouped by qualification, then by learner name.

    Countable and sliceable, for ``Paginator``, in a fixed number of queries at any size:

    - ``count()`` is one grouped count (learners per qualification);
    - a slice is one query: for each qualification the page touches (one, or two at a
      boundary), the learners' ids come from a walk of the learner name index, from
      whichever end of the group is nearer, each learner checked by a probe of the current
      registrations index. The check is a scalar subquery on purpose: an EXISTS would be
      turned into a join, and PostgreSQL would then sort the whole centre by name for every
      page past the first few hundred.
    """

    def __init__(
        self,
        centre: Centre,
        *,
        qualification: Qualification | None = None,
        learners: Q | None = None,
        registrations: Q | None = None,
    ):
        self.centre = centre
        self.qualification = qualification
        self.learner_filter = learners or Q()
        self.registration_filter = registrations or Q()
        self._groups: list[tuple[int, int]] | None = None

    def _registrations(self) -> QuerySet[Registration]:
        qs = Registration.objects.filter(
            self.registration_filter, learner__centre=self.centre, is_current=True
        )
        if self.qualification is not None:
            qs = qs.filter(qualification=self.qualification)
        if self.learner_filter:
            qs = qs.filter(learner__in=Learner.objects.filter(self.learner_filter))
        return qs

    def groups(self) -> list[tuple[int, int]]:
        """(qualification id, number of registrations) in qualification code order."""
        if self._groups is None:
            self._groups = [
                (row["qualification_id"], row["n"])
                for row in self._registrations()
                .order_by()
                .values("qualification_id", "qualification__code")
                .annotate(n=Count("pk"))
                .order_by("qualification__code")
            ]
        return self._groups

    def count(self) -> int:
        return sum(n for _, n in self.groups())

    def _learner_ids(self, qualification_id: int, start: int, stop: int, size: int):
        """Ids of learners ``start``..``stop`` of one qualification group, by name."""
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
        return list(
            Registration.objects.filter(reduce(or_, wanted), is_current=True)
            .select_related("learner", "qualification")
            .order_by(
                "qualification__code", "learner__last_name", "learner__first_name", "learner_id"
            )
        )
