"""The batch page keeps showing a batch's reviews after it moved on from the outcome reviewed
(R-NEW-3: both sides see every review): a Returned batch resubmitted while its review is open
still links to that review, with no "Request a review" and no closed date."""

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.models import Batch, BatchStatus
from moderation.tests.factories import make_batch

from .factories import make_review


@pytest.mark.django_db
@pytest.mark.parametrize("now", [BatchStatus.RESUBMITTED, BatchStatus.WITH_MODERATOR])
def test_a_resubmitted_batch_still_links_to_its_review(member_client, world, now):
    batch = make_batch(world, BatchStatus.RETURNED, moderator=world.moderator)
    Batch.objects.filter(pk=batch.pk).update(outcome_at=timezone.now())
    batch.refresh_from_db()
    review = make_review(world, batch=batch)
    Batch.objects.filter(pk=batch.pk).update(status=now)
    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="review-panel"' in page
    assert f'href="{reverse("reviews:detail", args=[review.pk])}"' in page
    assert reverse("reviews:request-batch", args=[batch.pk]) not in page
    assert "Reviews closed on" not in page


@pytest.mark.django_db
def test_a_batch_never_given_an_outcome_has_no_panel(member_client, world):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="review-panel"' not in page
