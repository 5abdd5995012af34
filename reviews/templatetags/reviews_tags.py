"""The review panel on the batch page and the claim page (R-REV-1)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from ..selectors import review_window, reviews_for_subject

register = template.Library()

EARLIER_SHOWN = 5


@register.inclusion_tag("reviews/_panel.html")
def review_panel(*, batch=None, claim=None) -> dict:
    """ "Request a review" while the window is open, the review open now, or the date
    reviews closed; and the latest reviews of this outcome. No query before the batch or
    claim has an outcome that may be reviewed; two after."""
    window = review_window(batch=batch, claim=claim)
    if not window.applies:
        return {"window": window}
    reviews = list(reviews_for_subject(batch=batch, claim=claim)[:EARLIER_SHOWN])
    for review in reviews:
        review.url = reverse("reviews:detail", args=[review.pk])
    if batch is not None:
        request_url = reverse("reviews:request-batch", args=[batch.pk])
    else:
        request_url = reverse("reviews:request-claim", args=[claim.pk])
    return {
        "window": window,
        "open_review": next((r for r in reviews if r.is_open), None),
        "earlier": [r for r in reviews if not r.is_open],
        "request_url": request_url,
        "list_url": reverse("reviews:list"),
    }
