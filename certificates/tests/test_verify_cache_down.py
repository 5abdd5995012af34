"""The public verify page with its cache (Redis) down: it still answers, and says so in the log.

Issue 12.4: the rate limit lives in the cache, and an unreachable Redis made every check a 500.
"""

import logging
import socket
import time

import pytest
from django.test import override_settings
from django.urls import reverse

from .factories import issued_certificate


def _closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down():
    # A context manager, not the settings fixture: the cache must be back before the
    # package's fixture clears it at teardown.
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=down):
        yield


@pytest.mark.usefixtures("redis_down")
def test_verify_answers_with_the_certificate_when_redis_is_down(client, world, caplog):
    certificate = issued_certificate(world)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="certificates.verification"):
        response = client.post(
            reverse("certificates:verify"),
            {"number": certificate.number, "code": certificate.display_code},
        )

    assert response.status_code == 200
    body = response.content.decode()
    assert "is genuine" in body
    assert certificate.learner.full_name in body
    assert time.monotonic() - started < 5
    records = [r for r in caplog.records if r.name == "certificates.verification"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "cache unavailable" in message
    assert "\n" not in message
    assert records[0].exc_info is None  # one line, no traceback


@pytest.mark.usefixtures("redis_down")
def test_verify_wrong_code_still_says_not_found_when_redis_is_down(client, world):
    certificate = issued_certificate(world)
    response = client.post(
        reverse("certificates:verify"), {"number": certificate.number, "code": "AAAA-AAAA-AAAA"}
    )
    assert response.status_code == 200
    assert "Not found" in response.content.decode()
