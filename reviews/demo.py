"""The demo's review of moderation (issue 15): one in progress, played through the services.

Northgate's administrator asked, ten days ago, for a review of the batch completed 45 days
ago (its certificates posted), with reasons and a PDF; the awarding body's admin gave it to
the demo reviewer the next day, who started it the day after. So the centre's "Reviews" and
the reviewer's list are lived in, with a real history, audit rows and notices, and the SLA
clock has three weeks and a half to run. The batch whose certificates were printed but not
posted is left free for the guides' journey (request, assign, change the outcome).

Once only: on a hub with a review it changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F

from centres.demo import days_ago
from centres.models import User
from moderation.demo import demo_pdf
from moderation.models import Batch, BatchStatus

from . import services
from .models import Review

REVIEWER_EMAIL = "reviewer@demo.test"
REASONS = (
    "The moderator's comments say the sample for CMI502 was not opened; we uploaded it as a "
    "zip and the file list shows it. Please look at it again."
)


@transaction.atomic
def seed_reviews() -> Review | None:
    """One review Under review at Northgate; None (and nothing done) if not loaded now."""
    if Review.objects.exists():
        return None
    users = {
        u.email: u
        for u in User.objects.filter(
            email__in=[REVIEWER_EMAIL, "admin@demo.test", "staff@demo.test"]
        )
    }
    if len(users) < 3:
        return None  # no demo to bring to life
    batch = (
        Batch.objects.live()
        .filter(centre__number="10001", status=BatchStatus.COMPLETE)
        .order_by("outcome_at", "pk")
        .first()
    )
    if batch is None:
        return None
    reviewer = users[REVIEWER_EMAIL]
    evidence = SimpleUploadedFile(
        "cmi502-sample-file-list.pdf",
        demo_pdf("CMI502 sample: the files we uploaded"),
        "application/pdf",
    )
    with days_ago(10):
        review = services.review_request(
            actor=users["admin@demo.test"], batch=batch, reasons=REASONS, evidence=evidence
        )
    with days_ago(9):
        services.review_assign(actor=users["staff@demo.test"], review=review, reviewer=reviewer)
    with days_ago(8):
        services.review_start(actor=reviewer, review=review)
    # The SLA runs from the (moved) request, as the service set it (R-REV-2).
    Review.objects.filter(pk=review.pk).update(
        sla_due_at=F("requested_at") + timedelta(weeks=settings.HUB_REVIEW_SLA_WEEKS)
    )
    review.refresh_from_db()
    return review
