"""R-REV-1: a centre asks for a review of a moderation outcome or a finalised claim, within
the window, with reasons and optional evidence; one open review at a time."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from moderation.models import BatchStatus
from moderation.tests.factories import make_batch, pdf
from notices.models import Notice
from reviews import services
from reviews.models import HistoryEvent, Review, ReviewStatus
from reviews.selectors import add_months, review_window

from .factories import REASONS, make_review, reviewable_batch, reviewable_claim


def test_r_rev_1_centre_requests_a_review_of_a_batch_outcome(
    world, django_capture_on_commit_callbacks
):
    batch = reviewable_batch(world)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_request(
            actor=world.admin, batch=batch, reasons=REASONS, evidence=pdf("our evidence.pdf")
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.REQUESTED
    assert review.centre_id == world.centre.pk
    assert review.outcome_status == BatchStatus.COMPLETE
    assert review.outcome_at == batch.outcome_at
    assert review.original_by == world.moderator
    assert review.evidence_name == "our evidence.pdf"
    assert review.evidence_content_type == "application/pdf"
    assert review.evidence.name.startswith("reviews/")
    assert "our evidence" not in review.evidence.name
    # R-REV-2: the clock starts at Requested.
    assert review.sla_due_at == review.requested_at + timedelta(weeks=4)
    # R-NEW-3: the history row both sides read.
    (row,) = review.history.all()
    assert (row.event, row.from_status, row.to_status, row.actor) == (
        HistoryEvent.REQUESTED,
        "",
        ReviewStatus.REQUESTED,
        world.admin,
    )
    assert row.note == REASONS
    # R-NTF-1: the moderation team hears, linked to where a reviewer is assigned.
    notice = Notice.objects.get(kind="review.requested")
    assert notice.email == "moderation@awarding.test"
    assert notice.link == f"/admin/reviews/review/{review.pk}/change/"


def test_r_rev_1_a_finalised_claim_may_be_reviewed(world):
    claim = reviewable_claim(world, processed=False)
    review = services.review_request(actor=world.admin, claim=claim, reasons=REASONS)
    assert review.claim_id == claim.pk and review.batch_id is None
    assert review.outcome_at == claim.finalised_at
    assert review.original_by == world.assessor  # who finalised it


@pytest.mark.parametrize(
    "status", [BatchStatus.CENTRE_COMPLETING, BatchStatus.WITH_MODERATOR, BatchStatus.RESUBMITTED]
)
def test_r_rev_1_a_batch_without_an_outcome_cannot_be_reviewed(world, status):
    batch = make_batch(world, status, moderator=world.moderator)
    assert review_window(batch=batch).applies is False
    with pytest.raises(services.ReviewError, match="has none yet"):
        services.review_request(actor=world.admin, batch=batch, reasons=REASONS)
    assert not Review.objects.exists()


def test_r_rev_1_reasons_are_required(world):
    batch = reviewable_batch(world)
    with pytest.raises(services.ReviewError, match="reasons"):
        services.review_request(actor=world.admin, batch=batch, reasons="   ")
    assert not Review.objects.exists()


def test_r_rev_1_the_window_closes_three_months_after_the_outcome(world, settings):
    outcome = timezone.make_aware(datetime(2026, 11, 24, 10, 0))
    batch = reviewable_batch(world, outcome_at=outcome)
    last_day = timezone.make_aware(datetime(2027, 2, 24, 23, 0))
    window = review_window(batch=batch, now=last_day)
    assert window.closes_on == date(2027, 2, 24)
    assert window.is_open and window.can_request
    closed = review_window(batch=batch, now=last_day + timedelta(hours=2))
    assert not closed.is_open and not closed.can_request
    # The window is a setting.
    settings.HUB_REVIEW_WINDOW_MONTHS = 4
    assert review_window(batch=batch).closes_on == date(2027, 3, 24)


def test_r_rev_1_a_request_after_the_window_is_refused_with_the_date_it_closed(world):
    outcome = timezone.now() - timedelta(days=200)
    batch = reviewable_batch(world, outcome_at=outcome)
    with pytest.raises(services.ReviewWindowClosed) as refused:
        services.review_request(actor=world.admin, batch=batch, reasons=REASONS)
    closes_on = add_months(timezone.localdate(outcome), 3)
    assert refused.value.closes_on == closes_on
    assert str(refused.value) == f"Reviews closed on {closes_on.day} {closes_on:%B %Y}."
    assert not Review.objects.exists()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)


def test_r_rev_1_one_open_review_per_batch(world):
    review = make_review(world)
    with pytest.raises(services.ReviewAlreadyOpen) as refused:
        services.review_request(actor=world.director, batch=review.batch, reasons=REASONS)
    assert refused.value.review == review
    assert review_window(batch=review.batch).can_request is False
    assert Review.objects.count() == 1


def test_r_rev_1_a_decided_review_leaves_room_for_another(world):
    review = make_review(world, status=ReviewStatus.UPHELD)
    again = services.review_request(actor=world.admin, batch=review.batch, reasons=REASONS)
    assert again.pk != review.pk and again.status == ReviewStatus.REQUESTED


def test_r_rev_1_the_database_refuses_a_second_open_review(world):
    review = make_review(world)
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError under any backend
        Review.objects.create(
            centre=world.centre,
            batch=review.batch,
            reasons="twice",
            outcome_status="complete",
            outcome_at=timezone.now(),
        )


@pytest.mark.parametrize("who", ["tutor", "outsider", "moderator", "assessor", "staff"])
def test_r_rev_1_only_the_centres_staff_with_moderation_may_ask(world, who):
    batch = reviewable_batch(world)
    with pytest.raises(PermissionDenied):
        services.review_request(actor=getattr(world, who), batch=batch, reasons=REASONS)
    assert not Review.objects.exists()


def test_r_rev_1_a_claim_review_needs_the_claims_grant(world):
    from centres.models import Membership

    claim = reviewable_claim(world)
    Membership.objects.filter(user=world.admin).update(can_claims=False)
    with pytest.raises(PermissionDenied):
        services.review_request(actor=world.admin, claim=claim, reasons=REASONS)
    assert services.review_request(actor=world.director, claim=claim, reasons=REASONS)


def test_r_rev_1_evidence_is_checked_by_content_and_nothing_is_saved(world):
    batch = reviewable_batch(world)
    fake = SimpleUploadedFile("evidence.pdf", b"MZ\x90\x00 this is a program", "application/pdf")
    with pytest.raises(ValidationError):
        services.review_request(actor=world.admin, batch=batch, reasons=REASONS, evidence=fake)
    assert not Review.objects.exists()


def test_r_rev_1_evidence_kept_across_a_form_error_is_accepted_as_a_plain_file(world):
    from django.core.files import File
    from django.core.files.storage import default_storage

    batch = reviewable_batch(world)
    key = default_storage.save("reviews/kept/abc", pdf("kept.pdf"))
    with default_storage.open(key, "rb") as stored:
        review = services.review_request(
            actor=world.admin, batch=batch, reasons=REASONS, evidence=File(stored, name="kept.pdf")
        )
    assert review.evidence_name == "kept.pdf"
    assert review.evidence.read().startswith(b"%PDF-")
