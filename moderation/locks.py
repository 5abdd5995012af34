"""Which PAR selections a batch holds, for par.locks (R-PAR-3, R-BAT-9)."""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef

from hub.sql import any_id_sql, id_list

from .models import Batch, BatchStatus, BatchUnit


@lru_cache(maxsize=2)
def _batch_locks_sql(vendor: str) -> str:
    # The status by a probe per held unit: a join let PostgreSQL hash every batch of the
    # awarding body (10,000 open ones: 2-8 ms) to label the few a page holds. Written by
    # hand: the ORM took ~0.7 ms of CPU to compile it, on every page that shows units.
    return (
        f"SELECT u.selection_id, u.batch_id,"
        f" (SELECT b.status FROM {Batch._meta.db_table} b WHERE b.id = u.batch_id)"
        f" FROM {BatchUnit._meta.db_table} u"
        f" WHERE u.released_at IS NULL AND {any_id_sql('u.selection_id', 'ids')}"
    )


def batch_locks_sql(vendor: str) -> str:
    """batch_locks' query, (selection id, batch id, status), for par.locks' one statement."""
    return _batch_locks_sql(vendor)


def batch_lock_reason(batch_id: int, status: str) -> str:
    """What PAR says of a selection the batch ``batch_id`` (in ``status``) holds."""
    return f"in batch {batch_id} ({_STATUS_LABELS.get(status, status)})"


_STATUS_LABELS = dict(BatchStatus.choices)


def batch_locks(selection_ids: list[int]) -> dict[int, str]:
    """Reasons, by selection id, for each selection held by a batch not deleted; one query."""
    with connection.cursor() as cursor:
        cursor.execute(_batch_locks_sql(connection.vendor), {"ids": id_list(selection_ids)})
        rows = cursor.fetchall()
    return {
        selection_id: batch_lock_reason(batch_id, status) for selection_id, batch_id, status in rows
    }


def batch_holds_sql(alias: str) -> str:
    """batch_holds() in SQL, on the UnitSelection row ``alias``."""
    return (
        f"EXISTS (SELECT 1 FROM {BatchUnit._meta.db_table} h"
        f" WHERE h.selection_id = {alias}.id AND h.released_at IS NULL)"
    )


def batch_holds() -> Exists:
    """True for a UnitSelection row that a batch not deleted holds (for set-wise queries)."""
    return Exists(BatchUnit.objects.filter(selection_id=OuterRef("pk"), released_at__isnull=True))
