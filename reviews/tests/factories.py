"""Reviews built through the services, in every status, on a batch or a claim."""

from __future__ import annotations

from django.utils import timezone

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from claims.models import Claim
from moderation.models import Batch
from moderation.tests.factories import pdf
from reviews import services
from reviews.models import Review, ReviewStatus
from reviews.selectors import review_units

REASONS = "The moderator did not look at the second sample file for unit 1."


def reviewable_batch(world, *, outcome_at=None, learners: int = 0, issued: bool = False) -> Batch:
    """A Complete batch moderated by world.moderator, its units passed on the PAR;
    ``issued`` also issues its certificates (as the outbox would)."""
    from certificates.services import certificates_issue_for_batch
    from certificates.tests.factories import complete_batch

    batch = complete_batch(world, learners=learners, completed_at=outcome_at or timezone.now())
    if issued:
        certificates_issue_for_batch(batch_id=batch.pk)
    return batch


def reviewable_claim(world, *, processed: bool = True) -> Claim:
    """A claim world.assessor finalised (and, by default, the worker processed)."""
    from claims.tests.conftest import finalised_claim, make_claim_world
    from hub import outbox
    from hub.models import OutboxMessage

    claim = finalised_claim(make_claim_world(world))
    if processed:
        for message in OutboxMessage.objects.filter(kind="claims.process", done_at__isnull=True):
            outbox.deliver(message.pk)
        claim.refresh_from_db()
    return claim


def make_reviewer(world, email: str = "reviewer@example.test"):
    """An awarding-body moderator who did not moderate anything of the world's."""
    return UserFactory(email=email, body_role=BodyRole.MODERATOR)


def make_review(
    world,
    *,
    batch: Batch | None = None,
    claim: Claim | None = None,
    status: str = ReviewStatus.REQUESTED,
    reviewer=None,
    evidence: bool = False,
) -> Review:
    """A review asked for by world.admin and taken to ``status`` by its services.

    Without ``batch`` or ``claim`` a fresh reviewable batch is made. Any status past
    Requested (or a ``reviewer`` given) assigns the reviewer (world.staff assigns); Outcome
    changed changes the first learner-unit's result (a batch's to not passed, a claim's to
    Distinction).
    """
    if batch is None and claim is None:
        batch = reviewable_batch(world)
    review = services.review_request(
        actor=world.admin,
        batch=batch,
        claim=claim,
        reasons=REASONS,
        evidence=pdf("evidence.pdf") if evidence else None,
    )
    if status == ReviewStatus.REQUESTED and reviewer is None:
        return review
    reviewer = reviewer or make_reviewer(world)
    review = services.review_assign(actor=world.staff, review=review, reviewer=reviewer)
    if status == ReviewStatus.REQUESTED:
        return review
    review = services.review_start(actor=reviewer, review=review)
    if status == ReviewStatus.UPHELD:
        return services.review_uphold(
            actor=reviewer, review=review, comments="The sample was seen; the outcome stands."
        )
    if status == ReviewStatus.OUTCOME_CHANGED:
        first = review_units(review)[0]
        new = "" if review.batch_id else "distinction"
        return services.review_change_outcome(
            actor=reviewer,
            review=review,
            results={first.key: new},
            comments="The evidence does not meet the criteria.",
        )
    return review
