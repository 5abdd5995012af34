"""R-NEW-3 with R-REV-3: an outcome changed on review that changes a claim's lines says so on
the claim's own history, as a batch's does ("Learner-unit removed"): who, when, why."""

from centres.models import AuditEvent
from claims.models import ClaimHistory, ClaimStatus
from reviews import services
from reviews.models import ReviewStatus
from reviews.selectors import review_units

from .factories import make_review, make_reviewer, reviewable_claim


def test_r_new_3_a_claim_changed_on_review_has_a_history_row(world):
    reviewer = make_reviewer(world)
    claim = reviewable_claim(world)
    review = make_review(world, claim=claim, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    first, second = review_units(review)[:2]
    before = ClaimHistory.objects.filter(claim=claim).count()
    services.review_change_outcome(
        actor=reviewer, review=review, results={first.key: "", second.key: "distinction"}
    )
    rows = ClaimHistory.objects.filter(claim=claim).order_by("at", "pk")
    assert rows.count() == before + 1
    row = rows.last()
    assert row.actor == reviewer
    assert (row.from_status, row.to_status) == (ClaimStatus.PROCESSED, ClaimStatus.PROCESSED)
    assert f"review {review.pk}" in row.note.lower()
    assert f"({first.p_number}) {first.unit_code}: " in row.note
    assert f"({second.p_number}) {second.unit_code}: " in row.note
    assert "Withdrawn" in row.note and "Distinction" in row.note
    assert AuditEvent.objects.filter(action="claims.lines_changed_on_review").exists()
