"""R-REV-3: a decision changes the outcome that was reviewed, never a batch or claim that has
moved on since the review was asked for (a Returned batch resubmitted and back with a
moderator): its learner-units are not released from under the moderator, nothing is saved."""

import pytest
from django.utils import timezone

from moderation.models import Batch, BatchStatus, BatchUnit
from moderation.tests.factories import make_batch
from par.models import UnitSelection
from reviews import services
from reviews.models import Review, ReviewStatus
from reviews.selectors import review_units

from .factories import make_review, make_reviewer


@pytest.mark.parametrize("now", [BatchStatus.RESUBMITTED, BatchStatus.WITH_MODERATOR])
def test_r_rev_3_no_outcome_changed_on_a_batch_that_moved_on(world, now):
    reviewer = make_reviewer(world)
    batch = make_batch(world, BatchStatus.INSUFFICIENT_SAMPLE, moderator=world.moderator)
    Batch.objects.filter(pk=batch.pk).update(outcome_at=timezone.now())
    UnitSelection.objects.filter(batch_units__batch=batch).update(result="pass")
    batch.refresh_from_db()
    review = make_review(world, batch=batch, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    unit = review_units(review)[0]
    # The centre resubmitted meanwhile (R-BAT-8); the batch is being moderated again.
    Batch.objects.filter(pk=batch.pk).update(status=now)
    with pytest.raises(services.ReviewStateError, match="since the review was asked for"):
        services.review_change_outcome(actor=reviewer, review=review, results={unit.key: ""})
    assert BatchUnit.objects.get(pk=int(unit.key[1:])).released_at is None
    assert UnitSelection.objects.get(pk=unit.selection_id).result == "pass"
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.UNDER_REVIEW
    # Upholding is still possible: the outcome reviewed stood until the batch moved on.
    upheld = services.review_uphold(actor=reviewer, review=review, comments="Overtaken.")
    assert upheld.status == ReviewStatus.UPHELD
