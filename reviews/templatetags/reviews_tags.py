"""The review panel on the batch page and the claim page (R-REV-1)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from ..selectors import review_window, reviews_for_subject

register = template.Library()

EARLIER_SHOWN = 5


def _had_outcome(batch) -> bool:
    """A batch that moved on from an outcome (resubmitted after Returned, say) still shows
    the reviews asked for of it (R-NEW-3), with nothing to ask: one query, only for those."""
    return batch is not None and batch.outcome_at is not None and batch.deleted_at is None


PANEL_TEMPLATE = "reviews/_panel.html"
# What the panel's template prints when there is nothing to show (its {% if %} false):
# most batch pages (no outcome yet) print this without rendering the template at all.
HIDDEN = mark_safe("\n")  # noqa: S308


@register.simple_tag(takes_context=True)
def review_panel(context, *, batch=None, claim=None) -> SafeString:
    """The review panel (panel_context) in the template's markup, or HIDDEN when it shows
    nothing: rendered as an inclusion tag renders it, its own context with the page's
    CSRF token."""
    data = panel_context(batch=batch, claim=claim)
    if not (data["window"].applies or data.get("shown")):
        return HIDDEN
    panel = context.template.engine.get_template(PANEL_TEMPLATE)
    panel_context_ = context.new(data)
    csrf_token = context.get("csrf_token")
    if csrf_token is not None:
        panel_context_["csrf_token"] = csrf_token
    return mark_safe(panel.render(panel_context_))  # noqa: S308 -- the template escaped it


def panel_context(*, batch=None, claim=None) -> dict:
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
