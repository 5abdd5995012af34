"""R-SLA-3: a worker killed with SIGKILL mid-task loses no certificate and sends no email twice.

A real ``celery worker`` process (not a thread, not eager mode) takes the Complete batch's
work and is killed while it holds the dispatch, between claiming it and sending the email.
A second worker then gets the unacknowledged message back from Redis (a short visibility
timeout stands in for the hour production waits) and beat's sweep runs as well, with the
dead worker's claim taken as stale. Afterwards there is exactly one certificate set and one
email.

Both processes must share the test database and the broker, so this runs in the
PostgreSQL + Redis configuration of .ci/run; an in-memory SQLite test database cannot be
opened by another process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from email import message_from_string
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from centres.models import Centre
from certificates import tasks
from certificates.models import Certificate, CertificateDispatch
from certificates.tests.conftest import ready_emails
from hub.celery import app as hub_app
from moderation import services as moderation
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from testsupport import nodes

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def emails_sent(folder: Path) -> list:
    messages = []
    for path in folder.glob("*.log"):
        # The file backend separates messages with a line of 79 dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.strip()))
    return messages


@pytest.fixture
def shared_services():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip(
            "needs a database and broker another process can open: runs in the "
            "PostgreSQL + Redis configuration of .ci/run"
        )
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def queue():
    """A queue of this test's own, so no other test's messages reach these workers."""
    name = f"crash-{uuid.uuid4().hex[:8]}"
    previous = hub_app.conf.task_default_queue
    hub_app.conf.task_default_queue = name
    yield name
    hub_app.conf.task_default_queue = previous


def start_worker(
    *, database_url: str, queue: str, mail: Path, log: Path, **env
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "testsupport.crash_worker",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            f"--hostname={log.stem}@%h",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            # django-environ drops one leading slash: four make the path absolute.
            "EMAIL_URL": f"filemail:///{mail}",
            "HUB_REDIS_VISIBILITY_TIMEOUT": "3",
            "HUB_CRASH_QUEUE": queue,
            **env,
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def test_r_sla_3_sigkill_mid_task_leaves_one_certificate_set_and_one_email(
    world, shared_services, queue, tmp_path
):
    mail = tmp_path / "mail"
    mail.mkdir()
    marker = tmp_path / "in-the-email"
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    # R-CRT-1: a centre taking digital certificates is sent them at once.
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)

    first = start_worker(
        database_url=shared_services,
        queue=queue,
        mail=mail,
        log=tmp_path / "first.log",
        HUB_CRASH_MARKER=str(marker),
    )
    second = None
    try:
        moderation.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome=BatchStatus.COMPLETE, comments="Passed."
        )
        assert wait_for(marker.exists, timeout=60), (tmp_path / "first.log").read_text()[-3000:]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        # Killed while holding the dispatch: certificates made, nothing sent, nothing lost.
        certificates = Certificate.objects.filter(batch=batch)
        assert certificates.count() == 1
        assert ready_emails(emails_sent(mail)) == []
        assert CertificateDispatch.objects.get(batch=batch).dispatched_at is None

        second = start_worker(
            database_url=shared_services,
            queue=queue,
            mail=mail,
            log=tmp_path / "second.log",
            HUB_DISPATCH_CLAIM_MINUTES="0",
            HUB_HEAL_AFTER_MINUTES="0",
        )
        tasks.sweep_certificates.delay()  # what beat would send

        def dispatched():
            return CertificateDispatch.objects.filter(
                batch=batch, dispatched_at__isnull=False
            ).exists()

        assert wait_for(dispatched, timeout=60), (tmp_path / "second.log").read_text()[-3000:]
        # The dead worker's dispatch message, if the second worker has not taken it back
        # already, is still held unacknowledged: give it back now (kombu would, after the
        # visibility timeout) and wait until it, and anything else queued, has run on the
        # second worker. It must change nothing.
        nodes.redeliver_unacked(hub_app, queue)
        assert wait_for(
            lambda: nodes.broker_settled(hub_app, queue, [tmp_path / "second.log"]), timeout=60
        ), nodes.broker_unsettled(hub_app, queue, [tmp_path / "second.log"])
        assert certificates.count() == 1
        assert certificates.exclude(pdf="").count() == 1
        messages = ready_emails(emails_sent(mail))
        assert len(messages) == 1, [m["Subject"] for m in emails_sent(mail)]
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
