"""Who is holding a unit selection (R-PAR-3).

Moderation batches and claims pin the selections they contain; PAR must not remove those.
Rather than importing those apps, PAR asks every registered provider. A provider takes a
list of selection ids and returns ``{selection_id: reason}`` for the ones it holds, in one
query, so pages can show why a unit is locked without a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, Lookup, Q

from hub.sql import id_list

LockProvider = Callable[[list[int]], dict[int, str]]
# A provider's query in hand-written SQL, for the vendor given: a SELECT of (selection id,
# holder id, status) for the selections among the named parameter ``ids`` (hub.sql.any_id_sql)
# that it holds; and the reason it gives for such a row. locks_for asks every holder that has
# one in a single statement (UNION ALL) instead of a statement each.
LockSql = Callable[[str], str]
LockReason = Callable[[int, str], str]


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


_providers: list[LockProvider] = []
_provider_sql: dict[LockProvider, tuple[LockSql, LockReason]] = {}


def register_lock_provider(
    provider: LockProvider, *, sql: LockSql | None = None, reason: LockReason | None = None
) -> LockProvider:
    """``provider`` answers for its holder; with ``sql`` and ``reason`` (its query and its
    reason for a row, giving the same answer) it is asked in locks_for's one statement."""
    if (sql is None) != (reason is None):
        raise TypeError("a lock provider's sql and reason come together")
    if provider not in _providers:
        _providers.append(provider)
    if sql is not None:
        _provider_sql[provider] = (sql, reason)
    return provider


@lru_cache(maxsize=4)
def _holders_sql(vendor: str, providers: tuple[LockProvider, ...]) -> str:
    """Every provider's SQL in one statement, each row tagged with its provider's place.

    On PostgreSQL the ids are read through a subquery: as a plain parameter, the custom
    plan (the list's length known) always looked cheaper than the generic one (guessed at
    ten), so the statement was planned on every view, 0.32 of its ~0.4 ms; hidden from
    both, the generic plan is kept (the same index probes, 0.03 ms to run)."""
    sql = " UNION ALL ".join(
        f"SELECT {place}, h.* FROM ({_provider_sql[provider][0](vendor)}) h"
        for place, provider in enumerate(providers)
    )
    if vendor == "postgresql":
        sql = sql.replace("%(ids)s", "CAST((SELECT CAST(%(ids)s AS BIGINT[])) AS BIGINT[])")
    return sql


def held_by_sql(vendor: str, ids: str) -> str | None:
    """For a statement that reads selections and wants their holders with them, in place of
    locks_for's statement of its own (a round trip less): a subquery of (selection_id,
    place, holder_id, status), one row for each selection among ``ids`` (SQL giving an
    array of ids, such as ``ARRAY(SELECT ...)``) that a provider holds, from the first
    registered provider that does; ``held_reason`` turns a row into locks_for's reason.
    PostgreSQL only, and only when every provider has its SQL: None otherwise (ask
    locks_for)."""
    if vendor != "postgresql" or any(p not in _provider_sql for p in _providers):
        return None
    if not _providers:
        return "(SELECT NULL, NULL, NULL, NULL WHERE FALSE) AS h(selection_id, place, holder_id, status)"
    sql = _holders_sql(vendor, tuple(_providers)).replace(
        "CAST((SELECT CAST(%(ids)s AS BIGINT[])) AS BIGINT[])", ids
    )
    return (
        "(SELECT DISTINCT ON (x.selection_id) x.selection_id, x.place, x.holder_id, x.status"
        f" FROM ({sql}) AS x(place, selection_id, holder_id, status)"
        " ORDER BY x.selection_id, x.place)"
    )


def held_reason(place: int, holder_id: int, status: str) -> str:
    """The reason locks_for gives for a row of ``held_by_sql``."""
    return _provider_sql[_providers[place]][1](holder_id, status)


def locks_for(selection_ids: Iterable[int]) -> dict[int, str]:
    """Reasons, by selection id, for each selection some batch or claim holds; the first
    provider registered names the reason for a selection more than one holds. The holders
    with SQL are asked in one statement (Select Units and Individual Add/Remove asked
    batches, then claims: a round trip and ~0.15 ms of CPU a page more)."""
    ids = list(selection_ids)
    locks: dict[int, str] = {}
    if not ids:
        return locks
    together = tuple(provider for provider in _providers if provider in _provider_sql)
    held: dict[LockProvider, dict[int, str]] = {provider: {} for provider in together}
    if len(together) > 1:
        with connection.cursor() as cursor:
            cursor.execute(_holders_sql(connection.vendor, together), {"ids": id_list(ids)})
            for place, selection_id, holder_id, status in cursor.fetchall():
                provider = together[place]
                held[provider][selection_id] = _provider_sql[provider][1](holder_id, status)
    for provider in _providers:
        found = held[provider] if len(together) > 1 and provider in held else provider(ids)
        for selection_id, reason in found.items():
            locks.setdefault(selection_id, reason)
    return locks


# The set-wise twin of the providers above: for work over thousands of selections at once
# (a batch's "tick all matching"), each holder also gives a condition on UnitSelection rows,
# true for the rows it holds, so the database filters them in the same statement.
LockCondition = Callable[[], Exists]
# The same condition in hand-written SQL, on the UnitSelection row of the alias given.
LockConditionSql = Callable[[str], str]

_conditions: list[LockCondition] = []
_conditions_sql: dict[LockCondition, LockConditionSql] = {}


def register_lock_condition(
    condition: LockCondition, *, sql: LockConditionSql | None = None
) -> LockCondition:
    if condition not in _conditions:
        _conditions.append(condition)
    if sql is not None:
        _conditions_sql[condition] = sql
    return condition


def unheld_sql(alias: str, *, besides: Iterable[LockCondition] = ()) -> str:
    """``unheld`` in SQL, for hand-written statements: true for the UnitSelection row
    ``alias`` when no batch or claim holds it. A holder registered without its SQL twin
    cannot be left out silently."""
    skip = list(besides)
    parts = []
    for condition in _conditions:
        if condition in skip:
            continue
        if condition not in _conditions_sql:
            raise LookupError(f"{condition.__qualname__} was registered without its SQL")
        parts.append(f"NOT {_conditions_sql[condition](alias)}")
    return " AND ".join(parts) or "1 = 1"


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
