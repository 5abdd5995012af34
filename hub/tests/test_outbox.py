"""The outbox (hub/outbox.py): a row in the change's transaction, a task on commit, once.

Uses a kind registered for these tests whose handler records its calls (or fails while told
to), so what is checked is the outbox's own contract: written with the change or not at all,
sent only after commit, a broker outage never raised, each row done once, failures retried
later with a growing delay, and the sweep picking up whatever was left.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from hub import outbox, tasks
from hub.models import OutboxMessage

calls: list[dict] = []
failures: list[Exception] = []


def record(**payload) -> None:
    """The test kind's handler: fail with the next queued error, else record the call."""
    if failures:
        raise failures.pop(0)
    calls.append(payload)


@pytest.fixture(autouse=True)
def test_kind():
    outbox.register("hub.test", "hub.tests.test_outbox.record")
    calls.clear()
    failures.clear()
    yield "hub.test"
    outbox._handlers.pop("hub.test", None)


@pytest.fixture
def sent(monkeypatch):
    """Message ids handed to the broker, which here only records them."""
    ids: list[int] = []
    monkeypatch.setattr(
        tasks.outbox_deliver, "apply_async", lambda args, **kwargs: ids.append(args[0])
    )
    return ids


def test_the_row_is_written_in_the_transaction_and_sent_after_commit(
    db, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue("hub.test", claim_pk=7)
        assert OutboxMessage.objects.get(pk=message.pk).payload == {"claim_pk": 7}
        assert sent == []  # nothing leaves before the commit
    assert sent == [message.pk]
    assert calls == []  # the worker does the work, not the request


def test_a_rolled_back_change_leaves_no_row_and_sends_nothing(db, sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("hub.test", claim_pk=7)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert sent == []


def test_an_unknown_kind_is_refused_when_queued(db):
    with pytest.raises(outbox.UnknownKind):
        outbox.enqueue("hub.no_such_kind", x=1)


def test_a_broker_outage_is_logged_never_raised_and_the_sweep_delivers(
    db, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.outbox_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue("hub.test", claim_pk=7)
    assert "the sweep will deliver it" in caplog.text
    message.refresh_from_db()
    assert (message.done_at, message.attempts) == (None, 0)
    assert tasks.outbox_sweep() == 1
    assert calls == [{"claim_pk": 7}]


def test_delivered_once_however_often_the_task_and_the_sweep_run(db):
    message = OutboxMessage.objects.create(kind="hub.test", payload={"n": 1})
    assert outbox.deliver(message.pk) is True
    assert outbox.deliver(message.pk) is False  # a redelivered message
    assert outbox.sweep() == 0  # beat
    assert calls == [{"n": 1}]
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1


def test_a_row_claimed_by_a_live_delivery_is_left_alone_a_stale_claim_is_taken_over(db):
    now = timezone.now()
    live = OutboxMessage.objects.create(kind="hub.test", payload={"n": 1}, claimed_at=now)
    lease = timedelta(seconds=django_settings.HUB_OUTBOX_LEASE_SECONDS + 1)
    dead = OutboxMessage.objects.create(kind="hub.test", payload={"n": 2}, claimed_at=now - lease)
    assert outbox.deliver(live.pk) is False
    assert outbox.deliver(dead.pk) is True
    assert calls == [{"n": 2}]


def test_a_failure_is_retried_later_with_a_growing_delay(db):
    failures.extend([ConnectionError("first"), ConnectionError("second")])
    message = OutboxMessage.objects.create(kind="hub.test", payload={"n": 1})

    before = timezone.now()
    assert outbox.deliver(message.pk) is False
    message.refresh_from_db()
    first_delay = message.available_at - before
    assert (message.attempts, message.claimed_at, message.done_at) == (1, None, None)
    assert message.last_error == "ConnectionError: first"
    assert outbox.deliver(message.pk) is False  # not due yet: nothing runs
    assert outbox.sweep() == 0

    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    before = timezone.now()
    assert outbox.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error == "ConnectionError: second"
    assert message.available_at - before > first_delay  # backoff grows

    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    assert outbox.sweep() == 1
    message.refresh_from_db()
    assert message.done_at is not None and message.last_error == ""
    assert calls == [{"n": 1}]


def test_backoff_doubles_up_to_the_cap(settings):
    settings.HUB_OUTBOX_RETRY_SECONDS = 30
    settings.HUB_OUTBOX_MAX_DELAY = 3600
    delays = [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4, 10)]
    assert delays == [30, 60, 120, 240, 3600]


def test_a_message_out_of_attempts_stays_for_an_admin(db, settings):
    settings.HUB_OUTBOX_MAX_ATTEMPTS = 2
    message = OutboxMessage.objects.create(kind="hub.test", payload={"n": 1}, attempts=2)
    assert outbox.sweep() == 0
    assert outbox.deliver(message.pk) is False
    assert calls == []


def test_beat_runs_the_outbox_sweep():
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "hub.tasks.outbox_sweep" in schedule


def test_delivery_tasks_survive_a_dead_worker():
    assert tasks.outbox_deliver.acks_late is True
    assert tasks.outbox_deliver.reject_on_worker_lost is True


def test_an_admin_sends_a_message_out_of_attempts_round_again(db, world, settings, sent):
    settings.HUB_OUTBOX_MAX_ATTEMPTS = 2
    message = OutboxMessage.objects.create(
        kind="hub.test", payload={"n": 1}, attempts=2, last_error="SMTPException: 451"
    )
    with pytest.raises(PermissionDenied):
        outbox.requeue(actor=world.director, message_ids=[message.pk])
    assert outbox.requeue(actor=world.staff, message_ids=[message.pk]) == 1
    assert sent == [message.pk]
    assert outbox.sweep() == 1
    assert calls == [{"n": 1}]


def test_the_admin_lists_waiting_messages_and_requeues_them(client, world, sent):
    message = OutboxMessage.objects.create(kind="hub.test", payload={"n": 1}, attempts=12)
    client.force_login(world.staff)
    page = client.get("/admin/hub/outboxmessage/")
    assert page.status_code == 200 and "hub.test" in page.content.decode()
    client.post(
        "/admin/hub/outboxmessage/",
        {"action": "requeue", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.attempts == 0 and sent == [message.pk]
