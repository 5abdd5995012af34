"""R-BAT-2 in the database itself: a learner-unit is on at most one live batch.

The services check it first; the partial unique index ``batchunit_one_live_batch`` is what
holds when two requests race. PostgreSQL lost that index in migration 0005 (0007 restores
it), so these run on both legs.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from moderation.models import BatchStatus, BatchUnit
from moderation.tests.factories import make_batch

pytestmark = pytest.mark.django_db


def test_r_bat_2_the_one_live_batch_index_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, BatchUnit._meta.db_table)
    index = constraints.get("batchunit_one_live_batch")
    assert index is not None, sorted(constraints)
    assert index["unique"] and index["columns"] == ["selection_id"]


def test_r_bat_2_a_second_live_batch_for_one_learner_unit_is_refused(world):
    first = make_batch(world, BatchStatus.CENTRE_COMPLETING)
    second = make_batch(world, BatchStatus.DRAFT)
    unit = first.units.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchUnit.objects.create(batch=second, selection=unit.selection)
    # Released from the first batch, the learner-unit may go on another.
    BatchUnit.objects.filter(pk=unit.pk).update(released_at=timezone.now())
    BatchUnit.objects.create(batch=second, selection=unit.selection)
    assert BatchUnit.objects.filter(selection=unit.selection, released_at__isnull=True).count() == 1
