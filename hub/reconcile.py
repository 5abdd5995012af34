"""Reconciliation before a submission (R-NEW-2, R-NEW-6), shared by batches and claims.

Each app names its mismatches (what is wrong, what to do) and gives each as a condition on
its line rows; these helpers let the database test every condition set-wise, count them
in one aggregate and flag the rows of a page, so no line costs a query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q


@dataclass(frozen=True)
class Mismatch:
    """One way a line can fail to reconcile with the registrations."""

    key: str
    says: str  # what is wrong with the line
    todo: str  # what the user does about it


def any_mismatch(conditions: dict[str, Q]) -> Q:
    """True for a row that fails any of ``conditions``."""
    combined = Q(pk__isnull=True)
    for condition in conditions.values():
        combined |= condition
    return combined


def mismatch_flags(conditions: dict[str, Q]) -> dict[str, ExpressionWrapper]:
    """``is_<key>`` annotations, one boolean per condition."""
    return {
        f"is_{key}": ExpressionWrapper(condition, output_field=BooleanField())
        for key, condition in conditions.items()
    }


def first_mismatch(row: dict, mismatches: tuple[Mismatch, ...]) -> Mismatch | None:
    """The first of ``mismatches`` ``row`` fails; its ``is_<key>`` flags are taken out."""
    failed = [m for m in mismatches if row.pop(f"is_{m.key}", False)]
    return failed[0] if failed else None
