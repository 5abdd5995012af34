"""Moderation's SLA alerts (R-SLA-1): batches awaiting a moderator that are overdue or due
within HUB_SLA_WARN_DAYS, emailed once per crossing through hub/deadlines.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from hub.deadlines import alert_recipients, alerts_send
from hub.models import AlertKind, DeadlineAlert

from .models import AWAITING_MODERATOR, Batch
from .notices import sla_alert_notices

SLA_KINDS = (AlertKind.SLA_DUE_SOON, AlertKind.SLA_OVERDUE)


def sla_crossings(*, now: datetime) -> list[DeadlineAlert]:
    """R-SLA-1: batches awaiting a moderator that are overdue or due within the warning days."""
    horizon = now + timedelta(days=settings.HUB_SLA_WARN_DAYS)
    batches = (
        Batch.objects.live()
        .filter(status__in=AWAITING_MODERATOR, sla_due_at__isnull=False, sla_due_at__lte=horizon)
        .select_related("moderator")
    )
    alerts = []
    for batch in batches:
        alerts.append(
            DeadlineAlert(
                batch=batch,
                kind=AlertKind.SLA_OVERDUE if batch.sla_due_at <= now else AlertKind.SLA_DUE_SOON,
                # An admin's extension (a new due date) is a new cycle: it may alert again.
                cycle=batch.sla_extended_at
                or batch.sla_started_at
                or batch.submitted_at
                or batch.sla_due_at,
                due=batch.sla_due_at,
                recipients=alert_recipients(batch.moderator),
            )
        )
    return alerts


def sla_sweep(*, now: datetime | None = None) -> int:
    """Email the SLA crossings not yet sent; list them in the hub too (R-NTF-1)."""
    now = now or timezone.now()
    sent = alerts_send(sla_crossings(now=now), now=now, kinds=SLA_KINDS)
    if sent:
        sla_alert_notices(sent)
    return len(sent)
