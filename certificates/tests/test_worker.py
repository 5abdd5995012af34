"""R-SLA-3 with a real Celery worker: Complete -> one set of certificates and one email.

On the PostgreSQL+Redis configuration (REDIS_URL set, as in .ci/run) the worker consumes
from Redis. Without REDIS_URL it consumes from kombu's filesystem transport in a temporary
folder, the broker ``make run`` uses; it is never eager mode. The worker runs in a thread
(``celery.contrib.testing.worker.start_worker``) against the committed test database.
"""

from __future__ import annotations

import time

import pytest
from celery import Celery
from celery import _state as celery_state
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings

from centres.models import Centre
from certificates import tasks
from certificates.models import Certificate, CertificateDispatch
from certificates.tests.conftest import ready_emails
from hub.celery import app as hub_app
from moderation import services as moderation
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch

S = BatchStatus


@pytest.fixture
def worker_app(tmp_path):
    # start_worker makes its app the process-wide default; give the hub app its place back.
    previous_default = celery_state.default_app
    app = Celery("hub-test-worker", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    if settings.REDIS_URL:
        app.conf.broker_url = settings.REDIS_URL
    else:
        queue = tmp_path / "queue"
        queue.mkdir()
        app.conf.broker_url = "filesystem://"
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(tmp_path / "control"),
            "store_processed": False,
        }
        (tmp_path / "control").mkdir()
    app.conf.task_always_eager = False
    app.conf.task_default_queue = f"certificates-test-{tmp_path.name}"
    app.loader.import_default_modules()
    assert tasks.issue_certificates.name in app.tasks
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield app
    celery_state.set_default_app(previous_default)
    hub_app.set_current()


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_r_sla_3_a_real_worker_issues_once_and_emails_once(world, worker_app, mailoutbox):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    # R-CRT-1: a centre taking digital certificates is sent them at once.
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    moderation.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.COMPLETE, comments="Well done."
    )

    def dispatched():
        return CertificateDispatch.objects.filter(batch=batch, dispatched_at__isnull=False).exists()

    assert wait_for(dispatched), "the worker did not issue and dispatch the certificates"
    assert Certificate.objects.filter(batch=batch).exclude(pdf="").count() == 1
    assert len(ready_emails(mailoutbox)) == 1
    # The same message again, as a redelivery after a lost ack would bring it.
    # The worker runs in this process, so its task_postrun signal says when both have run.
    done: set[str] = set()

    def ran(sender=None, task_id=None, **kwargs):
        done.add(task_id)

    task_postrun.connect(ran, weak=False)
    try:
        sent = {
            tasks.issue_certificates.delay(batch.pk).id,
            tasks.dispatch_certificates.delay(batch.pk).id,
        }
        assert wait_for(lambda: sent <= done), "the worker did not run the redelivered tasks"
    finally:
        task_postrun.disconnect(ran)
    assert Certificate.objects.filter(batch=batch).count() == 1
    assert len(ready_emails(mailoutbox)) == 1
