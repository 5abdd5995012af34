"""GOV.UK errors on the reviewer's decision: every error in the summary links to a field and
is repeated by it, "Outcome changed" with no result changed included."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from reviews.models import Review, ReviewStatus

from .factories import make_review

S = ReviewStatus


@pytest.mark.django_db
def test_outcome_changed_with_nothing_changed_is_told_by_the_decision(client, world):
    client.force_login(world.assessor)
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor)
    page = reverse("reviews:reviewer-detail", args=[review.pk])
    keys = client.get(page).context["shown"].split(",")
    response = client.post(
        reverse("reviews:reviewer-decide", args=[review.pk]),
        {
            "decision": S.OUTCOME_CHANGED,
            "comments": "Kept as typed.",
            "shown": ",".join(keys),
            **{f"result-{k}": "pass" for k in keys},
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    (message,) = form.errors["decision"]
    assert "Change at least one learner-unit's result" in message
    html = response.content.decode()
    shown = escape(message)
    start = html.index("data-error-summary")
    summary = html[start : html.index("</ul>", start)]
    assert '<a href="#id_decision_0"' in summary and shown in summary
    # The message by the field, the choice and the comments kept.
    assert f'<div class="invalid-feedback d-block">{shown}</div>' in html
    assert "Kept as typed." in html
    assert Review.objects.get(pk=review.pk).status == S.UNDER_REVIEW
