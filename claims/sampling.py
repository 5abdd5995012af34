"""R-SMP-2: a suggested sample for the visiting assessor, within a size they set.

A read (like ``claims.selectors``) and a pure rule. The suggestion covers every unit claimed,
every centre assessor and every grade claimed (Pass, Merit, Distinction) at least once, in
as few candidate-units as it can, then adds more up to the size. The assessor's ticks on the
claim page are pre-filled from it and stay editable; "Save sample" records them as before.

The rule is deterministic:

1. While something is uncovered and the size allows, take the line that covers the most of
   what is still uncovered (a unit, a centre assessor, a grade).
2. Then, up to the size, take lines from candidates with the fewest lines taken so far, then
   units, then centre assessors with the fewest taken.

Ties go to the claim page's order (surname, candidate, unit code). Units achieved with
another awarding body (R-CLM-7) are not this visit's to see, so they are left out.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .models import ClaimLine, Grade

GRADE_LABELS = dict(Grade.choices)


@dataclass(frozen=True)
class Line:
    pk: int
    learner_id: int
    unit_id: int
    unit_code: str
    assessor_id: int
    assessor: str
    grade: str

    def features(self) -> set[tuple[str, object]]:
        return {("unit", self.unit_id), ("assessor", self.assessor_id), ("grade", self.grade)}


def _cover(lines: list[Line], size: int) -> list[Line]:
    """Step 1: greedy cover of units, centre assessors and grades, at most ``size`` lines."""
    uncovered = set().union(*(line.features() for line in lines)) if lines else set()
    chosen: list[Line] = []
    left = list(lines)
    while uncovered and len(chosen) < size:
        best, gain = None, 0
        for line in left:  # in page order, so the first of the best wins a tie
            n = len(line.features() & uncovered)
            if n > gain:
                best, gain = line, n
        if best is None:
            break
        chosen.append(best)
        left.remove(best)
        uncovered -= best.features()
    return chosen


def suggest(lines: list[Line], size: int) -> list[Line]:
    """At most ``size`` lines, in page order; ``lines`` must be in page order."""
    position = {line.pk: n for n, line in enumerate(lines)}
    chosen = _cover(lines, size)
    taken = {line.pk for line in chosen}
    per_learner = Counter(line.learner_id for line in chosen)
    per_unit = Counter(line.unit_id for line in chosen)
    per_assessor = Counter(line.assessor_id for line in chosen)

    def key(line: Line) -> tuple:
        return (
            per_learner[line.learner_id],
            per_unit[line.unit_id],
            per_assessor[line.assessor_id],
            position[line.pk],
        )

    by_pk = {line.pk: line for line in lines}
    heap = [(key(line), line.pk) for line in lines if line.pk not in taken]
    heapq.heapify(heap)
    while len(taken) < size and heap:
        old, pk = heapq.heappop(heap)
        now = key(by_pk[pk])
        if now != old:  # the counts only grow: a stale key goes back and is met again
            heapq.heappush(heap, (now, pk))
            continue
        line = by_pk[pk]
        taken.add(pk)
        per_learner[line.learner_id] += 1
        per_unit[line.unit_id] += 1
        per_assessor[line.assessor_id] += 1
    return [line for line in lines if line.pk in taken]


@dataclass
class ClaimSuggestion:
    """What the claim page says about the suggestion: its lines and what it covers."""

    size: int
    chosen: list[Line]
    lines: list[Line]
    smallest: int  # the fewest lines that cover everything (by the rule)
    other_body: int  # lines left out: units achieved with another awarding body

    def _all(self, attr: str, among: list[Line]) -> set:
        return {getattr(line, attr) for line in among}

    @property
    def ids(self) -> set[int]:
        return {line.pk for line in self.chosen}

    @property
    def covers(self) -> str:
        """E.g. "all 6 units, all 3 centre assessors and all 3 grades claimed"."""
        parts = []
        for attr, noun in (("unit_id", "unit"), ("assessor_id", "centre assessor")):
            have, want = len(self._all(attr, self.chosen)), len(self._all(attr, self.lines))
            parts.append(_phrase(have, want, noun))
        grades = self._all("grade", self.lines)
        have = self._all("grade", self.chosen)
        names = ", ".join(GRADE_LABELS[g] for g in Grade.values if g in grades)
        parts.append(f"{_phrase(len(have), len(grades), 'grade')} claimed ({names})")
        return f"{parts[0]}, {parts[1]} and {parts[2]}"

    @property
    def missing(self) -> list[str]:
        """What the size leaves uncovered, by name."""
        out = []
        units = {line.unit_id: line.unit_code for line in self.lines}
        assessors = {line.assessor_id: line.assessor for line in self.lines}
        got = set().union(*(line.features() for line in self.chosen)) if self.chosen else set()
        out += [
            f"unit {code}"
            for pk, code in sorted(units.items(), key=lambda i: i[1])
            if ("unit", pk) not in got
        ]
        out += [
            f"centre assessor {name}"
            for pk, name in sorted(assessors.items(), key=lambda i: i[1])
            if ("assessor", pk) not in got
        ]
        out += [
            f"grade {GRADE_LABELS[g]}"
            for g in Grade.values
            if g in self._all("grade", self.lines) and ("grade", g) not in got
        ]
        return out


def _phrase(have: int, want: int, noun: str) -> str:
    plural = noun if want == 1 else f"{noun}s"
    if have == want:
        return f"the {noun} claimed" if want == 1 else f"all {want} {plural}"
    return f"{have} of the {want} {plural}"


def sample_lines(claim_lines: Iterable[ClaimLine]) -> tuple[list[Line], int]:
    """The lines this visit may sample, from the claim page's lines (in page order, with
    learner, unit and assessor already read: no query), and how many are left out (units
    achieved with another awarding body)."""
    lines, other = [], 0
    for line in claim_lines:
        if line.other_awarding_body:
            other += 1
            continue
        lines.append(
            Line(
                pk=line.pk,
                learner_id=line.registration.learner_id,
                unit_id=line.unit_id,
                unit_code=line.unit.code,
                assessor_id=line.assessor_id,
                assessor=str(line.assessor),
                grade=line.grade,
            )
        )
    return lines, other


def claim_sample_suggestion(claim_lines: Iterable[ClaimLine], *, size: int) -> ClaimSuggestion:
    """R-SMP-2's suggestion of at most ``size`` of the claim page's lines."""
    lines, other = sample_lines(claim_lines)
    return ClaimSuggestion(
        size=size,
        chosen=suggest(lines, size),
        lines=lines,
        smallest=smallest_cover(lines),
        other_body=other,
    )


def smallest_cover(lines: list[Line]) -> int:
    """How many lines the rule needs to cover every unit, centre assessor and grade."""
    return len(_cover(lines, len(lines)))
