"""A claim whose every line was withdrawn at finalisation stays Finalised (the claims guide):
its review is told in words that no result is on the PAR to change, not to wait for a
processing that never comes."""

import pytest

from claims.models import LINE_WITHDRAWN, ClaimLine
from reviews import services
from reviews.models import ReviewStatus

from .factories import make_review, make_reviewer, reviewable_claim


def test_r_rev_3_an_all_withdrawn_claim_is_not_waiting_to_be_processed(world):
    reviewer = make_reviewer(world)
    claim = reviewable_claim(world, processed=False)
    ClaimLine.objects.filter(claim=claim).update(outcome=LINE_WITHDRAWN)
    review = make_review(world, claim=claim, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    with pytest.raises(services.ReviewError) as refused:
        services.review_change_outcome(actor=reviewer, review=review, results={})
    assert "Try again" not in str(refused.value)
    assert "withdrawn" in str(refused.value)
    assert services.review_uphold(actor=reviewer, review=review, comments="Stands.").status == (
        ReviewStatus.UPHELD
    )
