"""The one way side effects leave a change: a row in the change's transaction, then a task.

A service that changes state and wants something done because of it (an email, certificates
for a Complete batch, a Finalised claim posted to the PAR) calls ``enqueue(kind, **payload)``
inside its transaction. The row commits or rolls back with the change, so work is never
lost after a commit and never done for a change that was rolled back. Once the transaction
commits, a thin Celery task ``outbox_deliver(message_id)`` is sent; a broker outage is
logged, never raised into the request, and beat's ``outbox_sweep`` delivers the row later.

Delivery claims the row with one conditional UPDATE, so two workers (the task and the sweep,
or a redelivered message) never run it at once; runs the handler registered for its kind;
marks it done, or on failure gives the claim back with ``available_at`` pushed out
exponentially. Handlers run outside any transaction of ours and must be safe to run again:
a worker that dies after the work but before marking it done leaves the row to be retried
once its claim grows stale (at-least-once delivery).

Apps register their handlers in ``AppConfig.ready`` by dotted path, so the hub imports
nothing above it: ``outbox.register("claims.process", "claims.outbox.process_claim")``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxMessage

log = logging.getLogger(__name__)

_handlers: dict[str, str] = {}

# Celery's default publish retries (a dropped connection is re-opened), bounded so a broker
# that is down costs the request about a second: the row is already safe for the sweep.
_SEND_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


class UnknownKind(LookupError):
    """No handler is registered for a message's kind."""


def register(kind: str, handler: str) -> None:
    """Name the function (dotted path) that does the work of ``kind``; it gets the payload."""
    if _handlers.get(kind, handler) != handler:
        raise ValueError(f"Outbox kind {kind!r} already has the handler {_handlers[kind]}.")
    _handlers[kind] = handler


def handler_for(kind: str) -> Callable[..., object]:
    try:
        return import_string(_handlers[kind])
    except KeyError:
        raise UnknownKind(f"No outbox handler is registered for {kind!r}.") from None


def enqueue(kind: str, **payload) -> OutboxMessage:
    """Record work to do once the current transaction commits, and send its task then.

    ``payload`` must be JSON: primary keys and plain values, never model instances (the
    handler loads what it needs when it runs, so it sees the committed state).
    """
    if kind not in _handlers:
        raise UnknownKind(f"No outbox handler is registered for {kind!r}.")
    message = OutboxMessage.objects.create(kind=kind, payload=payload)
    transaction.on_commit(partial(send, message.pk))
    return message


def send(message_id: int) -> None:
    """Hand message ``message_id`` to the broker; on failure log it and leave it to the sweep."""
    from .tasks import outbox_deliver

    try:
        outbox_deliver.apply_async((message_id,), retry=True, retry_policy=_SEND_RETRY_POLICY)
    except Exception:
        log.warning(
            "Outbox message %s could not be handed to the broker; the sweep will deliver it.",
            message_id,
            exc_info=True,
        )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, capped."""
    base = settings.HUB_OUTBOX_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.HUB_OUTBOX_MAX_DELAY))


def _claimable(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.HUB_OUTBOX_LEASE_SECONDS)
    return Q(done_at__isnull=True, available_at__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )


def deliver(message_id: int) -> bool:
    """Do the work of message ``message_id`` once; True if this call did it.

    A message already done, claimed by a live delivery, or not yet due is left alone.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(_claimable(now), pk=message_id)
        .filter(attempts__lt=settings.HUB_OUTBOX_MAX_ATTEMPTS)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        handler_for(message.kind)(**message.payload)
    except Exception as exc:
        retry_at = timezone.now() + backoff(message.attempts)
        OutboxMessage.objects.filter(pk=message_id, claimed_at=now).update(
            claimed_at=None, available_at=retry_at, last_error=f"{type(exc).__name__}: {exc}"
        )
        level = (
            logging.ERROR
            if message.attempts >= settings.HUB_OUTBOX_MAX_ATTEMPTS
            else logging.WARNING
        )
        log.log(
            level,
            "Outbox %s #%s failed (attempt %s); next try after %s.",
            message.kind,
            message_id,
            message.attempts,
            retry_at,
            exc_info=True,
        )
        return False
    OutboxMessage.objects.filter(pk=message_id, claimed_at=now).update(
        done_at=timezone.now(), last_error=""
    )
    return True


def pending(*, now: datetime | None = None):
    """Messages due for delivery now: never delivered, failed and due again, or abandoned."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(_claimable(now)).filter(
        attempts__lt=settings.HUB_OUTBOX_MAX_ATTEMPTS
    )


def sweep(*, limit: int = 500) -> int:
    """Deliver what the on-commit task did not (broker down, message lost, a failure due for
    another try); returns how many were done. Safe to run twice at once: each row is claimed.
    """
    ids = list(pending().order_by("available_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk) for pk in ids)


def requeue(*, actor, message_ids: list[int]) -> int:
    """An admin sends messages that ran out of attempts (or are waiting) round again now."""
    if not (actor is not None and actor.is_staff):
        raise PermissionDenied("Only the awarding body's administrators can do this.")
    now = timezone.now()
    count = OutboxMessage.objects.filter(pk__in=message_ids, done_at__isnull=True).update(
        attempts=0, available_at=now, claimed_at=None
    )
    for message_id in message_ids:
        send(message_id)
    log.info("%s requeued %s outbox message(s).", actor, count)
    return count
