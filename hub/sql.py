"""Pieces of hand-written SQL that differ between PostgreSQL and SQLite (issue 9).

The busiest pages read with SQL written once per process rather than compiled by the ORM on
every request (1-5 ms of CPU a page). Their few vendor differences live here: a list of ids
as one parameter, and a case-insensitive "contains" written as the ORM writes ``icontains``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection


def any_id_sql(column: str, name: str) -> str:
    """``column`` is one of the ids given as the named parameter ``name`` (made by
    ``id_list``): an array on PostgreSQL, a JSON list on SQLite. One text whatever the
    number of ids, so the statement is the same on every page."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%({name})s)"
    return f"{column} IN (SELECT value FROM json_each(%({name})s))"


def id_list(ids: Iterable[int]) -> str:
    """The parameter for ``any_id_sql``. On PostgreSQL an array literal ("{1,2,3}"), sent as
    text of no declared type, which ``column = ANY(...)`` reads as an array of the column's
    type: a Python list went through psycopg's list dumper, which probes each element for
    its type (and picked int2[] or int4[] by the values), ~0.07 ms of CPU per 200 ids; the
    literal costs ~0.01. Each id goes through int(), so nothing else reaches the literal."""
    values = [int(value) for value in ids]
    if connection.vendor == "postgresql":
        return "{" + ",".join(map(str, values)) + "}"
    return json.dumps(values)


def icontains_sql(column: str, name: str) -> str:
    """``column`` contains the named parameter (made by ``icontains_param``), any case, as the
    ORM's ``icontains`` writes it: UPPER(column::text) LIKE UPPER(...) on PostgreSQL, which
    the trigram indexes on UPPER(first_name), UPPER(last_name) and UPPER(membership_number)
    serve."""
    lhs = connection.ops.lookup_cast("icontains", "CharField") % column
    return f"{lhs} {connection.operators['icontains'] % f'%({name})s'}"


def icontains_param(term: str) -> str:
    """``term`` as the pattern of ``icontains_sql``, its wildcards escaped."""
    return f"%{connection.ops.prep_for_like_query(term)}%"
