"""Reactions to moderation's committed transitions."""

from __future__ import annotations

from django.db import transaction

from moderation.models import BatchStatus


def issue_on_complete(sender, *, batch_id: int, target: str, **kwargs) -> None:
    """R-SLA-2: a batch that became Complete gets its certificates, in the background."""
    if target != BatchStatus.COMPLETE:
        return
    from .tasks import issue_certificates

    # The signal is already sent after commit; on_commit also covers a caller that sends it
    # inside a transaction of its own.
    transaction.on_commit(lambda: issue_certificates.delay(batch_id))
