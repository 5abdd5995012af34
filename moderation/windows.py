"""Pages of a hub.prepared query that PostgreSQL plans once per connection (issue 9).

A windowed ``Prepared`` ends ``LIMIT %s OFFSET %s``. With both as parameters PostgreSQL
planned the statement afresh on every run: the custom plan, which sees the offset (0 on a
first page), always looked cheaper than the generic one, which guesses it at a tenth of the
rows, so the generic plan was never chosen; and planning was most of the statement's cost
(the queue's two lists, 0.27 ms each, 0.09 ms with one plan). Here the page's size is
written into the text (the list's page size, or a last page's rest: a handful of texts) and
the offset is read through a scalar subquery, which no plan can see into: custom and
generic plans then cost the same, so PostgreSQL keeps the generic one, the same index walk.
Deep pages cost what they did (the walk to the offset is the work).
"""

from __future__ import annotations

from django.db import connections

from hub.prepared import Prepared

_WINDOW = "LIMIT %s OFFSET %s"


class PlannedWindow(Prepared):
    """A windowed ``Prepared`` (``window=True``) run as described above; the same rows."""

    def __init__(self, build, *kinds: str) -> None:
        super().__init__(build, *kinds, window=True)
        self._texts: dict[tuple[str, int], str] = {}

    def _text(self, sql: str, limit: int) -> str:
        key = (sql, limit)
        text = self._texts.get(key)
        if text is None:
            if not sql.endswith(_WINDOW):
                raise ValueError(f"The page window is not at the end of: {sql}")
            if len(self._texts) > 64:  # last pages' sizes, per connection: keep a few
                self._texts.clear()
            text = self._texts[key] = (
                f"{sql[: -len(_WINDOW)]}LIMIT {limit} OFFSET (SELECT CAST(%s AS BIGINT))"
            )
        return text

    def rows(
        self, *args, limit: int | None = None, offset: int | None = None, db: str = "default"
    ) -> list:
        compiled = self._get(db)
        params = self._params(compiled, args, limit, offset)
        # _params ends with the window's int(limit) and int(offset): the limit goes into
        # the text (an int, nothing else reaches it), the offset stays a parameter.
        sql = self._text(compiled.sql, params[-2])
        with connections[db].cursor() as cursor:
            cursor.execute(sql, [*params[:-2], params[-1]])
            fetched = cursor.fetchall()
        return list(self._convert(compiled, [fetched]))
