"""The review panel on the batch page and the claim page (R-REV-1)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from ..selectors import review_window, reviews_for_subject

register = template.Library()

EARLIER_SHOWN = 5


def _had_outcome(batch) -> bool:
    """A batch that moved on from an outcome (resubmitted after Returned, say) still shows
    the reviews asked for of it (R-NEW-3), with nothing to ask: one query, only for those."""
    return batch is not None and batch.outcome_at is not None and batch.deleted_at is None


@register.inclusion_tag("reviews/_panel.html")
def review_panel(*, batch=None, claim=None) -> dict:
    """ "Request a review" while the window is open, the review open now, or the date
    reviews closed; and the latest reviews of this outcome. No query before the batch or
    claim has an outcome that may be reviewed; two after."""
    window = review_window(batch=batch, claim=claim)
    if not window.applies and not _had_outcome(batch):
        return {"window": window}
    reviews = list(reviews_for_subject(batch=batch, claim=claim)[:EARLIER_SHOWN])
    if not window.applies and not reviews:
        return {"window": window}
    for review in reviews:
        review.url = reverse("reviews:detail", args=[review.pk])
    if batch is not None:
        request_url = reverse("reviews:request-batch", args=[batch.pk])
    else:
        request_url = reverse("reviews:request-claim", args=[claim.pk])
    return {
        "window": window,
        "shown": True,
        "open_review": next((r for r in reviews if r.is_open), None),
        "earlier": [r for r in reviews if not r.is_open],
        "request_url": request_url,
        "list_url": reverse("reviews:list"),
    }
