"""The review pages are valid HTML in every state, those reached through forms included
(the crawl of hub/tests/browser/test_every_page.py follows links only)."""

import pytest
from django.urls import reverse

from moderation.tests.factories import pdf
from reviews.models import ReviewStatus
from testsupport import nu

from .factories import make_review, reviewable_batch, reviewable_claim

S = ReviewStatus


@pytest.mark.django_db
def test_every_review_page_and_form_state_is_valid_html(client, world):
    reason = nu.missing_reason()
    if reason:
        pytest.skip(reason)
    batch = reviewable_batch(world, learners=1)
    claim = reviewable_claim(world)
    changed = make_review(world, status=S.OUTCOME_CHANGED, reviewer=world.assessor, evidence=True)
    deciding = make_review(
        world,
        batch=reviewable_batch(world, learners=1),
        status=S.UNDER_REVIEW,
        reviewer=world.assessor,
    )
    requested = make_review(world, claim=claim, reviewer=world.moderator)
    sources = {}
    client.force_login(world.admin)
    for label, url in {
        "batch page with the panel": reverse("moderation:batch-detail", args=[batch.pk]),
        "claim page with an open review": reverse("claims:claim-detail", args=[claim.pk]),
        "request form": reverse("reviews:request-batch", args=[batch.pk]),
        "centre list": reverse("reviews:list"),
        "centre review, outcome changed": reverse("reviews:detail", args=[changed.pk]),
        "centre review, requested": reverse("reviews:detail", args=[requested.pk]),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, label
        sources[label] = response.content.decode()
    response = client.post(
        reverse("reviews:request-batch", args=[batch.pk]), {"reasons": "", "evidence": pdf()}
    )
    assert response.status_code == 400
    sources["request form, error and kept file"] = response.content.decode()
    client.force_login(world.assessor)
    for label, url in {
        "reviewer list": reverse("reviews:reviewer-list"),
        "reviewer, deciding": reverse("reviews:reviewer-detail", args=[deciding.pk]),
        "reviewer, decided": reverse("reviews:reviewer-detail", args=[changed.pk]),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, label
        sources[label] = response.content.decode()
    shown = client.get(reverse("reviews:reviewer-detail", args=[deciding.pk])).context["shown"]
    response = client.post(
        reverse("reviews:reviewer-decide", args=[deciding.pk]),
        {"decision": S.UPHELD, "shown": shown},
    )
    assert response.status_code == 400
    sources["reviewer, decision error"] = response.content.decode()
    client.force_login(world.moderator)
    response = client.get(reverse("reviews:reviewer-detail", args=[requested.pk]))
    sources["reviewer, requested"] = response.content.decode()
    assert "Start review" in sources["reviewer, requested"]
    assert nu.check(sources) == {}
