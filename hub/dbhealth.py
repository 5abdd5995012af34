"""Django's database health check, without a round trip on every request.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
request, so a connection PostgreSQL dropped (a restart, a killed backend) is replaced
instead of failing the request. That is one more round trip on every page: a third of the
statements of a trivial page behind login (issue 9).

A server that ends a connection tells the client: PostgreSQL sends a FATAL message
("terminating connection due to administrator command") and closes the socket, and a dead
server's kernel closes it. Either makes an idle connection's socket readable, and nothing
else does (the hub neither LISTENs nor leaves results unread between requests). So at the
start of a request each idle PostgreSQL connection's socket is polled (a system call, no
round trip): if there is nothing to read, the connection is as usable as ``SELECT 1``
would have found it and Django's check is marked done; if anything is waiting, Django's own
``SELECT 1`` runs as before and replaces the connection if it fails. Celery tasks and
anything outside a request keep Django's check unchanged.
"""

from __future__ import annotations

import select

from django.db import connections

_READABLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def _socket_is_quiet(raw) -> bool:
    """Whether an idle psycopg connection's socket has nothing to read and no error."""
    if raw.closed or raw.broken:
        return False
    try:
        fd = raw.pgconn.socket
    except Exception:  # a closed libpq connection raises; let Django's check decide
        return False
    poller = select.poll()
    poller.register(fd, _READABLE)
    return not poller.poll(0)


def skip_health_check_when_quiet(**kwargs) -> None:
    """On request_started, after Django's close_old_connections has re-armed the check."""
    for conn in connections.all(initialized_only=True):
        if (
            conn.vendor == "postgresql"
            and conn.connection is not None
            and conn.health_check_enabled
            and not conn.health_check_done
            and not conn.in_atomic_block
            and hasattr(conn.connection, "pgconn")  # psycopg 3
            and _socket_is_quiet(conn.connection)
        ):
            conn.health_check_done = True
