"""/readyz: a load balancer's readiness probe; database, Redis and storage, two seconds each.

It answers "ready", or 503 with the names of the parts that failed and nothing else; it is
open to anyone, exempt from the SSL redirect, and leaves no session or cached answer behind.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from hub.storage import s3_storage
from testsupport.s3 import ACCESS_KEY, REGION, SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ready_when_database_cache_and_storage_answer(client, db):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.content == b"ready"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response and not response.cookies
    assert client.post(reverse("readyz")).status_code == 405


@pytest.mark.services
def test_ready_with_s3_storage_and_not_when_the_bucket_is_gone(client, db, s3):
    assert client.get(reverse("readyz")).content == b"ready"
    s3.client.delete_bucket(Bucket=s3.name)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.content == b"not ready: storage"
    s3.client.create_bucket(  # for the fixture's own clean-up
        Bucket=s3.name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )


def test_storage_that_does_not_answer_is_named_and_fails_fast(client, db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name="hub-media",
            endpoint_url=f"http://127.0.0.1:{closed_port()}",
            region_name=REGION,
            signed_url_seconds=60,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        ),
    }
    started = time.monotonic()
    response = client.get(reverse("readyz"))
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.content == b"not ready: storage"


def test_a_cache_on_a_closed_port_is_named_and_fails_fast(client, db):
    location = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": location,
            }
        }
    ):
        started = time.monotonic()
        response = client.get(reverse("readyz"))
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.content == b"not ready: redis"  # the database and storage still answer
    assert str(location) not in response.content.decode()
    assert elapsed < 3


PROBE = """
import time
import django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/readyz")
print(response.status_code, round(time.monotonic() - started, 1))
print(response.content.decode())
"""


def test_a_broken_database_and_redis_make_it_503_within_seconds(tmp_path):
    """A whole process configured for PostgreSQL and Redis on ports where nothing listens."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))},
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "DATABASE_URL": f"postgres://hub:secret-password@127.0.0.1:{closed_port()}/hub",
        "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
        "HUB_MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    status_line, body = result.stdout.strip().splitlines()
    status, seconds = status_line.split()
    assert status == "503"
    assert float(seconds) < 3
    # Only the names: no host, port, user or password of either service.
    assert body == "not ready: database, redis"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_load_balancers_probe_over_plain_http_without_a_redirect(client, db, settings):
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    assert client.get(reverse("readyz")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("login")).status_code == 301  # everything else goes to HTTPS


def test_the_production_profile_exempts_the_probes_from_the_ssl_redirect():
    from hub.tests.test_settings_profiles import PRODUCTION, manage

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, "
        "settings.SECURE_REDIRECT_EXEMPT)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['^healthz$', '^readyz$']"
