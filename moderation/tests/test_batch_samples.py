"""R-BAT-5, R-BAT-8, R-NEW-4: one learner-work file per claimed learner-unit."""

import pytest

from moderation import services
from moderation.models import BatchDocument, BatchStatus, DocumentKind

from .factories import make_batch, pdf

S = BatchStatus


def slot(batch, n=0):
    return batch.units.order_by("pk")[n]


def test_r_bat_5_upload_and_replace_a_slot(world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = slot(batch)
    p = world.learner.membership_number
    services.batch_upload_sample(
        actor=world.admin, batch=batch, batch_unit=unit, upload=pdf(f"{p} v1.pdf")
    )
    services.batch_upload_sample(
        actor=world.admin, batch=batch, batch_unit=unit, upload=pdf(f"{p} v2.pdf")
    )
    current = BatchDocument.objects.current().get(batch_unit=unit)
    assert current.original_name == f"{p} v2.pdf"
    # R-NEW-4: the first upload is an earlier version, not destroyed.
    earlier = BatchDocument.objects.get(batch_unit=unit, superseded_at__isnull=False)
    assert earlier.superseded_by == current
    assert earlier.file.storage.exists(earlier.file.name)


def test_r_bat_5_remove_a_slot_file_with_the_x(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    services.batch_remove_sample(actor=world.admin, batch=batch, batch_unit=slot(batch))
    assert not BatchDocument.objects.current().filter(kind=DocumentKind.SAMPLE).exists()
    assert BatchDocument.objects.filter(kind=DocumentKind.SAMPLE).count() == 1  # kept
    assert batch.history.filter(event="document_removed").exists()


def test_r_bat_2_slot_refuses_another_learners_work(world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    with pytest.raises(Exception, match="slot is for"):
        services.batch_upload_sample(
            actor=world.admin, batch=batch, batch_unit=slot(batch), upload=pdf("P9999999 x.pdf")
        )
    assert not BatchDocument.objects.filter(kind=DocumentKind.SAMPLE).exists()


def test_r_bat_5_unit_of_another_batch_refused(world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    other = make_batch(world, S.CENTRE_COMPLETING, selections=[])
    with pytest.raises(services.BatchError, match="not on this batch"):
        services.batch_upload_sample(
            actor=world.admin, batch=other, batch_unit=slot(batch), upload=pdf()
        )


@pytest.mark.parametrize("status", [s for s in S.values if s != "draft"])  # drafts: no units
def test_r_bat_8_learner_work_addable_only_in_centre_completing_or_insufficient_sample(
    world, status
):
    batch = make_batch(world, status)
    call = lambda: services.batch_upload_sample(  # noqa: E731
        actor=world.admin, batch=batch, batch_unit=slot(batch), upload=pdf()
    )
    if status in (S.CENTRE_COMPLETING, S.INSUFFICIENT_SAMPLE):
        call()
        assert BatchDocument.objects.current().filter(kind=DocumentKind.SAMPLE).count() == 1
    else:
        with pytest.raises(services.BatchStateError):
            call()
        assert not BatchDocument.objects.filter(kind=DocumentKind.SAMPLE).exists()


@pytest.mark.parametrize("status", [s for s in S.values if s not in ("draft", "centre_completing")])
def test_r_bat_8_learner_work_cannot_be_removed_after_submission(world, status):
    batch = make_batch(world, status, samples=1)
    with pytest.raises(services.BatchStateError):
        services.batch_remove_sample(actor=world.admin, batch=batch, batch_unit=slot(batch))
    assert BatchDocument.objects.current().filter(kind=DocumentKind.SAMPLE).count() == 1


def test_samples_refused_for_staff_without_the_grant(world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    with pytest.raises(services.BatchPermissionError):
        services.batch_upload_sample(
            actor=world.tutor, batch=batch, batch_unit=slot(batch), upload=pdf()
        )
