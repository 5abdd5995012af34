"""Writes to the PAR. Every one runs in a transaction and leaves an audit row per change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from centres.access import ensure_section
from centres.audit import audit, audit_many
from centres.models import (
    Centre,
    Section,
    User,
)

from .locks import locks_for
from .models import UnitSelection, selection_refusals


class SelectionLocked(Exception):
    """The selection is in a batch or claim, or already has a result (R-PAR-3)."""


@dataclass(frozen=True)
class AddOutcome:
    created: int
    already_selected: int


def eligible_pairs(
    centre: Centre, pairs: Iterable[tuple[int, int]]
) -> tuple[set[tuple[int, int]], list[str]]:
    """Split (registration id, unit id) pairs into those R-PAR-5 allows and reasons for the rest.

    A fixed number of queries whatever the number of pairs (``selection_refusals``).
    """
    pairs = set(pairs)
    refusals = selection_refusals(pairs, centre_id=centre.pk)
    refused = [
        f"{number}: {reason}." if number else reason
        for _, (number, reason) in sorted(refusals.items())
    ]
    return pairs - refusals.keys(), refused


@transaction.atomic
def selections_add(*, actor: User, centre: Centre, pairs: Iterable[tuple[int, int]]) -> AddOutcome:
    """Select units for learners (R-PAR-3, R-PAR-4) in one bulk write.

    Refuses the whole request when any pair breaks R-PAR-5. Pairs already selected (by this
    user earlier, or by a colleague a moment ago) are skipped, never duplicated.
    """
    ensure_section(actor, centre.pk, Section.PAR)
    allowed, refused = eligible_pairs(centre, pairs)
    if refused:
        raise ValidationError(sorted(set(refused)))
    existing = set(
        UnitSelection.objects.filter(registration_id__in={r for r, _ in allowed}).values_list(
            "registration_id", "unit_id"
        )
    )
    now = timezone.now()
    # A colleague (or a second click) saving the same selection at the same moment wins
    # quietly: the unique constraint keeps one row, and only the rows this call really
    # inserted are audited and counted, so the history never claims a change twice.
    new_pairs = _insert_selections(sorted(allowed - existing), actor=actor, at=now)
    audit_many(
        actor=actor,
        centre=centre,
        action="par.select",
        at=now,
        entries=(
            (f"registration {r} unit {u}", {"registration": r, "unit": u}) for r, u in new_pairs
        ),
    )
    return AddOutcome(created=len(new_pairs), already_selected=len(allowed) - len(new_pairs))


@dataclass(frozen=True)
class ResultSelections:
    """What ``selections_for_results`` found or made: the selection of each pair it may
    carry a result on, and why the others may not (R-PAR-5)."""

    ids: dict[tuple[int, int], int]
    refused: list[str]


def selections_for_results(
    *, centre: Centre, pairs: Iterable[tuple[int, int]], source: str, at: datetime
) -> ResultSelections:
    """The PAR selections that results from ``source`` (a processed claim) land on.

    Called by the system inside the caller's transaction. A pair with no selection yet is
    selected now if R-PAR-5 allows it (one audited bulk insert, as "Add all selected units."
    does); a pair R-PAR-5 refuses (the registration ended since the claim was made, say)
    gets no selection, so no result, and the reason is returned and audited. A fixed number
    of queries whatever the number of pairs.
    """
    pairs = set(pairs)
    existing = {
        (r, u): pk
        for pk, r, u in UnitSelection.objects.filter(
            registration_id__in={r for r, _ in pairs}, registration__learner__centre=centre
        ).values_list("pk", "registration_id", "unit_id")
        if (r, u) in pairs
    }
    allowed, refused = eligible_pairs(centre, pairs - existing.keys())
    new_pairs = _insert_selections(sorted(allowed), actor=None, at=at)
    audit_many(
        actor=None,
        centre=centre,
        action="par.select",
        at=at,
        entries=(
            (f"registration {r} unit {u}", {"registration": r, "unit": u, "source": source})
            for r, u in new_pairs
        ),
    )
    if refused:
        audit(
            actor=None,
            centre=centre,
            action="par.result_refused",
            subject=source,
            reason="; ".join(sorted(set(refused))),
        )
    if new_pairs:
        existing.update(
            {
                (r, u): pk
                for pk, r, u in UnitSelection.objects.filter(
                    registration_id__in={r for r, _ in new_pairs}
                ).values_list("pk", "registration_id", "unit_id")
                if (r, u) in pairs
            }
        )
    return ResultSelections(ids=existing, refused=sorted(set(refused)))


def _insert_selections(
    pairs: list[tuple[int, int]], *, actor: User | None, at: datetime
) -> list[tuple[int, int]]:
    """Insert the (registration id, unit id) pairs; return those this call inserted.

    ``bulk_create(ignore_conflicts=True)`` cannot say which rows it skipped, so this is the
    one raw statement in PAR: INSERT ... ON CONFLICT DO NOTHING RETURNING, which PostgreSQL
    and SQLite (3.35+) both speak. A row a concurrent request inserted first (it waits on the
    unique index until that request commits) is skipped and not returned.
    """
    table = connection.ops.quote_name(UnitSelection._meta.db_table)
    selected_at = connection.ops.adapt_datetimefield_value(at)
    inserted: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, '', NULL, '')"] * len(chunk))
            params: list = []
            for registration_id, unit_id in chunk:
                params += [registration_id, unit_id, actor.pk if actor else None, selected_at]
            cursor.execute(
                f"INSERT INTO {table} (registration_id, unit_id, selected_by_id, selected_at,"
                f" result, result_at, result_source) VALUES {values}"
                " ON CONFLICT (registration_id, unit_id) DO NOTHING"
                " RETURNING registration_id, unit_id",
                params,
            )
            inserted += [(int(r), int(u)) for r, u in cursor.fetchall()]
    return sorted(inserted)


@transaction.atomic
def selection_remove(*, actor: User, centre: Centre, selection: UnitSelection) -> None:
    """Remove a selection that no batch or claim holds and that has no result (R-PAR-3)."""
    ensure_section(actor, centre.pk, Section.PAR)
    selection = (
        UnitSelection.objects.select_for_update()
        .select_related("unit", "registration__learner")
        .get(pk=selection.pk, registration__learner__centre=centre)
    )
    if selection.is_achieved:
        raise SelectionLocked(
            f"{selection.unit.code} already has a result and stays on the record."
        )
    reason = locks_for([selection.pk]).get(selection.pk)
    if reason:
        raise SelectionLocked(f"{selection.unit.code} cannot be removed: {reason}.")
    audit(
        actor=actor,
        centre=centre,
        action="par.remove",
        subject=f"{selection.registration.learner.membership_number} {selection.unit.code}",
        registration=selection.registration_id,
        unit=selection.unit_id,
    )
    selection.delete()


def selections_record_result(
    *,
    selection_ids: Iterable[int],
    result: str,
    source: str,
    at: datetime,
    actor: User | None = None,
) -> int:
    """Post a result to the PAR (R-PAR-2, R-BAT-10); called inside the caller's transaction.

    Idempotent: a selection that already carries this result from this source is left alone.
    """
    ids = list(selection_ids)
    updated = (
        UnitSelection.objects.filter(pk__in=ids)
        .exclude(result=result, result_source=source)
        .update(result=result, result_at=at, result_source=source)
    )
    if updated:
        audit(actor=actor, action="par.result", subject=source, result=result, selections=ids)
    return updated
