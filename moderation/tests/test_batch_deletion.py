"""R-BAT-9, R-NEW-4: deleting a batch, by the centre early on, later by an admin."""

from datetime import UTC, date, datetime

import pytest

from hub.workdays import add_working_days
from moderation import services
from moderation.models import Batch, BatchDocument, BatchStatus
from par.locks import locks_for

from .factories import make_batch, selections_for

S = BatchStatus


@pytest.mark.parametrize("status", S.values)
def test_r_bat_9_centre_deletes_only_before_submission(world, status):
    batch = make_batch(world, status, samples=1)
    if status in (S.DRAFT, S.CENTRE_COMPLETING):
        services.batch_delete(actor=world.admin, batch=batch)
        batch.refresh_from_db()
        assert batch.deleted_at is not None
        assert not batch.units.filter(released_at__isnull=True).exists()
    else:
        with pytest.raises(services.BatchStateError):
            services.batch_delete(actor=world.admin, batch=batch)
        batch.refresh_from_db()
        assert batch.deleted_at is None


def test_r_new_4_centre_deletion_keeps_the_files(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=2)
    services.batch_delete(actor=world.admin, batch=batch)
    for document in BatchDocument.objects.filter(batch=batch):
        assert document.file.storage.exists(document.file.name)


def test_r_bat_9_request_deletion_keeps_units_locked(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    services.batch_request_deletion(actor=world.admin, batch=batch, reason="Wrong learners.")
    batch.refresh_from_db()
    assert batch.deletion_requested_by == world.admin
    assert batch.deletion_reason == "Wrong learners."
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    assert set(locks_for(ids)) == set(ids)
    with pytest.raises(services.BatchStateError, match="already been requested"):
        services.batch_request_deletion(actor=world.admin, batch=batch, reason="Again.")


def test_r_bat_9_request_needs_a_reason_and_a_submitted_batch(world):
    with pytest.raises(services.BatchError, match="why"):
        services.batch_request_deletion(
            actor=world.admin, batch=make_batch(world, S.WITH_MODERATOR), reason="  "
        )
    for status in (S.CENTRE_COMPLETING, S.COMPLETE):
        with pytest.raises(services.BatchStateError):
            services.batch_request_deletion(
                actor=world.admin, batch=make_batch(world, status, selections=[]), reason="x"
            )


def test_r_bat_9_admin_deletion_releases_units_and_removes_files(
    world, django_capture_on_commit_callbacks
):
    batch = make_batch(world, S.WITH_MODERATOR, samples=1)
    services.batch_request_deletion(actor=world.admin, batch=batch, reason="Duplicate.")
    documents = list(BatchDocument.objects.filter(batch=batch))
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_admin_delete(actor=world.staff, batch=batch)
    batch.refresh_from_db()
    assert batch.deleted_at is not None and batch.files_purged_at is not None
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    assert locks_for(ids) == {}
    for document in documents:
        assert not document.file.storage.exists(document.file.name)
    assert Batch.objects.live().filter(pk=batch.pk).count() == 0


def test_r_bat_9_admin_deletion_refused_for_non_staff_and_complete(world):
    with pytest.raises(services.BatchPermissionError):
        services.batch_admin_delete(actor=world.admin, batch=make_batch(world, S.WITH_MODERATOR))
    with pytest.raises(services.BatchStateError):
        services.batch_admin_delete(
            actor=world.staff, batch=make_batch(world, S.COMPLETE, selections=[])
        )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (date(2025, 3, 3), date(2025, 3, 10)),  # Monday -> next Monday
        (date(2025, 3, 7), date(2025, 3, 14)),  # Friday -> next Friday
        (date(2025, 4, 16), date(2025, 4, 25)),  # Good Friday and Easter Monday skipped
        (date(2025, 12, 22), date(2025, 12, 31)),  # Christmas and Boxing Day skipped
    ],
)
def test_r_bat_9_five_working_days_in_england_and_wales(start, target):
    assert add_working_days(start, 5) == target


def test_r_bat_9_target_date_on_the_batch(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    Batch.objects.filter(pk=batch.pk).update(
        deletion_requested_at=datetime(2025, 4, 16, 12, tzinfo=UTC)
    )
    batch.refresh_from_db()
    assert batch.deletion_target_date == date(2025, 4, 25)
