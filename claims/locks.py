"""Tell the PAR which unit selections a claim holds (R-PAR-3)."""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef

from par.locks import any_id_sql, id_list
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


@lru_cache(maxsize=2)
def _claimed_sql(vendor: str) -> str:
    # claim_holds() written by hand: the ORM took ~0.9 ms of CPU to compile it, on every
    # page that shows units. Keep the two alike.
    return (
        f"SELECT s.id FROM {UnitSelection._meta.db_table} s"
        f" WHERE {any_id_sql('s.id', 'ids')} AND EXISTS (SELECT 1"
        f" FROM {ClaimLine._meta.db_table} l INNER JOIN {Claim._meta.db_table} c"
        " ON c.id = l.claim_id WHERE l.registration_id = s.registration_id"
        " AND l.unit_id = s.unit_id AND c.status <> %(withdrawn)s"
        " AND l.outcome <> %(line_withdrawn)s)"
    )


def claimed_selections(selection_ids: list[int]) -> dict[int, str]:
    """Reasons, by selection id, for the selections a live claim line names; one query."""
    params = {
        "ids": id_list(selection_ids),
        "withdrawn": ClaimStatus.WITHDRAWN.value,
        "line_withdrawn": LINE_WITHDRAWN,
    }
    with connection.cursor() as cursor:
        cursor.execute(_claimed_sql(connection.vendor), params)
        return dict.fromkeys((pk for (pk,) in cursor.fetchall()), "it is on a grade claim")
