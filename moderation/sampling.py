"""R-SMP-1: "Suggest a sample" for a batch in Centre Completing.

A read (like ``moderation.selectors``) and a pure rule: the suggestion is the smallest set of
learner-units that meets R-BAT-6's minimum and covers every unit claimed on the batch. A batch
records no centre assessor and no mark for a learner-unit (results reach the PAR only when it
is Complete), so those cannot be covered and the page says so.

The rule is deterministic: the same batch always gets the same suggestion.

1. Every unit claimed, in unit-code order, gets one learner-unit.
2. Then, until the minimum is met, one more at a time.

Each choice takes, among what is left, a learner-unit that already has a file first (the
centre's work so far counts), then a learner with the fewest chosen so far (work from as
many learners as possible), then (step 2) a unit with the fewest chosen so far, then the
slot list's order (surname, first name, P number, unit code).
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef

from .models import Batch, BatchDocument, BatchUnit, DocumentKind, SampleRule
from .selectors import batch_sample_rule, batch_slot_counts

# The slot list's order, as batchunit_slot_order_idx holds it.
_ORDER = ("order_last_name", "order_first_name", "order_p_number", "order_unit_code", "pk")


@dataclass(frozen=True)
class Candidate:
    """One learner-unit on the batch, as the rule and the page read it."""

    pk: int
    learner_id: int
    unit_id: int
    unit_code: str
    unit_title: str
    p_number: str
    first_name: str
    last_name: str
    has_file: bool
    to_fill: bool

    @property
    def label(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.p_number}): {self.unit_code}"


def suggest(candidates: list[Candidate], required: int) -> list[Candidate]:
    """The suggested learner-units, in slot order; ``candidates`` must be in slot order."""
    position = {c.pk: n for n, c in enumerate(candidates)}
    by_unit: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_unit.setdefault(candidate.unit_id, []).append(candidate)
    chosen: set[int] = set()
    per_learner: Counter[int] = Counter()
    per_unit: Counter[int] = Counter()

    def take(candidate: Candidate) -> None:
        chosen.add(candidate.pk)
        per_learner[candidate.learner_id] += 1
        per_unit[candidate.unit_id] += 1

    # 1. every unit once, units by code.
    for unit_id in sorted(by_unit, key=lambda u: (by_unit[u][0].unit_code, u)):
        take(
            min(
                by_unit[unit_id],
                key=lambda c: (not c.has_file, per_learner[c.learner_id], position[c.pk]),
            )
        )

    # 2. up to the minimum. The counts only grow, so a heap whose stale keys are
    # re-checked when they come to the top gives the same picks as a full scan each time.
    def key(c: Candidate) -> tuple:
        return (not c.has_file, per_learner[c.learner_id], per_unit[c.unit_id], position[c.pk])

    heap = [(key(c), c.pk) for c in candidates if c.pk not in chosen]
    heapq.heapify(heap)
    by_pk = {c.pk: c for c in candidates}
    while len(chosen) < required and heap:
        old, pk = heapq.heappop(heap)
        now = key(by_pk[pk])
        if now != old:
            heapq.heappush(heap, (now, pk))
            continue
        take(by_pk[pk])
    return [c for c in candidates if c.pk in chosen]


@dataclass
class Suggestion:
    """What the "Suggest a sample" page shows: the rule, the suggestion and why."""

    rule: SampleRule
    chosen: list[Candidate]
    units: int
    learners: int
    to_fill: list[Candidate] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.chosen)

    @property
    def with_file(self) -> int:
        return sum(c.has_file for c in self.chosen)

    @property
    def covered_units(self) -> int:
        return len({c.unit_id for c in self.chosen})

    @property
    def covered_learners(self) -> int:
        return len({c.learner_id for c in self.chosen})

    @property
    def covers(self) -> str:
        """The page's one-line summary, e.g. "covers all 6 units"."""
        if self.units == 1:
            return "covers the 1 unit claimed"
        return f"covers all {self.units} units claimed"

    @property
    def to_fill_missing(self) -> int:
        return sum(not c.has_file for c in self.to_fill)


def batch_candidates(*, batch: Batch) -> list[Candidate]:
    """Every live learner-unit of the batch, in slot order, with whether it has a file: one
    query, whatever the batch's size."""
    rows = (
        BatchUnit.objects.filter(batch=batch, released_at__isnull=True)
        .order_by(*_ORDER)
        .values_list(
            "pk",
            "selection__registration__learner_id",
            "selection__unit_id",
            "selection__unit__code",
            "selection__unit__title",
            "selection__registration__learner__membership_number",
            "selection__registration__learner__first_name",
            "selection__registration__learner__last_name",
            Exists(
                BatchDocument.objects.current().filter(
                    batch_unit=OuterRef("pk"), kind=DocumentKind.SAMPLE
                )
            ),
            F("to_fill"),
        )
    )
    return [Candidate(*row) for row in rows]


def batch_sample_suggestion(*, batch: Batch) -> Suggestion:
    """R-SMP-1's suggestion for ``batch`` and the slots to fill it has now: two queries."""
    rule = batch_sample_rule(batch=batch, counts=batch_slot_counts(batch=batch))
    candidates = batch_candidates(batch=batch)
    return Suggestion(
        rule=rule,
        chosen=suggest(candidates, rule.required),
        units=len({c.unit_id for c in candidates}),
        learners=len({c.learner_id for c in candidates}),
        to_fill=[c for c in candidates if c.to_fill],
    )
