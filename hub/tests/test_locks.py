"""Every beat sweep takes a lock: two beats (or a sweep overtaken by its next tick) do each
job once, whichever lock service the install shares (Redis, PostgreSQL or one machine's disk).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from certificates import tasks as certificate_tasks
from claims import tasks as claim_tasks
from hub import locks
from hub import tasks as hub_tasks
from hub.locks import held, single_run
from moderation import tasks as moderation_tasks

SWEEPS = [
    (certificate_tasks.sweep_certificates, "certificates-sweep"),
    (moderation_tasks.sweep_sla, "sla-sweep"),
    (claim_tasks.sweep_finalised_claims, "claims-processing-sweep"),
    (hub_tasks.outbox_sweep, "outbox-sweep"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("task", "name"), SWEEPS, ids=[name for _, name in SWEEPS])
def test_a_sweep_whose_lock_is_held_is_skipped(task, name, monkeypatch):
    ran = []
    # The work each sweep would do, recorded rather than done.
    monkeypatch.setattr(
        certificate_tasks.services, "certificates_to_heal", lambda: ran.append(1) or ([], [])
    )
    monkeypatch.setattr(certificate_tasks.alerts, "dispatch_sweep", lambda: 0)
    monkeypatch.setattr(moderation_tasks.alerts, "sla_sweep", lambda: ran.append(1) or 0)
    monkeypatch.setattr(claim_tasks, "claims_awaiting_processing", _recorded_claims(ran))
    monkeypatch.setattr(hub_tasks.outbox, "sweep", lambda: ran.append(1) or 0)

    with held(name, ttl=60) as acquired:
        assert acquired
        assert task.run() is None  # another beat's copy: skipped
    assert ran == []

    assert task.run() is not None  # the lock is free again: the sweep runs
    assert ran == [1]


def _recorded_claims(ran):
    def claims_awaiting_processing(*, older_than):
        from claims.models import Claim

        ran.append(1)
        return Claim.objects.none()

    return claims_awaiting_processing


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_do_the_work_once():
    started, release = threading.Event(), threading.Event()
    runs = []

    @single_run("test-concurrent", ttl=60)
    def sweep():
        runs.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return "done"

    results = {}

    def first():
        try:
            results["first"] = sweep()
        finally:
            connection.close()

    thread = threading.Thread(target=first, name="first")
    thread.start()
    assert started.wait(10)
    results["second"] = sweep()  # the first still holds the lock
    release.set()
    thread.join(10)

    assert runs == ["first"]
    assert results == {"first": "done", "second": None}
    assert sweep() == "done"  # released once the first finished


def _backends():
    yield pytest.param(locks.file_lock, id="file")
    yield pytest.param(
        locks.advisory_lock,
        id="postgresql",
        marks=pytest.mark.skipif(
            "postgresql" not in settings.DATABASES["default"]["ENGINE"],
            reason="PostgreSQL advisory locks: runs in the PostgreSQL leg of .ci/run",
        ),
    )
    yield pytest.param(
        locks.redis_lock,
        id="redis",
        marks=pytest.mark.skipif(
            not settings.REDIS_URL, reason="Redis locks: runs in the Redis leg of .ci/run"
        ),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", _backends())
def test_each_lock_service_refuses_a_second_holder_until_released(backend):
    outcome = {}

    def other_holder():
        # Another thread stands for another process: its own database connection.
        try:
            with backend("test-backend", ttl=30) as acquired:
                outcome["while held"] = acquired
        finally:
            connection.close()

    with backend("test-backend", ttl=30) as acquired:
        assert acquired
        thread = threading.Thread(target=other_holder)
        thread.start()
        thread.join(10)
    assert outcome == {"while held": False}
    with backend("test-backend", ttl=30) as acquired:
        assert acquired


def test_lock_names_are_plain_words():
    with pytest.raises(ValueError):
        held("../etc/passwd", ttl=1)


def test_beat_keeps_no_schedule_file_and_sends_every_sweep_at_start(tmp_path):
    from hub.beat import MemoryScheduler
    from hub.celery import app

    assert app.conf.beat_scheduler == "hub.beat:MemoryScheduler"
    scheduler = MemoryScheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
    names = set(settings.CELERY_BEAT_SCHEDULE)
    assert names <= set(scheduler.schedule)
    assert all(scheduler.schedule[name].is_due().is_due for name in names)
    scheduler.sync()
    scheduler.close()
    assert list(tmp_path.iterdir()) == []
