"""The connection health check without a round trip per request (hub/postgresql, issue 9).

A connection PostgreSQL ended (a restart, a killed backend) must still be replaced before a
request uses it; a healthy one must not cost a ``SELECT 1`` on every request.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's connections (health checks)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _start_request() -> None:
    """What a real request does first: Django re-arms the check for its first query."""
    close_old_connections()
    assert not connection.health_check_done


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """End the backend as a PostgreSQL restart does (SIGTERM: a FATAL message, then close)."""
    params = connection.get_connection_params()
    params.pop("context", None)
    params.pop("cursor_factory", None)
    with psycopg.connect(autocommit=True, **params) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # Wait until it is gone, so its socket has been written to and closed.
        for _ in range(200):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            other.execute("SELECT pg_sleep(0.01)")


@pytest.fixture
def health_checks(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    connection.ensure_connection()
    checks = []
    real = connection.is_usable

    def counted():
        checks.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counted)
    yield checks
    connection.close()


def test_the_engine_is_djangos_with_the_polling_check():
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    assert connection.settings_dict["ENGINE"] == "hub.postgresql"
    assert isinstance(connections["default"], DatabaseWrapper)


def test_a_quiet_connection_is_used_without_a_select_1(health_checks):
    _backend_pid()
    _start_request()
    assert _backend_pid()
    assert health_checks == []


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(health_checks):
    old = _backend_pid()
    _terminate(old)
    _start_request()
    # Django's own check ran (the socket was not quiet), found it dead and reconnected.
    new = _backend_pid()
    assert health_checks == [1]
    assert new != old
