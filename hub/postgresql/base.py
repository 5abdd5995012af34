"""Django's PostgreSQL backend (``ENGINE = "hub.postgresql"``), its health check by a poll.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
request, so a connection PostgreSQL dropped (a restart, a killed backend) is replaced
instead of failing the request. That is one more round trip on every page: a third of the
statements of a trivial page behind login (issue 9).

A server that ends a connection tells the client: PostgreSQL sends a FATAL message
("terminating connection due to administrator command") and closes the socket, and a dead
server's kernel closes it. Either makes an idle connection's socket readable, and nothing
else does (the hub neither LISTENs nor leaves results unread between requests). So where
Django would check, the idle connection's socket is polled first (a system call, no round
trip): with nothing to read, the connection is as usable as ``SELECT 1`` would have found
it; with anything waiting, Django's own check runs as before and replaces the connection
if it fails.

Times come back through psycopg's C parser. Django registers its own loader for
``timestamptz`` (a subclass of psycopg's pure-Python one, which then sets the tzinfo to UTC):
about 3.6 us a value against 0.24 for psycopg's compiled one, some 10% of the moderation
queue's Python (issue 9). Both read the text PostgreSQL sends in the session's TimeZone,
which Django sets to UTC on every connection when USE_TZ is on; the compiled loader then
gives ``datetime.timezone.utc`` itself, the same value Django's gives. So with USE_TZ and
UTC, ``UTCTimestamptzLoader`` hands each value to the compiled parser; otherwise Django's
loader stays. Everything else is Django's backend.
"""

from __future__ import annotations

import datetime
import select

from django.conf import settings
from django.db.backends.postgresql import base

try:
    import psycopg
    from psycopg.adapt import AdaptersMap, Loader
    from psycopg.pq import Format

    _COMPILED_TIMESTAMPTZ = psycopg.adapters.get_loader(
        psycopg.postgres.types["timestamptz"].oid, Format.TEXT
    )
except ImportError:  # psycopg 2: Django's backend as it is
    psycopg = None

_READABLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def socket_is_quiet(raw) -> bool:
    """Whether an idle psycopg 3 connection's socket has nothing to read and no error."""
    if raw.closed or raw.broken:
        return False
    try:
        fd = raw.pgconn.socket
    except Exception:  # no socket (libpq closed it): let Django's check decide
        return False
    poller = select.poll()
    poller.register(fd, _READABLE)
    return not poller.poll(0)


if psycopg is not None:

    class UTCTimestamptzLoader(Loader):
        """``timestamptz`` for a session in UTC, parsed by psycopg's compiled loader.

        ``timezone`` is what Django's create_cursor compares with the connection's zone
        before it would register its own loader on a cursor.
        """

        timezone = datetime.UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # The compiled loader's bound method in place of this class's: psycopg calls it
            # for every value without a Python frame in between.
            self.load = _COMPILED_TIMESTAMPTZ(oid, context).load

        def load(self, data):  # pragma: no cover (replaced per instance above)
            raise NotImplementedError


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if (
            psycopg is not None
            and "context" in params
            and settings.USE_TZ
            and self.timezone == datetime.UTC
            and _COMPILED_TIMESTAMPTZ.__module__.startswith("psycopg_binary")
        ):
            # A copy: Django's template is shared by every connection it makes.
            context = AdaptersMap(params["context"])
            context.register_loader("timestamptz", UTCTimestamptzLoader)
            params["context"] = context
        return params

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and hasattr(self.connection, "pgconn")  # psycopg 3
            and socket_is_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
