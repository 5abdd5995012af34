"""R-REV-2: the reviewer is never the moderator who gave the outcome under review, even when
the batch's moderator has been changed since (staff may reassign a batch at any status)."""

import pytest

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from moderation import services as moderation
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from reviews import services
from reviews.selectors import eligible_reviewers

from .factories import REASONS


@pytest.fixture
def second_moderator(world):
    return UserFactory(email="second-moderator@example.test", body_role=BodyRole.MODERATOR)


def _moderated_then_reassigned(world, to):
    """A batch world.moderator completed through the service, then given to ``to``."""
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    batch = moderation.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=BatchStatus.COMPLETE, comments="Well done."
    )
    return moderation.batch_assign(actor=world.staff, batch=batch, moderator=to)


@pytest.mark.parametrize("reassigned", ["another moderator", "nobody"])
def test_r_rev_2_the_moderator_who_gave_the_outcome_stays_the_original(
    world, second_moderator, reassigned
):
    to = second_moderator if reassigned == "another moderator" else None
    batch = _moderated_then_reassigned(world, to)
    assert batch.moderator == to  # the batch's moderator is no longer the one who decided
    review = services.review_request(actor=world.admin, batch=batch, reasons=REASONS)
    assert review.original_by == world.moderator
    assert world.moderator not in eligible_reviewers(review)
    with pytest.raises(services.ReviewerNotAllowed, match="original moderator"):
        services.review_assign(actor=world.staff, review=review, reviewer=world.moderator)
    if to is not None:
        # The moderator it was reassigned to gave no outcome: they may review it.
        assigned = services.review_assign(actor=world.staff, review=review, reviewer=to)
        assert assigned.reviewer == to
