"""Who is holding a unit selection (R-PAR-3).

Moderation batches and claims pin the selections they contain; PAR must not remove those.
Rather than importing those apps, PAR asks every registered provider. A provider takes a
list of selection ids and returns ``{selection_id: reason}`` for the ones it holds, in one
query, so pages can show why a unit is locked without a query per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, Lookup, Q

LockProvider = Callable[[list[int]], dict[int, str]]


class AnyOf(Lookup):
    """``AnyOf(F("selection_id"), ids)``: the column is one of ``ids`` (integers).

    A provider is asked about every unit on a page (200-300 ids). As ``__in`` each id was a
    placeholder of its own, prepared by the field and parsed by the driver: about 3 ms of
    CPU a provider. On PostgreSQL the ids go as one array parameter (``= ANY(%s)``).
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*params, self.rhs)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)


def any_id_sql(column: str, name: str) -> str:
    """Hand-written SQL's twin of AnyOf: ``column`` is one of the ids given as the named
    parameter ``name`` (made by ``id_list``): an array on PostgreSQL, a JSON list on SQLite.
    One text whatever the number of ids, so the statement is the same on every page."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%({name})s)"
    return f"{column} IN (SELECT value FROM json_each(%({name})s))"


def id_list(ids: Iterable[int]) -> list[int] | str:
    """The parameter for ``any_id_sql``."""
    values = [int(value) for value in ids]
    return values if connection.vendor == "postgresql" else json.dumps(values)


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
