"""Which PAR selections a batch holds, for par.locks (R-PAR-3, R-BAT-9)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Subquery

from par.locks import AnyOf

from .models import Batch, BatchStatus, BatchUnit


def batch_locks(selection_ids: list[int]) -> dict[int, str]:
    """Reasons, by selection id, for each selection held by a batch not deleted; one query."""
    labels = dict(BatchStatus.choices)
    # The status by a probe per held unit: a join let PostgreSQL hash every batch of the
    # awarding body (10,000 open ones: 2-8 ms) to label the few a page holds. No ordering:
    # the rows go into a dict.
    status = Batch.objects.filter(pk=OuterRef("batch_id")).order_by().values("status")[:1]
    rows = (
        BatchUnit.objects.filter(AnyOf(F("selection_id"), selection_ids), released_at__isnull=True)
        .order_by()
        .values_list("selection_id", "batch_id", Subquery(status))
    )
    return {
        selection_id: f"in batch {batch_id} ({labels.get(status, status)})"
        for selection_id, batch_id, status in rows
    }


def batch_holds() -> Exists:
    """True for a UnitSelection row that a batch not deleted holds (for set-wise queries)."""
    return Exists(BatchUnit.objects.filter(selection_id=OuterRef("pk"), released_at__isnull=True))
