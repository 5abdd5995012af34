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
if it fails. Everything else is Django's backend.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base

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


class DatabaseWrapper(base.DatabaseWrapper):
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
