"""A review's SLA alerts (R-REV-2): open reviews overdue or due within HUB_SLA_WARN_DAYS,
emailed once per crossing through hub/deadlines.py, as moderation's SLA alerts are."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from hub.deadlines import alert_recipients, alerts_send
from hub.models import AlertKind, DeadlineAlert

from .models import OPEN, Review
from .notices import review_alert_notices

REVIEW_KINDS = (AlertKind.REVIEW_DUE_SOON, AlertKind.REVIEW_OVERDUE)


def review_sla_crossings(*, now: datetime) -> list[DeadlineAlert]:
    """R-REV-2: open reviews overdue or due within the warning days, to the reviewer (once
    assigned) and the moderation team. The clock stops at a decision (sla_due_at cleared)."""
    horizon = now + timedelta(days=settings.HUB_SLA_WARN_DAYS)
    reviews = Review.objects.filter(
        status__in=OPEN, sla_due_at__isnull=False, sla_due_at__lte=horizon
    ).select_related("reviewer")
    alerts = []
    for review in reviews:
        alerts.append(
            DeadlineAlert(
                review=review,
                kind=AlertKind.REVIEW_OVERDUE
                if review.sla_due_at <= now
                else AlertKind.REVIEW_DUE_SOON,
                # The clock runs once, from Requested: each crossing alerts once.
                cycle=review.requested_at,
                due=review.sla_due_at,
                recipients=alert_recipients(review.reviewer),
            )
        )
    return alerts


def review_sla_sweep(*, now: datetime | None = None) -> int:
    """Email the review SLA crossings not yet sent; list them in the hub too (R-NTF-1)."""
    now = now or timezone.now()
    sent = alerts_send(review_sla_crossings(now=now), now=now, kinds=REVIEW_KINDS)
    if sent:
        review_alert_notices(sent)
    return len(sent)
