"""BatchTally stays the exact count of live batches by centre, status and moderator (issue 9):
after creation, the services' transitions, taking and assigning, the centre's and the
awarding body's deletions, and writes past the ORM's save. The queue's and the batch list's
counts read from it equal a real count, on SQLite and on PostgreSQL (DATABASE_URL)."""

import pytest
from django.db import connection

from moderation import selectors, services
from moderation.models import AWAITING_MODERATOR, Batch, BatchStatus, BatchTally

from .factories import make_batch

S = BatchStatus
pytestmark = pytest.mark.django_db


def assert_counts_exact(world) -> None:
    assert BatchTally.TALLY.mismatches() == {}
    live = Batch.objects.live()
    waiting = live.filter(status__in=AWAITING_MODERATOR)
    assert selectors.moderator_queue_counts(moderator_id=world.moderator.pk) == (
        waiting.filter(moderator=world.moderator).count(),
        waiting.filter(moderator__isnull=True).count(),
    )
    for centre in (world.centre, world.other_centre):
        mine = live.filter(centre=centre)
        assert selectors.centre_batch_count(centre_id=centre.pk, completed=False) == (
            mine.exclude(status=S.COMPLETE).count()
        )
        assert selectors.centre_batch_count(centre_id=centre.pk, completed=True) == (
            mine.filter(status=S.COMPLETE).count()
        )


def test_transitions_taking_and_deleting(world):
    draft = services.batch_create(
        actor=world.admin, centre=world.centre, qualification=world.qualification
    )
    waiting = [make_batch(world, S.WITH_MODERATOR, selections=[]) for _ in range(3)]
    make_batch(world, S.RESUBMITTED, selections=[], moderator=world.moderator)
    make_batch(world, S.COMPLETE, selections=[], centre=world.other_centre)
    assert_counts_exact(world)
    assert selectors.moderator_queue_counts(moderator_id=world.moderator.pk) == (1, 3)

    services.batch_take(actor=world.moderator, batch=waiting[0])
    assert selectors.moderator_queue_counts(moderator_id=world.moderator.pk) == (2, 2)
    services.batch_admin_delete(actor=world.staff, batch=waiting[1])
    assert selectors.moderator_queue_counts(moderator_id=world.moderator.pk) == (2, 1)
    services.batch_delete(actor=world.admin, batch=draft)
    assert selectors.centre_batch_count(centre_id=world.centre.pk, completed=False) == 3
    assert selectors.centre_batch_count(centre_id=world.other_centre.pk, completed=True) == 1
    assert_counts_exact(world)


def test_writes_past_save_and_hand_written_sql(world):
    batches = [make_batch(world, S.WITH_MODERATOR, selections=[]) for _ in range(4)]
    Batch.objects.filter(pk__in=[b.pk for b in batches[:2]]).update(moderator=world.moderator)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE moderation_batch SET status = %s WHERE id = %s", [S.COMPLETE, batches[2].pk]
        )
    assert selectors.moderator_queue_counts(moderator_id=world.moderator.pk) == (2, 1)
    Batch.objects.filter(pk=batches[3].pk).delete()
    assert selectors.moderator_queue_counts(moderator_id=world.moderator.pk) == (2, 0)
    assert_counts_exact(world)


def test_mismatches_sees_a_tally_gone_wrong(world):
    """The check the other tests rely on can fail."""
    batch = make_batch(world, S.WITH_MODERATOR, selections=[])
    BatchTally.objects.filter(status=S.WITH_MODERATOR).update(n=7)
    assert BatchTally.TALLY.mismatches() == {(world.centre.pk, S.WITH_MODERATOR, 0): (7, 1)}
    assert batch.moderator_id is None
