"""The outbox's tasks: thin wrappers that take a primary key and call hub.outbox."""

from celery import shared_task

from . import orphans, outbox
from .locks import single_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def outbox_deliver(message_id: int) -> bool:
    """Do the work of one outbox message, once (the row is claimed before it runs)."""
    return outbox.deliver(message_id)


@shared_task(acks_late=True)
@single_run("outbox-sweep", ttl=15 * 60)
def outbox_sweep() -> int:
    """Beat: deliver messages whose task was never sent, was lost, or failed and is due."""
    return outbox.sweep()


@shared_task(acks_late=True)
@single_run("orphan-sweep", ttl=60 * 60)
def orphan_sweep() -> int:
    """Beat: remove stored files that no row refers to, once past the grace period."""
    return len(orphans.sweep())


@shared_task(acks_late=True)
@single_run("session-sweep", ttl=60 * 60)
def session_sweep() -> int:
    """Beat: delete sessions past their expiry, which Django leaves to `clearsessions`.

    The hub's own table (hub.session_store) and Django's, where hub 0004 left the rows it
    copied: both are one DELETE on their expiry index.
    """
    from django.contrib.sessions.models import Session as DjangoSession
    from django.utils import timezone

    from .models import Session

    now = timezone.now()
    removed = Session.objects.filter(expire_date__lt=now).delete()[0]
    return removed + DjangoSession.objects.filter(expire_date__lt=now).delete()[0]
