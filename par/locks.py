"""Who is holding a unit selection (R-PAR-3).

Moderation batches and claims pin the selections they contain; PAR must not remove those.
Rather than importing those apps, PAR asks every registered provider. A provider takes a
list of selection ids and returns ``{selection_id: reason}`` for the ones it holds, in one
query, so pages can show why a unit is locked without a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
