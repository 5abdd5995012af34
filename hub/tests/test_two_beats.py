"""Two beats started by mistake, and a beat restarted: no work done twice, none lost (issue 11).

Real processes on the same PostgreSQL and Redis, as the production profile runs them: two
``celery beat`` (each under bin/keep-running, as deploy/Procfile runs it) sending every
sweep every second, and one worker running two tasks at a time, so copies of a sweep from
the two beats run side by side. Work is left in the outbox as a lost message leaves it
(certificates to issue for Complete batches), and the certificate sweep heals work of any
age, racing the outbox: each batch still gets one certificate set and one email, and each
outbox message is delivered by one attempt (the sweeps' locks, hub/locks.py, and the rows'
claims). One beat is then killed outright and comes back: it keeps no schedule file
(hub/beat.py), sends its sweeps at once, and new work is again done once.

Every process must open the test database and the broker: this runs in the PostgreSQL +
Redis leg of .ci/run.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from centres.models import Centre
from certificates.models import Certificate, CertificateDispatch
from certificates.tests.factories import complete_batch
from hub.models import OutboxMessage
from testsupport import nodes

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_services():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip(
            "two beats need a database and broker other processes can open: runs in the "
            "PostgreSQL + Redis leg of .ci/run"
        )
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def _beat(name: str, *, env: dict, logs: Path, schedules: Path):
    # As deploy/Procfile runs it, plus a schedule path in this test's folder: the
    # MemoryScheduler must never write it.
    return nodes.start(
        [
            str(nodes.ROOT / "bin" / "keep-running"),
            str(nodes.BIN / "celery"),
            "-A",
            "hub",
            "beat",
            "--loglevel=INFO",
            f"--schedule={schedules / name}",
        ],
        env={"KEEP_RUNNING_DELAY": "1", **env},
        log=logs / f"{name}.log",
    )


def _child(process) -> int | None:
    """The command bin/keep-running is running now (its one child), or None between runs."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    children = path.read_text().split() if path.exists() else []
    return int(children[0]) if children else None


def _lost_messages(world, count: int) -> list[int]:
    """Complete batches whose "certificates.issue" message never reached a worker."""
    batches = [complete_batch(world, learners=1).pk for _ in range(count)]
    for batch_id in batches:
        OutboxMessage.objects.create(kind="certificates.issue", payload={"batch_id": batch_id})
    return batches


def _done_once(batches: list[int], mail: Path) -> bool:
    return (
        CertificateDispatch.objects.filter(batch__in=batches, dispatched_at__isnull=False).count()
        == len(batches)
        and not OutboxMessage.objects.filter(done_at__isnull=True).exists()
        and _ready_emails(mail) >= len(batches)
    )


def _ready_emails(mail: Path) -> int:
    return sum(
        1 for m in nodes.emails_in(mail) if str(m["Subject"]).startswith("Certificates ready")
    )


def _sent(log: Path, sweep: str) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text.count(f"Sending due task {sweep} ")


def test_two_beats_do_each_sweeps_work_once_and_a_restart_does_no_harm(
    world, shared_services, tmp_path
):
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    first = _lost_messages(world, 3)
    logs, mail, schedules = tmp_path / "logs", tmp_path / "mail", tmp_path / "schedules"
    for folder in (logs, mail, schedules):
        folder.mkdir()
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "two-beats-test-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": shared_services,
        "REDIS_URL": settings.REDIS_URL,
        "HUB_CELERY_QUEUE": f"two-beats-{uuid.uuid4().hex[:8]}",
        # Files on this test's disk: the topic here is the beats, not the bucket.
        "HUB_SINGLE_NODE": "1",
        "HUB_MEDIA_ROOT": str(tmp_path / "media"),
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_URL": f"filemail:///{mail}",
        # Every sweep every second from each beat; the certificate sweep heals work of any
        # age, so it races the outbox for the same batches.
        **{
            f"HUB_{name}_SWEEP_SECONDS": "1"
            for name in ("CERTIFICATE", "SLA", "CLAIMS", "OUTBOX", "ORPHAN")
        },
        "HUB_HEAL_AFTER_MINUTES": "0",
        "HUB_OUTBOX_RETRY_SECONDS": "1",
    }
    processes = {
        "worker": nodes.worker("beats", env=env, log=logs / "worker.log", concurrency=2),
        "beat-a": _beat("beat-a", env=env, logs=logs, schedules=schedules),
        "beat-b": _beat("beat-b", env=env, logs=logs, schedules=schedules),
    }
    try:
        # Both beats are sending the sweeps.
        for name in ("beat-a", "beat-b"):
            assert nodes.wait_for(
                lambda name=name: _sent(logs / f"{name}.log", "outbox-sweep") >= 2, timeout=60
            ), _tails(logs)
        assert nodes.wait_for(lambda: _done_once(first, mail), timeout=60), _tails(logs)

        # Beat A is killed outright (a crash, an OOM kill); keep-running starts it again.
        killed = _child(processes["beat-a"])
        assert killed is not None
        sent_before = _sent(logs / "beat-a.log", "certificates-sweep")
        os.kill(killed, signal.SIGKILL)
        assert nodes.wait_for(
            lambda: _child(processes["beat-a"]) not in (None, killed), timeout=30
        ), _tails(logs)
        # Back at once with every sweep due, not a full interval (here 1 s; 6 h for the
        # orphan sweep in production) after the last run.
        assert nodes.wait_for(
            lambda: _sent(logs / "beat-a.log", "certificates-sweep") > sent_before, timeout=60
        ), _tails(logs)

        second = _lost_messages(world, 2)
        assert nodes.wait_for(lambda: _done_once(first + second, mail), timeout=60), _tails(logs)
        # Let both beats send every sweep a few more times: nothing may be added.
        marks = {name: _sent(logs / f"{name}.log", "certificates-sweep") for name in ("a", "b")}
        assert nodes.wait_for(
            lambda: all(
                _sent(logs / f"beat-{name}.log", "certificates-sweep") >= mark + 3
                for name, mark in marks.items()
            ),
            timeout=60,
        ), _tails(logs)
        worker_log = logs / "worker.log"
        assert nodes.wait_for(
            lambda: nodes.broker_settled(_app(), env["HUB_CELERY_QUEUE"], [worker_log]),
            timeout=60,
        ), _tails(logs)
    finally:
        nodes.stop_all(processes.values())
        _forget_queue(env["HUB_CELERY_QUEUE"])

    batches = first + second
    for batch_id in batches:
        assert Certificate.objects.filter(batch_id=batch_id).count() == 1
        assert Certificate.objects.filter(batch_id=batch_id).exclude(pdf="").count() == 1
        assert CertificateDispatch.objects.filter(batch_id=batch_id).count() == 1
    assert _ready_emails(mail) == len(batches)  # one email per batch, from two beats
    messages = OutboxMessage.objects.filter(kind="certificates.issue")
    assert messages.count() == len(batches)
    assert set(messages.values_list("attempts", flat=True)) == {1}  # each delivered once
    assert list(schedules.iterdir()) == []  # no schedule file for a restart to trip on
    beat_a = (logs / "beat-a.log").read_text(errors="replace")
    assert beat_a.count("beat: Starting...") == 2
    assert "Traceback" not in beat_a


def _forget_queue(queue: str) -> None:
    """This test's queue and kombu's bindings for it: nothing is left in the shared Redis."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _app():
    from hub.celery import app

    return app


def _tails(logs: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}"
        for path in sorted(logs.glob("*.log"))
    )
