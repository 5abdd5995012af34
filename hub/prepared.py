"""Querysets compiled to SQL once per process, then run with each request's values (issue 9).

Building and compiling a queryset is Python work on every request: on "Claims: By Candidate"
its claim, its count and its page of candidates took about 2 ms of a 6 ms page before
PostgreSQL saw a byte, the same SQL each time but for the keys. A query whose SQL depends
only on its shape (which filters, which sort, not how many values in an IN list) is
compiled here once per database, with sentinel values in place of the arguments; each run
puts the request's values in the parameters, and turns the rows into Python values as the
ORM would (its converters: SQLite's dates come back as dates, booleans as booleans).

Arguments are integers (keys) or aware datetimes. The first run checks that every sentinel
reached the parameters and none was written into the SQL text, so a shape that cannot be
prepared fails at once instead of answering with another request's values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain

from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet
from django.dispatch import receiver

# Values no real key or date reaches; argument i is _INT_SENTINEL - i, or _DATE_SENTINEL
# plus i seconds.
_INT_SENTINEL = 2_147_000_000
_DATE_SENTINEL = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
# A page window compiled as these (LIMIT/OFFSET are written into the SQL by Django), then
# replaced by parameters.
_LIMIT_SENTINEL = 987_654_321
_OFFSET_SENTINEL = 876_543_219
_WINDOW = "LIMIT %s OFFSET %s"

_prepared: list[Prepared] = []
# Compiled queries kept per Prepared (one per connection object: a thread and database).
_KEPT = 32


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    # For each parameter, the index of the argument it takes, or None for a constant.
    slots: tuple[int | None, ...]
    compiler: object
    converters: dict
    windowed: bool


class Prepared:
    """``build(*args)`` gives a ``values_list`` queryset; calls run its SQL with ``args``.

    ``kinds`` names each argument's type ("int" or "datetime"). With ``window=True`` the
    queryset is unsliced and each call passes ``limit`` and ``offset``.
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: str, window: bool = False):
        self.build = build
        self.kinds = kinds
        self.window = window
        self._compiled: dict[tuple[str, int], _Compiled] = {}
        self._lock = threading.Lock()
        self._window_texts: dict[tuple[str, int], str] = {}
        _prepared.append(self)

    def _sentinels(self) -> list:
        values = []
        for i, kind in enumerate(self.kinds):
            if kind == "int":
                values.append(_INT_SENTINEL - i)
            elif kind == "datetime":
                values.append(_DATE_SENTINEL + timedelta(seconds=i))
            else:
                raise ValueError(f"Unknown argument kind {kind!r}")
        return values

    def _compile(self, db: str) -> _Compiled:
        connection = connections[db]
        sentinels = self._sentinels()
        queryset = self.build(*sentinels).using(db)
        if self.window:
            queryset = queryset[_OFFSET_SENTINEL : _OFFSET_SENTINEL + _LIMIT_SENTINEL]
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        adapted = [
            connection.ops.adapt_datetimefield_value(s) if isinstance(s, datetime) else s
            for s in sentinels
        ]
        slots, seen = [], set()
        for param in params:
            slot = next(
                (i for i, s in enumerate(adapted) if type(param) is type(s) and param == s), None
            )
            slots.append(slot)
            seen.add(slot)
        missing = set(range(len(sentinels))) - seen
        if missing:
            raise ValueError(f"Arguments {sorted(missing)} are not parameters of: {sql}")
        if any(str(s) in sql for s in adapted):
            raise ValueError(f"An argument was written into the SQL: {sql}")
        if self.window:
            fragment = connection.ops.limit_offset_sql(
                _OFFSET_SENTINEL, _OFFSET_SENTINEL + _LIMIT_SENTINEL
            )
            if sql.count(fragment) != 1 or not sql.rstrip().endswith(fragment):
                raise ValueError(f"The page window is not at the end of: {sql}")
            sql = sql.rstrip()[: -len(fragment)] + _WINDOW
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("Composite primary keys are not supported")
        converters = compiler.get_converters(fields)
        return _Compiled(sql, tuple(params), tuple(slots), compiler, converters, self.window)

    def _get(self, db: str) -> _Compiled:
        # Per connection object (one per thread and database): the compiler keeps the one
        # it was made with, and its converters are handed it.
        # A server that starts a thread per request (runserver, a test's live server) has a
        # new one each time: at most _KEPT are kept, so that never grows without end.
        key = (db, id(connections[db]))
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    if len(self._compiled) >= _KEPT:
                        self._compiled.clear()
                    compiled = self._compiled[key] = self._compile(db)
        return compiled

    def _params(self, compiled: _Compiled, args, limit, offset) -> list:
        if len(args) != len(self.kinds):
            raise TypeError(f"Expected {len(self.kinds)} arguments, got {len(args)}")
        params = [
            compiled.params[i] if slot is None else args[slot]
            for i, slot in enumerate(compiled.slots)
        ]
        if compiled.windowed:
            if limit is None or offset is None:
                raise TypeError("A windowed query needs limit and offset")
            params += [int(limit), int(offset)]
        return params

    def rows(
        self, *args, limit: int | None = None, offset: int | None = None, db: str = "default"
    ) -> list:
        """Every row, as ``values_list`` would give them (tuples)."""
        compiled = self._get(db)
        params = self._params(compiled, args, limit, offset)
        sql = compiled.sql
        if compiled.windowed:
            # _params ends with the window's int(limit) and int(offset): the limit goes
            # into the text (an int, nothing else reaches it), the offset stays a parameter.
            sql = self._window_text(sql, params[-2])
            params = [*params[:-2], params[-1]]
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(self._convert(compiled, [fetched]))

    def rows_with(self, *args, columns: str, joins: str, params: list, db: str = "default") -> list:
        """Every row with more values read in the same statement: ``SELECT q.*, columns FROM
        (this query) q joins``, ``params`` those of ``joins`` (``columns`` takes none). The
        query's own columns come first, converted as ``rows`` converts them; the others as
        the database gives them. A round trip less for a page that reads, say, counts of the
        object with it."""
        compiled = self._get(db)
        if compiled.windowed:
            raise TypeError("Join to a query without a window")
        with connections[db].cursor() as cursor:
            cursor.execute(
                f"SELECT q.*, {columns} FROM ({compiled.sql}) q {joins}",
                [*self._params(compiled, args, None, None), *params],
            )
            fetched = cursor.fetchall()
        return list(self._convert(compiled, [fetched]))

    def _window_text(self, sql: str, limit: int) -> str:
        """The statement of a page of ``limit`` rows, planned once per connection.

        With LIMIT and OFFSET both parameters PostgreSQL planned the statement afresh on
        every run: the custom plan, which sees the offset (0 on a first page), always
        looked cheaper than the generic one, which guesses it at a tenth of the rows, so
        the generic plan was never kept, and planning was most of a page's statement (the
        moderation queue's lists, 0.27 ms each, 0.09 ms with one plan). So the page's size
        is written into the text (a list's page size, or a last page's rest: a handful of
        texts) and the offset is read through a scalar subquery, which no plan sees into:
        custom and generic plans then cost the same and PostgreSQL keeps the generic one,
        the same index walk. Deep pages cost what they did (the walk to the offset is the
        work). SQLite takes the same text.
        """
        key = (sql, limit)
        text = self._window_texts.get(key)
        if text is None:
            if len(self._window_texts) > 64:  # last pages' sizes: keep a few
                self._window_texts.clear()
            text = self._window_texts[key] = (
                f"{sql[: -len(_WINDOW)]}LIMIT {int(limit)} OFFSET (SELECT CAST(%s AS BIGINT))"
            )
        return text

    def stream(self, *args, chunk_size: int = 2000, db: str = "default") -> Iterator[tuple]:
        """The rows read in chunks as they are consumed, so memory stays flat however many
        there are.

        First the plain query with LIMIT chunk_size + 1 (a prepared statement: parsed and
        planned once per connection); if that holds them all, those are the rows. Only a
        bigger result is read again from the start through a server-side cursor on
        PostgreSQL (DECLARE ... WITH HOLD in autocommit: planned on every run and
        materialised at DECLARE; 2.37 ms of PostgreSQL against 1.31 ms for the plain
        SELECT of a 600-line claim), one chunk at a time.
        """
        compiled = self._get(db)
        params = self._params(compiled, args, None, None)
        connection = connections[db]

        def chunks():
            with connection.cursor() as cursor:
                cursor.execute(f"{compiled.sql} LIMIT %s", [*params, chunk_size + 1])
                first = cursor.fetchall()
            if len(first) <= chunk_size:
                if first:
                    yield first
                return
            del first
            cursor = connection.chunked_cursor()
            try:
                cursor.execute(compiled.sql, params)
                while chunk := cursor.fetchmany(chunk_size):
                    yield chunk
                    if len(chunk) < chunk_size:  # the last: no round trip to hear so
                        break
            finally:
                cursor.close()

        return self._convert(compiled, chunks())

    def count(self, *args, db: str = "default") -> int:
        """How many rows the query has (its SQL wrapped in a COUNT)."""
        compiled = self._get(db)
        if compiled.windowed:
            raise TypeError("Count a query without a window")
        params = self._params(compiled, args, None, None)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({compiled.sql}) _prepared_count", params)
            return cursor.fetchone()[0]

    @staticmethod
    def _convert(compiled: _Compiled, chunks) -> Iterator[tuple]:
        rows = chain.from_iterable(chunks)
        if compiled.converters:
            rows = map(tuple, compiled.compiler.apply_converters(rows, compiled.converters))
        return iter(rows)


@receiver(setting_changed)
def _settings_changed(setting, **kwargs) -> None:
    # A test that points DATABASES elsewhere, or changes the time zone, compiles again.
    if setting in ("DATABASES", "USE_TZ", "TIME_ZONE"):
        for prepared in _prepared:
            prepared._compiled.clear()
