"""Reactions to moderation's transitions, through the outbox (hub/outbox.py)."""

from __future__ import annotations

from hub import outbox
from moderation.models import BatchStatus


def queue_issue_on_complete(sender, *, batch_id: int, target: str, **kwargs) -> None:
    """R-SLA-2: a batch becoming Complete queues its certificates, in the same transaction.

    The row commits with the Complete outcome or not at all, and nothing is sent to the
    broker inside the request: with the broker down, "Complete" still commits and answers,
    and the outbox sweep issues the certificates later (R-SLA-3).
    """
    if target == BatchStatus.COMPLETE:
        outbox.enqueue("certificates.issue", batch_id=batch_id)


def issue_and_dispatch(*, batch_id: int) -> None:
    """The outbox handler: issue the batch's certificates, then tell the centre once.

    Both steps are safe to repeat (a second run creates nothing and sends nothing), so a
    retried or swept message changes nothing that is already done.
    """
    # Imported here: this module loads in AppConfig.ready, before the PDF stack is needed.
    from . import services

    services.certificates_issue_for_batch(batch_id=batch_id)
    services.certificates_dispatch_for_batch(batch_id=batch_id)
