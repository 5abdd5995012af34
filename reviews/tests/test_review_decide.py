"""R-REV-2: a review moves Requested -> Under review -> Upheld | Outcome changed, only by the
reviewer the awarding body assigned, never the original moderator or assessor; every change
has its history row (R-NEW-3) and its notice (R-NTF-1)."""

import pytest
from django.core.exceptions import PermissionDenied

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from notices.models import Notice
from par.models import UnitSelection
from reviews import services
from reviews.models import HistoryEvent, Review, ReviewStatus
from reviews.selectors import review_history, review_units

from .factories import make_review, make_reviewer, reviewable_claim


@pytest.fixture
def reviewer(world):
    return make_reviewer(world)


def test_r_rev_2_staff_assign_a_reviewer_who_is_told(world, reviewer):
    review = make_review(world)
    review = services.review_assign(actor=world.staff, review=review, reviewer=reviewer)
    review.refresh_from_db()
    assert review.reviewer == reviewer and review.assigned_by == world.staff
    assert review.status == ReviewStatus.REQUESTED  # assigning is not a status change
    row = review.history.get(event=HistoryEvent.ASSIGNED)
    assert row.actor == world.staff and str(reviewer) in row.note
    notice = Notice.objects.get(kind="review.assigned")
    assert notice.recipient == reviewer


def test_r_rev_2_the_original_moderator_may_not_review(world):
    review = make_review(world)
    assert review.original_by == world.moderator
    with pytest.raises(services.ReviewerNotAllowed, match="original moderator"):
        services.review_assign(actor=world.staff, review=review, reviewer=world.moderator)
    review.refresh_from_db()
    assert review.reviewer is None


def test_r_rev_2_the_assessor_who_finalised_a_claim_may_not_review_it(world):
    claim = reviewable_claim(world)
    review = make_review(world, claim=claim)
    assert review.original_by == world.assessor
    with pytest.raises(services.ReviewerNotAllowed, match="original assessor"):
        services.review_assign(actor=world.staff, review=review, reviewer=world.assessor)
    # Another assessor may.
    other = UserFactory(email="second-assessor@example.test", body_role=BodyRole.ASSESSOR)
    assert (
        services.review_assign(actor=world.staff, review=review, reviewer=other).reviewer == other
    )


@pytest.mark.parametrize("who", ["admin", "director", "data"])
def test_r_rev_2_only_body_moderators_and_assessors_may_be_reviewers(world, who):
    review = make_review(world)
    with pytest.raises(services.ReviewerNotAllowed):
        services.review_assign(actor=world.staff, review=review, reviewer=getattr(world, who))


@pytest.mark.parametrize("who", ["admin", "moderator", "assessor"])
def test_r_rev_2_only_staff_assign(world, reviewer, who):
    review = make_review(world)
    with pytest.raises(PermissionDenied):
        services.review_assign(actor=getattr(world, who), review=review, reviewer=reviewer)


def test_r_rev_2_a_decided_review_cannot_be_reassigned(world, reviewer):
    review = make_review(world, status=ReviewStatus.UPHELD, reviewer=reviewer)
    other = make_reviewer(world, email="other-reviewer@example.test")
    with pytest.raises(services.ReviewStateError):
        services.review_assign(actor=world.staff, review=review, reviewer=other)


def test_r_rev_2_the_reviewer_starts_and_the_centre_is_told(world, reviewer):
    review = make_review(world, reviewer=reviewer)
    review = services.review_start(actor=reviewer, review=review)
    assert review.status == ReviewStatus.UNDER_REVIEW and review.started_at
    row = review.history.get(event=HistoryEvent.TRANSITION)
    assert (row.from_status, row.to_status, row.actor) == (
        ReviewStatus.REQUESTED,
        ReviewStatus.UNDER_REVIEW,
        reviewer,
    )
    assert Notice.objects.filter(kind="review.started", recipient=world.admin).exists()
    assert Notice.objects.filter(kind="review.started", email=world.centre.contact_email).exists()


