"""The demo's review of moderation (issue 15): one under way, played through the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from moderation.models import Batch, BatchStatus
from reviews.models import HistoryEvent, Review, ReviewStatus
from reviews.selectors import review_window

pytestmark = pytest.mark.django_db


def test_demo_has_one_review_under_way_for_the_demo_reviewer():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "reviewer@demo.test" in printed  # the login is printed with the others
    review = Review.objects.select_related("reviewer", "batch").get()
    assert review.status == ReviewStatus.UNDER_REVIEW
    assert review.reviewer.email == "reviewer@demo.test"
    assert review.original_by.email == "moderator@demo.test"  # R-REV-2: someone else reviews
    assert review.has_evidence and review.evidence_name.endswith(".pdf")
    assert f"Review {review.pk} of batch {review.batch_id} is Under review" in printed
    # Each step on its day, the SLA clock from the moved request.
    now = timezone.now()
    assert 9 < (now - review.requested_at).days + 0.5 < 11
    assert review.sla_due_at - review.requested_at == timezone.timedelta(weeks=4)
    assert [row.event for row in review.history.order_by("at", "pk")] == [
        HistoryEvent.REQUESTED,
        HistoryEvent.ASSIGNED,
        HistoryEvent.TRANSITION,
    ]
    # Another Complete Northgate batch is left free for the journey, its window open.
    free = (
        Batch.objects.live()
        .filter(centre__number="10001", status=BatchStatus.COMPLETE)
        .exclude(pk=review.batch_id)
        .first()
    )
    assert free is not None and review_window(batch=free).can_request
    # Loaded once.
    call_command("seed_demo", "--quiet")
    assert Review.objects.count() == 1
