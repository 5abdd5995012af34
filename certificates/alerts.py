"""Certificate dispatch alerts (R-SLA-2): dispatches not sent that are late or due within the
at-risk working days, emailed once per crossing through hub/deadlines.py. Moderation's SLA
alerts are moderation's (moderation/alerts.py)."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from hub.deadlines import alerts_send
from hub.models import AlertKind, DeadlineAlert
from hub.workdays import add_working_days

from .models import CertificateDispatch

DISPATCH_KINDS = (AlertKind.DISPATCH_AT_RISK, AlertKind.DISPATCH_LATE)


def _end_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def dispatch_crossings(*, now: datetime) -> list[DeadlineAlert]:
    """R-SLA-2: dispatches not sent that are late or due within the at-risk working days."""
    today = timezone.localdate(now)
    horizon = add_working_days(today, settings.HUB_DISPATCH_AT_RISK_WORKING_DAYS)
    dispatches = CertificateDispatch.objects.filter(
        dispatched_at__isnull=True, due_on__lte=horizon
    ).select_related("batch", "claim")
    return [
        DeadlineAlert(
            # A batch's certificates, or a claim's full awards (one of the two is set).
            batch=dispatch.batch,
            claim_source=dispatch.claim,
            # Sent on the due day is on time; late is from the day after.
            kind=AlertKind.DISPATCH_LATE if dispatch.due_on < today else AlertKind.DISPATCH_AT_RISK,
            cycle=dispatch.created_at,
            due=_end_of(dispatch.due_on),
            recipients=settings.HUB_MODERATION_TEAM_EMAIL,
        )
        for dispatch in dispatches
    ]


def dispatch_sweep(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return len(alerts_send(dispatch_crossings(now=now), now=now, kinds=DISPATCH_KINDS))