@pytest.mark.parametrize("who", ["admin", "moderator", "staff", "other"])
def test_r_rev_2_nobody_but_the_assigned_reviewer_moves_it(world, reviewer, who):
    review = make_review(world, reviewer=reviewer)
    actor = (
        make_reviewer(world, email="other-reviewer@example.test")
        if who == "other"
        else getattr(world, who)
    )
    with pytest.raises(PermissionDenied):
        services.review_start(actor=actor, review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.REQUESTED


def test_r_rev_2_no_start_before_a_reviewer_is_assigned(world, reviewer):
    review = make_review(world)
    with pytest.raises((services.ReviewError, PermissionDenied)):
        services.review_start(actor=reviewer, review=review)


def test_r_rev_2_upheld_needs_comments_and_stops_the_clock(world, reviewer):
    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    with pytest.raises(services.ReviewResultsInvalid) as refused:
        services.review_uphold(actor=reviewer, review=review, comments=" ")
    assert "comments" in refused.value.errors
    review = services.review_uphold(actor=reviewer, review=review, comments="It stands.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.UPHELD
    assert review.comments == "It stands." and review.decided_at and review.sla_due_at is None
    # The PAR is untouched.
    assert set(
        UnitSelection.objects.filter(registration__learner=world.learner).values_list(
            "result", flat=True
        )
    ) == {"pass"}
    notice = Notice.objects.get(kind="review.decided", recipient=world.admin)
    assert "Upheld" in notice.subject and notice.link == f"/reviews/{review.pk}/"


def test_r_rev_2_a_double_click_decides_once(world, reviewer):
    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    services.review_uphold(actor=reviewer, review=review, comments="It stands.")
    with pytest.raises(services.ReviewStateError):
        services.review_uphold(actor=reviewer, review=review, comments="It stands.")
    assert review.history.filter(to_status=ReviewStatus.UPHELD).count() == 1


def test_r_rev_2_r_new_3_the_history_says_who_when_from_to_why(world, reviewer):
    review = make_review(world, status=ReviewStatus.OUTCOME_CHANGED, reviewer=reviewer)
    rows = list(review_history(review))
    assert [(r.event, r.from_status, r.to_status) for r in rows] == [
        (HistoryEvent.REQUESTED, "", ReviewStatus.REQUESTED),
        (HistoryEvent.ASSIGNED, "", ""),
        (HistoryEvent.TRANSITION, ReviewStatus.REQUESTED, ReviewStatus.UNDER_REVIEW),
        (HistoryEvent.TRANSITION, ReviewStatus.UNDER_REVIEW, ReviewStatus.OUTCOME_CHANGED),
    ]
    assert [r.actor for r in rows] == [world.admin, world.staff, reviewer, reviewer]
    assert "Pass -> Not passed" in rows[-1].note
    assert all(r.at for r in rows)


# --- R-REV-3: Outcome changed -------------------------------------------------------------------
def test_r_rev_3_outcome_changed_posts_the_new_results_to_the_par(world, reviewer):
    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    first, second = review_units(review)[:2]
    review = services.review_change_outcome(
        actor=reviewer,
        review=review,
        results={first.key: "", second.key: "pass"},
        comments="Unit 1's evidence does not meet the criteria.",
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.OUTCOME_CHANGED and review.sla_due_at is None
    changed = UnitSelection.objects.get(pk=first.selection_id)
    assert (changed.result, changed.result_source) == ("", f"Review {review.pk}")
    kept = UnitSelection.objects.get(pk=second.selection_id)
    assert kept.result_source != f"Review {review.pk}"  # unchanged rows are left alone
    (line,) = review.lines.all()
    assert (line.selection_id, line.before, line.after) == (first.selection_id, "pass", "")
    assert (line.before_label, line.after_label) == ("Pass", "Not passed")
    assert {u.key: u.new_result for u in review_units(review)}[first.key] == ""


def test_r_rev_3_a_claim_line_gets_a_new_grade(world, reviewer):
    claim = reviewable_claim(world)
    review = make_review(world, claim=claim, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    unit = review_units(review)[0]
    assert unit.key.startswith("c") and unit.result in ("pass", "merit", "distinction")
    review = services.review_change_outcome(
        actor=reviewer, review=review, results={unit.key: "distinction"}
    )
    selection = UnitSelection.objects.get(pk=unit.selection_id)
    assert selection.result == "distinction"
    assert review.lines.get().after_label == "Distinction"


def test_r_rev_3_results_refused_field_by_field_and_nothing_saved(world, reviewer):
    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    first = review_units(review)[0]
    with pytest.raises(services.ReviewResultsInvalid) as refused:
        services.review_change_outcome(
            actor=reviewer, review=review, results={first.key: "merit", "b999999": ""}
        )
    assert set(refused.value.errors) == {first.field_name, "result-b999999"}
    with pytest.raises(services.ReviewResultsInvalid) as unchanged:
        services.review_change_outcome(actor=reviewer, review=review, results={first.key: "pass"})
    assert "__all__" in unchanged.value.errors
    review.refresh_from_db()
    assert review.status == ReviewStatus.UNDER_REVIEW and not review.lines.exists()
    assert UnitSelection.objects.get(pk=first.selection_id).result == "pass"


def test_r_rev_3_a_claim_not_yet_processed_cannot_change_yet(world, reviewer):
    claim = reviewable_claim(world, processed=False)
    review = make_review(world, claim=claim, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    unit = review_units(review)[0]
    with pytest.raises(services.ReviewError, match="not on the PAR yet"):
        services.review_change_outcome(actor=reviewer, review=review, results={unit.key: ""})


def test_r_rev_3_only_the_reviewer_changes_the_outcome(world, reviewer):
    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    first = review_units(review)[0]
    with pytest.raises(PermissionDenied):
        services.review_change_outcome(
            actor=world.moderator, review=review, results={first.key: ""}
        )
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.UNDER_REVIEW


def test_r_rev_3_r_bat_4_a_unit_not_passed_on_review_may_be_claimed_again(world, reviewer):
    from moderation.models import BatchHistory, BatchUnit

    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    first = review_units(review)[0]
    review = services.review_change_outcome(actor=reviewer, review=review, results={first.key: ""})
    unit = BatchUnit.objects.get(pk=int(first.key[1:]))
    assert unit.released_at is not None  # off the batch: a new batch may claim it
    row = BatchHistory.objects.filter(batch=review.batch, event="unit_removed").get()
    assert f"Not passed on review {review.pk}" in row.note and row.actor == reviewer
    # The decided review still lists it, with its new result.
    listed = {u.key: u for u in review_units(review)}
    assert listed[first.key].new_result == "" and len(listed) == 4


def test_r_rev_3_r_clm_6_a_claim_line_follows_the_decision(world, reviewer):
    from claims.models import LINE_WITHDRAWN, ClaimLine

    claim = reviewable_claim(world)
    review = make_review(world, claim=claim, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    first, second = review_units(review)[:2]
    review = services.review_change_outcome(
        actor=reviewer, review=review, results={first.key: "", second.key: "distinction"}
    )
    assert ClaimLine.objects.get(pk=int(first.key[1:])).outcome == LINE_WITHDRAWN
    assert ClaimLine.objects.get(pk=int(second.key[1:])).outcome == "distinction"
    assert {u.key for u in review_units(review)} >= {first.key, second.key}
