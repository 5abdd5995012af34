"""Issue 12 item 4: with the broker (Redis) down, the moderator's "Complete" commits and
answers as usual; the certificates wait in the outbox and are issued by the sweep later."""

from __future__ import annotations

from django.urls import reverse
from kombu.exceptions import OperationalError

from centres.models import Centre
from certificates.models import Certificate, CertificateDispatch
from certificates.tests.conftest import ready_emails
from hub import outbox, tasks
from hub.models import OutboxMessage
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import make_batch

S = BatchStatus


def test_complete_answers_normally_with_the_broker_down_and_the_sweep_issues_later(
    client, world, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.outbox_deliver, "apply_async", broker_down)
    batch = make_batch(world, S.RESUBMITTED, moderator=world.moderator)
    # R-CRT-1: a centre taking digital certificates is sent them at once.
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    client.force_login(world.moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:outcome", args=[batch.pk]),
            {"outcome": S.COMPLETE, "comments": "All good."},
        )
    assert response.status_code == 302
    assert Batch.objects.get(pk=batch.pk).status == S.COMPLETE
    message = OutboxMessage.objects.get(kind="certificates.issue")
    assert message.payload == {"batch_id": batch.pk} and message.done_at is None
    assert not Certificate.objects.filter(batch=batch).exists()

    # The broker is still down; beat's sweep runs in the worker and does the work itself
    # (the certificates, and the outcome notices R-NTF-1 queued beside them).
    assert outbox.sweep() == OutboxMessage.objects.count()
    assert Certificate.objects.filter(batch=batch).exclude(pdf="").count() == 1
    assert CertificateDispatch.objects.get(batch=batch).dispatched_at is not None
    assert len(ready_emails(mailoutbox)) == 1
    assert outbox.sweep() == 0
    assert len(ready_emails(mailoutbox)) == 1
