"""R-REV-2 on a second review of the same batch or claim: whoever decided an earlier review of
it took part in the outcome now reviewed (or already looked at it once), so is not offered
and is refused, like the original moderator or assessor."""

import pytest

from reviews import services
from reviews.models import ReviewStatus
from reviews.selectors import eligible_reviewers

from .factories import REASONS, make_review, make_reviewer, reviewable_claim


@pytest.mark.parametrize("first", [ReviewStatus.OUTCOME_CHANGED, ReviewStatus.UPHELD])
@pytest.mark.parametrize("kind", ["batch", "claim"])
def test_r_rev_2_the_earlier_reviewer_does_not_review_again(world, first, kind):
    reviewer = make_reviewer(world)
    subject = {"claim": reviewable_claim(world)} if kind == "claim" else {}
    earlier = make_review(world, status=first, reviewer=reviewer, **subject)
    subject = {"batch": earlier.batch} if kind == "batch" else {"claim": earlier.claim}
    again = services.review_request(actor=world.admin, reasons=REASONS, **subject)
    assert reviewer not in eligible_reviewers(again)
    with pytest.raises(services.ReviewerNotAllowed, match="earlier review"):
        services.review_assign(actor=world.staff, review=again, reviewer=reviewer)
    other = make_reviewer(world, email="second-reviewer@example.test")
    assert other in eligible_reviewers(again)
    assert services.review_assign(actor=world.staff, review=again, reviewer=other).reviewer == other
