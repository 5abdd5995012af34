"""What the centre's pages say about the outcome reviewed and its certificates (R-REV-2,
R-REV-3)."""

import pytest
from django.urls import reverse

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from moderation import services as moderation
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from reviews.models import ReviewStatus

from .factories import make_review, make_reviewer, reviewable_claim


@pytest.mark.django_db
def test_request_page_names_who_set_the_outcome_not_the_batchs_moderator_now(member_client, world):
    """R-REV-2: "set by" is the moderator who gave the outcome, even after staff reassigned
    the batch to another moderator."""
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    moderation.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=BatchStatus.COMPLETE, comments="Well done."
    )
    second = UserFactory(
        email="second-moderator@example.test",
        first_name="Second",
        last_name="Moderator",
        body_role=BodyRole.MODERATOR,
    )
    moderation.batch_assign(actor=world.staff, batch=batch, moderator=second)
    page = member_client.get(reverse("reviews:request-batch", args=[batch.pk])).content.decode()
    assert f"set by {world.moderator}" in page
    assert str(second) not in page


@pytest.mark.django_db
def test_a_claim_changed_on_review_says_its_certificates_follow(member_client, world):
    """R-REV-3: a claim's full award is reissued or revoked too, so the page says so as a
    batch's does."""
    claim = reviewable_claim(world)
    review = make_review(
        world, claim=claim, status=ReviewStatus.OUTCOME_CHANGED, reviewer=make_reviewer(world)
    )
    page = member_client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "any certificate affected is reissued" in page
