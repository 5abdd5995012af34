"""A Redis of the test's own, to take down and bring back: Debian's redis-server on a free port.

The shared Redis a test run uses must never be stopped, so a test that needs an outage
starts this one (no persistence: restarted, it is empty, as a Redis that lost its data),
points the hub at it, and calls ``stop()`` and ``start()``. ``redis_outage`` does the
pointing: the cache, the Celery broker and the sweep locks all use it for the test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    def __init__(self) -> None:
        with socket.socket() as probe:  # a free port, kept across stop() and start()
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 10) -> None:
        if self._process is not None:
            return
        self._process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill it outright (SIGKILL), as a crash would: connections are refused at once."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server():
    """A running redis-server of this test's own; killed at the end."""
    if not Path(REDIS_SERVER).is_file():
        pytest.skip(
            "needs Debian's redis-server to start a Redis it may stop "
            "(apt-get install redis-server); the shared one is never stopped"
        )
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_outage(redis_server, settings):
    """The hub's cache, broker and locks on ``redis_server``, which the test may stop."""
    from hub.celery import app

    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            # As production's settings: a Redis that is down fails fast.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = redis_server.url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._after_fork()  # drop pooled connections to the previous broker
    yield redis_server
    redis_server.start()  # the cache is cleared at teardown by some packages' fixtures
    app.conf.broker_url, app.conf.broker_transport_options = saved
    app._after_fork()
