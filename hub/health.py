"""Readiness: can this node reach what it needs to serve a request (``/readyz``)?

Each part is asked in a thread of its own and given ``CHECK_SECONDS`` in all, so a service
that does not answer (a black-holed host, a hung server) costs the load balancer's probe
two seconds, never a worker for a minute. Only the names of the parts that failed leave
this module; why they failed goes to the log, since the probe is open to anyone.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections

from .storage import is_s3

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0


def _database() -> None:
    # A connection of this thread's own: the probe proves a new connection can be made.
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connections.close_all()


def _redis_url() -> str | None:
    cache = settings.CACHES["default"]
    return cache["LOCATION"] if cache["BACKEND"].endswith(".RedisCache") else None


def _redis() -> None:
    import redis

    client = redis.Redis.from_url(
        _redis_url(), socket_connect_timeout=CHECK_SECONDS, socket_timeout=CHECK_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    if is_s3(default_storage):
        # One cheap request: the bucket exists and these credentials may use it.
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
        return
    # Local disk: the media folder, or the folder it will be made in on the first upload.
    path = Path(default_storage.location)
    while not path.exists() and path != path.parent:
        path = path.parent
    if not (path.is_dir() and os.access(path, os.W_OK | os.X_OK)):
        raise OSError(f"{default_storage.location} cannot be written")


def _checks() -> dict:
    checks = {"database": _database, "redis": _redis, "storage": _storage}
    if _redis_url() is None:  # the embedded defaults: a per-process cache, nothing to reach
        del checks["redis"]
    return checks


def unready_parts(*, timeout: float = CHECK_SECONDS) -> list[str]:
    """The names of the parts that failed or did not answer within ``timeout``; [] if ready."""
    checks = _checks()
    answered: dict[str, bool] = {}

    def run(name: str, check) -> None:
        try:
            check()
            answered[name] = True
        except Exception:
            log.warning("Readiness: %s is not reachable.", name, exc_info=True)
            answered[name] = False

    threads = [
        threading.Thread(target=run, args=item, name=f"readyz-{item[0]}", daemon=True)
        for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for name in checks:
        if name not in answered:
            log.warning("Readiness: %s did not answer within %.1f s.", name, timeout)
    return [name for name in checks if answered.get(name) is not True]
