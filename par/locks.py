"""Who is holding a unit selection (R-PAR-3).

Moderation batches and claims pin the selections they contain; PAR must not remove those.
Rather than importing those apps, PAR asks every registered provider. A provider takes a
list of selection ids and returns ``{selection_id: reason}`` for the ones it holds, in one
query, so pages can show why a unit is locked without a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Exists, Q

LockProvider = Callable[[list[int]], dict[int, str]]

_providers: list[LockProvider] = []


def register_lock_provider(provider: LockProvider) -> LockProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def locks_for(selection_ids: Iterable[int]) -> dict[int, str]:
    """Reasons, by selection id, for each selection some batch or claim holds."""
    ids = list(selection_ids)
    locks: dict[int, str] = {}
    if not ids:
        return locks
    for provider in _providers:
        for selection_id, reason in provider(ids).items():
            locks.setdefault(selection_id, reason)
    return locks


# The set-wise twin of the providers above: for work over thousands of selections at once
# (a batch's "tick all matching"), each holder also gives a condition on UnitSelection rows,
# true for the rows it holds, so the database filters them in the same statement.
LockCondition = Callable[[], Exists]

_conditions: list[LockCondition] = []


def register_lock_condition(condition: LockCondition) -> LockCondition:
    if condition not in _conditions:
        _conditions.append(condition)
    return condition


def unheld(*, besides: Iterable[LockCondition] = ()) -> Q:
    """A condition on UnitSelection: true for rows no batch or claim holds.

    ``besides``: conditions the caller checks its own way (a batch, say, that may hold
    units itself), left out here.
    """
    skip = list(besides)
    free = Q(pk__isnull=False)
    for condition in _conditions:
        if condition not in skip:
            free &= ~Q(condition())
    return free
