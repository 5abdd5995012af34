"""One run at a time of a periodic sweep, across every beat, worker and web node.

``@single_run("certificates-sweep", ttl=...)`` on a beat task makes a second copy that
starts while the first still runs return ``None`` at once instead of doing the work again:
two beats started by mistake, a slow sweep overtaken by its next tick, or a redelivered
message. The sweeps are idempotent anyway (each row is claimed or re-checked); the lock
keeps them from doing the same scan twice and racing each other on the same rows.

Where the lock lives follows what the install shares:
- Redis (``REDIS_URL`` set): a redis-py lock with a token and an expiry (``ttl``), so a
  holder that dies frees it after ``ttl`` seconds, and release never frees someone else's.
- else PostgreSQL: a session advisory lock, freed at release or when the connection dies.
- else (SQLite, one machine): an exclusive ``flock`` on a file under ``var/locks/``, freed
  at release or when the process dies.
When the lock service cannot be reached the sweep is skipped, logged, and beat tries again
at its next tick: a sweep never runs unlocked.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@contextlib.contextmanager
def redis_lock(name: str, *, ttl: int) -> Iterator[bool]:
    import redis

    client = _redis_client(settings.REDIS_URL)
    # Named after the database too: two installs (or test runs) sharing a Redis never block
    # each other's sweeps.
    key = f"hub:lock:{connection.settings_dict['NAME']}:{name}"
    lock = client.lock(key, timeout=ttl, blocking=False)
    try:
        acquired = lock.acquire()
    except redis.RedisError as exc:
        log.warning("Lock %s: Redis is unreachable (%s); skipping this run.", name, exc)
        acquired = False
    try:
        yield acquired
    finally:
        if acquired:
            try:
                lock.release()
            except redis.exceptions.LockError:
                # It expired (the run outlasted ttl) and may now be someone else's.
                log.warning("Lock %s expired before its run ended (ttl %ss).", name, ttl)
            except redis.RedisError as exc:
                log.warning("Lock %s could not be released (%s); it expires by itself.", name, exc)


@contextlib.contextmanager
def advisory_lock(name: str, *, ttl: int) -> Iterator[bool]:
    """A PostgreSQL session advisory lock; ``ttl`` is not needed, the session holds it."""
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextlib.contextmanager
def file_lock(name: str, *, ttl: int) -> Iterator[bool]:
    """An exclusive flock for single-machine installs; the kernel frees it with the process."""
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            acquired = True
        except BlockingIOError:
            acquired = False
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def held(name: str, *, ttl: int) -> contextlib.AbstractContextManager[bool]:
    """Try to take lock ``name`` without waiting; the context's value says whether it did."""
    if not _NAME.match(name):
        raise ValueError(f"Lock names are short lowercase words: {name!r}")
    if settings.REDIS_URL:
        return redis_lock(name, ttl=ttl)
    if connection.vendor == "postgresql":
        return advisory_lock(name, ttl=ttl)
    return file_lock(name, ttl=ttl)


def single_run(name: str, *, ttl: int) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Run the decorated function only if no other run of ``name`` holds the lock; else None.

    Put it under ``@shared_task`` so the task keeps the function's name. ``ttl`` (seconds)
    should exceed the longest run: with Redis a lock older than that is freed.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            with held(name, ttl=ttl) as acquired:
                if not acquired:
                    log.info("%s is already running elsewhere; this run is skipped.", name)
                    return None
                return func(*args, **kwargs)

        return wrapper

    return decorate


@functools.cache
def _redis_client(url: str):
    import redis

    # Short timeouts: a Redis that is down skips a sweep at once rather than hanging beat's
    # task (the broker is then down too, so nothing else could be done meanwhile).
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
