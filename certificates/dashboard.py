"""Figures for the awarding body's moderation dashboard (R-SLA-1, R-SLA-2); a few queries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from hub.workdays import add_working_days
from moderation.models import AWAITING_MODERATOR, OUTCOMES, Batch, BatchStatus

from .models import CertificateDispatch, FailedJob

TURNAROUND_WINDOW_DAYS = 90


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of ``values`` (``fraction`` 0.5 is the median)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Dashboard:
    open_by_status: list[tuple[str, int]]
    overdue: int
    due_soon: int
    turnarounds: int
    median_days: float | None
    p90_days: float | None
    certificates_at_risk: int
    certificates_late: int
    failed_jobs: int


def dashboard_figures(*, now: datetime | None = None) -> Dashboard:
    """Open batches by status, SLA counts, turnaround over 90 days, dispatches at risk.

    Turnaround is the moderator's clock (R-SLA-1): from With Moderator, or from Centre
    re-submitted for a resubmitted batch, to the outcome, for outcomes in the last 90 days.
    """
    now = now or timezone.now()
    live = Batch.objects.live()
    counts = dict(
        live.exclude(status__in=[BatchStatus.DRAFT, BatchStatus.COMPLETE])
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(BatchStatus.choices)
    open_by_status = [
        (labels[status], counts.get(status, 0))
        for status in BatchStatus.values
        if status not in (BatchStatus.DRAFT, BatchStatus.COMPLETE)
    ]
    awaiting = live.filter(status__in=AWAITING_MODERATOR, sla_due_at__isnull=False)
    overdue = awaiting.filter(sla_due_at__lte=now).count()
    due_soon = awaiting.filter(
        sla_due_at__gt=now, sla_due_at__lte=now + timedelta(days=settings.HUB_SLA_WARN_DAYS)
    ).count()
    spans = live.filter(
        status__in=OUTCOMES,
        outcome_at__gte=now - timedelta(days=TURNAROUND_WINDOW_DAYS),
        sla_started_at__isnull=False,
    ).values_list("sla_started_at", "outcome_at")
    days = [(outcome - started).total_seconds() / 86400 for started, outcome in spans]
    today = timezone.localdate(now)
    pending = CertificateDispatch.objects.filter(dispatched_at__isnull=True)
    late = pending.filter(due_on__lt=today).count()
    at_risk = pending.filter(
        due_on__gte=today,
        due_on__lte=add_working_days(today, settings.HUB_DISPATCH_AT_RISK_WORKING_DAYS),
    ).count()
    return Dashboard(
        open_by_status=open_by_status,
        overdue=overdue,
        due_soon=due_soon,
        turnarounds=len(days),
        median_days=percentile(days, 0.5),
        p90_days=percentile(days, 0.9),
        certificates_at_risk=at_risk,
        certificates_late=late,
        failed_jobs=FailedJob.objects.filter(rerun_at__isnull=True).count(),
    )
