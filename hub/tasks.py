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
