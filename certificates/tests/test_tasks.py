"""R-SLA-2, R-SLA-3: Complete -> certificates and one email, through Celery, run twice safely."""

import pytest

from centres.models import Centre
from certificates import tasks
from certificates.models import Certificate, CertificateDispatch, FailedJob
from certificates.tests.conftest import ready_emails
from hub import tasks as outbox_tasks
from hub.models import OutboxMessage
from moderation import services as moderation
from moderation.models import BatchStatus
from moderation.tasks import sweep_sla
from moderation.tests.factories import make_batch

S = BatchStatus


@pytest.fixture(autouse=True)
def digital_centre(world):
    # R-CRT-1: the "ready" email at once is the delivery for a centre taking digital
    # certificates; posted ones wait for a print run (test_print_runs.py).
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)


@pytest.fixture
def eager(settings):
    # Through Django's settings, which the Celery app reads lazily: writing to
    # celery_app.conf would pin the value for every later test.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def test_task_options_survive_a_dead_worker():
    for task in (
        tasks.issue_certificates,
        tasks.dispatch_certificates,
        tasks.sweep_certificates,
        sweep_sla,
    ):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.autoretry_for == (Exception,)
        assert task.retry_backoff is True
        assert task.max_retries == 6


def test_r_sla_2_complete_issues_and_dispatches_on_commit(
    world, eager, mailoutbox, django_capture_on_commit_callbacks
):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    # R-CRT-1: a centre taking digital certificates is sent them at once.
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome=S.COMPLETE, comments="Well done."
        )
    certificate = Certificate.objects.get(batch=batch)
    assert certificate.pdf
    assert len(ready_emails(mailoutbox)) == 1
    assert CertificateDispatch.objects.get(batch=batch).dispatched_at is not None
    # The same event delivered again (a redelivered message) changes nothing.
    tasks.issue_certificates.delay(batch.pk)
    assert Certificate.objects.filter(batch=batch).count() == 1
    assert len(ready_emails(mailoutbox)) == 1


def test_other_outcomes_enqueue_nothing(world, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.issue_certificates, "delay", sent.append)
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="More."
        )
    assert sent == []
    assert not OutboxMessage.objects.filter(kind="certificates.issue").exists()


def test_no_task_is_sent_before_the_transaction_commits(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    """The certificates' work is an outbox row written with the outcome; its task (the
    outbox's delivery of that row) is sent only after the commit."""
    sent = []
    monkeypatch.setattr(
        outbox_tasks.outbox_deliver, "apply_async", lambda args, **kw: sent.append(args[0])
    )
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome=S.COMPLETE, comments="Well done."
        )
        assert sent == []
        queued = OutboxMessage.objects.get(kind="certificates.issue")
        assert queued.payload == {"batch_id": batch.pk} and queued.done_at is None
    # Other outcomes' notices may travel the outbox too: these are the certificates' sends.
    issued = [
        message.payload["batch_id"]
        for message in OutboxMessage.objects.filter(pk__in=sent, kind="certificates.issue")
    ]
    assert issued == [batch.pk]


def test_sweep_heals_a_lost_message(world, eager, mailoutbox, settings):
    """The issue message was lost (filesystem broker, Redis restart): beat does the work."""
    from datetime import timedelta

    from django.utils import timezone

    from .factories import complete_batch

    old = timezone.now() - timedelta(minutes=settings.HUB_HEAL_AFTER_MINUTES + 1)
    batch = complete_batch(world, completed_at=old)
    result = tasks.sweep_certificates.delay().get()
    assert result["issue"] == 1
    assert Certificate.objects.filter(batch=batch).exclude(pdf="").count() == 1
    assert len(mailoutbox) == 1
    assert tasks.sweep_certificates.delay().get() == {"issue": 0, "dispatch": 0, "alerts": 0}
    assert len(mailoutbox) == 1


def test_a_task_out_of_retries_is_recorded_for_admins(world):
    error = RuntimeError("storage unreachable")
    tasks.record_failed_job(
        sender=tasks.issue_certificates, task_id="x", exception=error, args=[42], kwargs={}
    )
    job = FailedJob.objects.get()
    assert (job.task, job.args, job.error) == (
        "certificates.tasks.issue_certificates",
        [42],
        "RuntimeError: storage unreachable",
    )
