"""Tell the PAR which unit selections a claim holds (R-PAR-3)."""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef

from hub.sql import any_id_sql, id_list
from par.models import UnitSelection

from .models import LINE_WITHDRAWN, Claim, ClaimLine, ClaimStatus


def claim_holds() -> Exists:
    """True for a UnitSelection row that a live claim line names (for set-wise queries)."""
    return Exists(
        ClaimLine.objects.filter(
            registration_id=OuterRef("registration_id"), unit_id=OuterRef("unit_id")
        )
        .exclude(claim__status=ClaimStatus.WITHDRAWN)
        .exclude(outcome=LINE_WITHDRAWN)
    )


def claim_holds_sql(alias: str) -> str:
    """claim_holds() in SQL, on the UnitSelection row ``alias`` (keep the two alike). The
    two withdrawn values are the code's constants, written in."""
    return (
        f"EXISTS (SELECT 1 FROM {ClaimLine._meta.db_table} cl"
        f" INNER JOIN {Claim._meta.db_table} cc ON cc.id = cl.claim_id"
        f" WHERE cl.registration_id = {alias}.registration_id AND cl.unit_id = {alias}.unit_id"
        f" AND cc.status <> '{ClaimStatus.WITHDRAWN.value}' AND cl.outcome <> '{LINE_WITHDRAWN}')"
    )


@lru_cache(maxsize=2)
def _claimed_sql(vendor: str) -> str:
    # Written by hand: the ORM took ~0.9 ms of CPU to compile it, on every page that shows
    # units.
    return (
        f"SELECT s.id FROM {UnitSelection._meta.db_table} s"
        f" WHERE {any_id_sql('s.id', 'ids')} AND {claim_holds_sql('s')}"
    )


CLAIM_LOCK_REASON = "it is on a grade claim"


def claimed_sql(vendor: str) -> str:
    """claimed_selections' query as par.locks' one statement reads a holder: (selection id,
    holder id, status), the last two unused (a claim line names no batch)."""
    return _claimed_sql(vendor).replace("SELECT s.id FROM", "SELECT s.id, 0, '' FROM", 1)


def claim_lock_reason(_holder_id: int, _status: str) -> str:
    return CLAIM_LOCK_REASON


def claimed_selections(selection_ids: list[int]) -> dict[int, str]:
    """Reasons, by selection id, for the selections a live claim line names; one query."""
    with connection.cursor() as cursor:
        cursor.execute(_claimed_sql(connection.vendor), {"ids": id_list(selection_ids)})
        return dict.fromkeys((pk for (pk,) in cursor.fetchall()), CLAIM_LOCK_REASON)
