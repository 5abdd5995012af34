"""Reads for the PAR pages: each unit's state for a page of registrations, in fixed queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from centres.models import Centre, EntryType, Qualification, QualificationUnit, Registration

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


def current_registrations(centre: Centre) -> QuerySet[Registration]:
    """Registered, current learners of the centre, by qualification then learner (R-PAR-1)."""
    return (
        Registration.objects.filter(learner__centre=centre, is_current=True)
        .select_related("learner", "qualification")
        .order_by("qualification__code", "learner__last_name", "learner__first_name", "pk")
    )


def filter_by_name_or_number(qs: QuerySet[Registration], term: str) -> QuerySet[Registration]:
    term = term.strip()
    if not term:
        return qs.none()
    return qs.filter(
        Q(learner__last_name__icontains=term) | Q(learner__membership_number__icontains=term)
    )


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
            )
            if selection and selection.is_achieved:
                row.state = UnitState.ACHIEVED
            elif selection and selection.pk in locks:
                row.state, row.reason = UnitState.LOCKED, locks[selection.pk]
            elif selection:
                row.state = UnitState.SELECTED
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


def bulk_available_registrations(
    centre: Centre, qualification: Qualification, unit_ids: list[int]
) -> QuerySet[Registration]:
    """Current registrations on ``qualification`` with none of ``unit_ids`` selected (R-PAR-4).

    Unit-entry registrations are offered only when they are entered for every chosen unit,
    so that a bulk update never breaks R-PAR-5.
    """
    qs = current_registrations(centre).filter(qualification=qualification)
    qs = qs.exclude(
        Exists(UnitSelection.objects.filter(registration=OuterRef("pk"), unit_id__in=unit_ids))
    )
    through = Registration.entered_units.through
    for unit_id in unit_ids:
        qs = qs.filter(
            Q(entry_type=EntryType.FULL)
            | Exists(through.objects.filter(registration_id=OuterRef("pk"), unit_id=unit_id))
        )
    return qs.order_by("learner__last_name", "learner__first_name", "pk")
