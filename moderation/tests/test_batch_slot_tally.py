"""BatchSlotTally stays the exact count of a batch's live slots by slot to fill and top-up
(issue 9): after units are added in bulk, marked to fill (R-SMP-1) and for a top-up
(R-SMP-3), released, deleted, and written past the ORM's save. batch_slot_counts read from it
(and from the partial index of the marked slots) equals a real count, on SQLite and on
PostgreSQL (DATABASE_URL)."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from moderation import selectors
from moderation.models import (
    BatchDocument,
    BatchSlotTally,
    BatchStatus,
    BatchUnit,
    DocumentKind,
)

from .factories import bulk_learner_units, make_batch

S = BatchStatus
pytestmark = pytest.mark.django_db


def assert_counts_exact(*batches) -> None:
    assert BatchSlotTally.TALLY.mismatches() == {}
    for batch in batches:
        live = BatchUnit.objects.filter(batch=batch, released_at__isnull=True)
        has_file = Exists(
            BatchDocument.objects.filter(
                batch_unit=OuterRef("pk"), kind=DocumentKind.SAMPLE, superseded_at__isnull=True
            )
        )
        without = live.filter(~has_file)
        counts = selectors.batch_slot_counts(batch=batch)
        assert counts.claimed == live.count()
        assert counts.to_fill == live.filter(to_fill=True).count()
        assert counts.top_up_missing == without.filter(top_up=True).count()
        assert counts.to_fill_missing == without.filter(Q(to_fill=True) | Q(top_up=True)).count()
        assert counts.uploaded == live.filter(has_file).count()


def test_marking_releasing_and_deleting(world):
    first = make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=bulk_learner_units(world.centre, world.qualification, 5),
        samples=3,
    )
    second = make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=bulk_learner_units(world.other_centre, world.qualification, 2),
        centre=world.other_centre,
    )
    assert_counts_exact(first, second)
    assert selectors.batch_slot_counts(batch=first).claimed == 20

    units = list(first.units.order_by("pk"))
    BatchUnit.objects.filter(pk__in=[u.pk for u in units[:6]]).update(to_fill=True)
    BatchUnit.objects.filter(pk__in=[u.pk for u in units[4:9]]).update(top_up=True)
    assert_counts_exact(first, second)
    assert selectors.batch_slot_counts(batch=first).to_fill == 6

    # Released (taken off the batch) and back; a marked one too; one saved by the ORM.
    BatchUnit.objects.filter(pk__in=[u.pk for u in units[3:6]]).update(released_at=timezone.now())
    unit = units[7]
    unit.released_at = timezone.now()
    unit.save(update_fields=["released_at"])
    assert_counts_exact(first, second)
    assert selectors.batch_slot_counts(batch=first).claimed == 16
    BatchUnit.objects.filter(pk=units[3].pk).update(released_at=None, to_fill=False)
    assert_counts_exact(first, second)

    # Deleted rows, and the whole batch with its units (a cascade).
    BatchUnit.objects.filter(pk__in=[u.pk for u in units[10:12]]).delete()
    assert_counts_exact(first, second)
    second.delete()
    assert_counts_exact(first)
    assert BatchSlotTally.objects.filter(batch_id=second.pk).exclude(n=0).count() == 0


def test_hand_written_sql_and_moving_between_batches(world):
    first = make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=bulk_learner_units(world.centre, world.qualification, 3),
    )
    second = make_batch(world, S.CENTRE_COMPLETING, selections=[])
    ids = list(first.units.order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE moderation_batchunit SET top_up = %s WHERE id IN (%s, %s)",
            [True, ids[0], ids[1]],
        )
        cursor.execute(
            "UPDATE moderation_batchunit SET batch_id = %s WHERE id = %s", [second.pk, ids[2]]
        )
    assert_counts_exact(first, second)
    assert selectors.batch_slot_counts(batch=second).claimed == 1


def test_mismatches_sees_a_tally_gone_wrong(world):
    """The check the other tests rely on can fail."""
    batch = make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=bulk_learner_units(world.centre, world.qualification, 1),
    )
    BatchSlotTally.objects.filter(batch_id=batch.pk).update(n=7)
    assert BatchSlotTally.TALLY.mismatches() == {(batch.pk, False, False): (7, 4)}
