"""par.locks.unheld_sql, the hand-written twin of unheld() that Select Units' free filter
uses, holds the same rows as the ORM conditions: batches and live claim lines hold, a
withdrawn claim or a withdrawn line does not (R-PAR-3, R-BAT-4)."""

from django.db import connection

from claims.models import LINE_WITHDRAWN, ClaimStatus
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from moderation.locks import batch_holds
from moderation.models import BatchStatus as S
from moderation.tests.factories import make_batch, selections_for
from par.locks import unheld, unheld_sql
from par.models import UnitSelection


def free_by_sql(**kwargs) -> set[int]:
    table = UnitSelection._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id FROM {table} s WHERE {unheld_sql('s', **kwargs)}")
        return {pk for (pk,) in cursor.fetchall()}


def free_by_orm(**kwargs) -> set[int]:
    return set(UnitSelection.objects.filter(unheld(**kwargs)).values_list("pk", flat=True))


def test_unheld_sql_holds_what_unheld_holds(world):
    batched, claimed, withdrawn_claim, withdrawn_line = selections_for(
        world.learner, world.qualification
    )[:4]
    make_batch(world, S.CENTRE_COMPLETING, selections=[batched])
    registration = claimed.registration
    live = ClaimFactory(centre=world.centre, qualification=world.qualification)
    ClaimLineFactory(claim=live, registration=registration, unit=claimed.unit)
    ClaimLineFactory(
        claim=live, registration=registration, unit=withdrawn_line.unit, outcome=LINE_WITHDRAWN
    )
    gone = ClaimFactory(
        centre=world.centre, qualification=world.qualification, status=ClaimStatus.WITHDRAWN
    )
    ClaimLineFactory(claim=gone, registration=registration, unit=withdrawn_claim.unit)

    assert free_by_sql() == free_by_orm()
    assert {withdrawn_claim.pk, withdrawn_line.pk} <= free_by_sql()
    assert not {batched.pk, claimed.pk} & free_by_sql()
    besides = {"besides": [batch_holds]}
    assert free_by_sql(**besides) == free_by_orm(**besides)
    assert batched.pk in free_by_sql(**besides)
    assert claimed.pk not in free_by_sql(**besides)
