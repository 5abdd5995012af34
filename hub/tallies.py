"""Exact counts kept by the database: a tally table that triggers update in the writing
statement's own transaction, so a page reads "1-50 of 23,708" in one probe instead of
counting 23,708 rows (issue 9).

A ``Tally`` names a source table, the rows it counts (``where``, a predicate on the row),
and the columns it counts them by (``keys``). Triggers on the source add and take away
from the tally row of each key on INSERT, UPDATE (a row moving between keys, or in or out
of ``where``) and DELETE, whoever writes: the ORM, ``bulk_create``/``bulk_update``,
``QuerySet.update()``, a cascade or hand-written SQL. Nothing in Python has to remember.

- PostgreSQL: statement-level triggers with transition tables, so a bulk write of 20,000
  rows is one grouped upsert, not 20,000. Upserts in key order (no deadlock between two
  writers) and ``INSERT ... ON CONFLICT DO UPDATE SET n = n + delta``, which is exact under
  concurrent writers in READ COMMITTED (the row is locked and re-read). TRUNCATE of the
  source empties the tally.
- SQLite (development and tests): row-level triggers doing the same upsert.

A nullable key column is counted under 0 (a unique key cannot match NULLs). The tally is a
model of its app, so Django's test flush empties it with the source. Migrations call
``create_triggers`` after creating the table, then ``backfill``; the SQL generated here is
part of those migrations' meaning, so a change to it needs a new migration that drops and
recreates the triggers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection as default_connection


@dataclass(frozen=True)
class Tally:
    name: str  # prefix of the trigger and function names
    source: str  # table counted
    table: str  # tally table: ``keys`` columns (same names), ``n``, unique on ``keys``
    keys: tuple[str, ...]
    where: str  # predicate on the source row, its columns unqualified and listed in watched
    # The columns ``where`` reads: with ``keys``, those whose change can move a row between
    # keys or in or out of ``where`` (SQLite's UPDATE OF list; PostgreSQL's trigger sees
    # every UPDATE and writes only a net change).
    watched: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()  # key columns that may be NULL: counted under 0

    def _key(self, column: str, alias: str) -> str:
        ref = f"{alias}.{column}" if alias else column
        return f"COALESCE({ref}, 0)" if column in self.nullable else ref

    def _where(self, alias: str) -> str:
        # Columns of the predicate qualified with the row's alias (NEW/OLD/a table alias).
        predicate = self.where
        for column in sorted(set(self.keys + self.watched), key=len, reverse=True):
            predicate = _qualify(predicate, column, alias)
        return predicate

    # --- PostgreSQL ---------------------------------------------------------------------
    def _pg_upsert(self, rows_sql: str) -> str:
        keys = ", ".join(self.keys)
        return (
            f"INSERT INTO {self.table} ({keys}, n) SELECT {keys}, SUM(d) FROM ({rows_sql}) t"
            f" GROUP BY {keys} HAVING SUM(d) <> 0 ORDER BY {keys}"
            f" ON CONFLICT ({keys}) DO UPDATE SET n = {self.table}.n + EXCLUDED.n;"
        )

    def _pg_rows(self, transition: str, sign: int) -> str:
        keys = ", ".join(f"{self._key(k, 'r')} AS {k}" for k in self.keys)
        return f"SELECT {keys}, {sign} AS d FROM {transition} r WHERE {self._where('r')}"

    def postgresql(self) -> list[str]:
        fn = f"{self.name}_tally"
        bodies = {
            "insert": self._pg_upsert(self._pg_rows("new_rows", 1)),
            "delete": self._pg_upsert(self._pg_rows("old_rows", -1)),
            "update": self._pg_upsert(
                f"{self._pg_rows('new_rows', 1)} UNION ALL {self._pg_rows('old_rows', -1)}"
            ),
            "truncate": f"DELETE FROM {self.table};",
        }
        referencing = {
            "insert": "REFERENCING NEW TABLE AS new_rows",
            "delete": "REFERENCING OLD TABLE AS old_rows",
            "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "truncate": "",
        }
        statements = []
        for event, body in bodies.items():
            statements.append(
                f"CREATE OR REPLACE FUNCTION {fn}_{event}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {body} RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {fn}_{event} AFTER {event.upper()} ON {self.source}"
                f" {referencing[event]} FOR EACH STATEMENT EXECUTE FUNCTION {fn}_{event}()"
            )
        return statements

    def postgresql_drop(self) -> list[str]:
        fn = f"{self.name}_tally"
        return [
            f"DROP TRIGGER IF EXISTS {fn}_{event} ON {self.source}; "
            f"DROP FUNCTION IF EXISTS {fn}_{event}()"
            for event in ("insert", "delete", "update", "truncate")
        ]

    # --- SQLite -------------------------------------------------------------------------
    def _sqlite_add(self, row: str) -> str:
        keys = ", ".join(self.keys)
        values = ", ".join(self._key(k, row) for k in self.keys)
        return (
            f"INSERT INTO {self.table} ({keys}, n) VALUES ({values}, 1)"
            f" ON CONFLICT ({keys}) DO UPDATE SET n = n + 1;"
        )

    def _sqlite_take(self, row: str) -> str:
        match = " AND ".join(f"{k} = {self._key(k, row)}" for k in self.keys)
        return f"UPDATE {self.table} SET n = n - 1 WHERE {match};"

    def sqlite(self) -> list[str]:
        fn = f"{self.name}_tally"
        of = ", ".join(self.keys + tuple(c for c in self.watched if c not in self.keys))
        return [
            f"CREATE TRIGGER {fn}_insert AFTER INSERT ON {self.source}"
            f" WHEN {self._where('NEW')} BEGIN {self._sqlite_add('NEW')} END",
            f"CREATE TRIGGER {fn}_delete AFTER DELETE ON {self.source}"
            f" WHEN {self._where('OLD')} BEGIN {self._sqlite_take('OLD')} END",
            f"CREATE TRIGGER {fn}_update_old AFTER UPDATE OF {of} ON {self.source}"
            f" WHEN {self._where('OLD')} BEGIN {self._sqlite_take('OLD')} END",
            f"CREATE TRIGGER {fn}_update_new AFTER UPDATE OF {of} ON {self.source}"
            f" WHEN {self._where('NEW')} BEGIN {self._sqlite_add('NEW')} END",
        ]

    def sqlite_drop(self) -> list[str]:
        fn = f"{self.name}_tally"
        return [
            f"DROP TRIGGER IF EXISTS {fn}_{event}"
            for event in ("insert", "delete", "update_old", "update_new")
        ]

    # --- Both ---------------------------------------------------------------------------
    def backfill_sql(self) -> str:
        keys = ", ".join(self._key(k, "") for k in self.keys)
        return (
            f"INSERT INTO {self.table} ({', '.join(self.keys)}, n)"
            f" SELECT {keys}, COUNT(*) FROM {self.source} WHERE {self.where} GROUP BY {keys}"
        )

    def counted_sql(self) -> str:
        """The tally as the source counts it now: (keys..., n) rows, none zero."""
        keys = ", ".join(self._key(k, "") for k in self.keys)
        return f"SELECT {keys}, COUNT(*) FROM {self.source} WHERE {self.where} GROUP BY {keys}"

    def create(self, schema_editor) -> None:
        """Triggers first, then the backfill: on PostgreSQL CREATE TRIGGER locks out writers
        until the migration commits, so no row is written between the count and the
        triggers."""
        vendor = schema_editor.connection.vendor
        statements = self.postgresql() if vendor == "postgresql" else self.sqlite()
        for statement in statements:
            schema_editor.execute(statement)
        schema_editor.execute(f"DELETE FROM {self.table}")
        schema_editor.execute(self.backfill_sql())

    def drop(self, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        statements = self.postgresql_drop() if vendor == "postgresql" else self.sqlite_drop()
        for statement in statements:
            for part in statement.split("; "):
                schema_editor.execute(part)

    def mismatches(self, connection=default_connection) -> dict[tuple, tuple[int, int]]:
        """{key: (tallied, counted)} wherever the tally is not the count: {} when exact."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(self.keys)}, n FROM {self.table} WHERE n <> 0")
            tallied = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
            cursor.execute(self.counted_sql())
            counted = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
        return {
            key: (tallied.get(key, 0), counted.get(key, 0))
            for key in tallied.keys() | counted.keys()
            if tallied.get(key, 0) != counted.get(key, 0)
        }


def _qualify(predicate: str, column: str, alias: str) -> str:
    """``column`` in ``predicate`` as ``alias.column``, whole words only."""
    return re.sub(rf"(?<![\w.]){re.escape(column)}(?!\w)", f"{alias}.{column}", predicate)
