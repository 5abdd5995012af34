"""Figures for the awarding body's moderation dashboard (R-SLA-1, R-SLA-2); a few queries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from hub.workdays import add_working_days
from moderation.models import Batch, BatchStatus
from moderation.selectors import (
    batches_sla_due_soon,
    batches_sla_overdue,
    batches_turned_around,
)

from .models import CertificateDispatch, FailedJob


def dispatches_late(*, today) -> QuerySet[CertificateDispatch]:
    """Dispatches not sent whose due day has passed (R-SLA-2)."""
    return CertificateDispatch.objects.filter(dispatched_at__isnull=True, due_on__lt=today)


def dispatches_at_risk(*, today) -> QuerySet[CertificateDispatch]:
    """Dispatches not sent, due within HUB_DISPATCH_AT_RISK_WORKING_DAYS working days."""
    return CertificateDispatch.objects.filter(
        dispatched_at__isnull=True,
        due_on__gte=today,
        due_on__lte=add_working_days(today, settings.HUB_DISPATCH_AT_RISK_WORKING_DAYS),
    )


def dashboard_links() -> dict[str, str]:
    """The list behind each figure: an admin changelist filtered by the figure's own query
    (the filters call the functions the figures count), paged by the admin."""
    batches = reverse("admin:moderation_batch_changelist")
    dispatches = reverse("admin:certificates_certificatedispatch_changelist")
    links = {
        label: f"{batches}?deletion=live&status__exact={status}"
        for status, label in BatchStatus.choices
    }
    links |= {
        "overdue": f"{batches}?sla=overdue",
        "due_soon": f"{batches}?sla=due_soon",
        "turnarounds": f"{batches}?sla=turnaround",
        "certificates_at_risk": f"{dispatches}?due=at_risk",
        "certificates_late": f"{dispatches}?due=late",
        "failed_jobs": reverse("admin:certificates_failedjob_changelist") + "?rerun_at__isempty=1",
    }
    return links


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
    overdue = batches_sla_overdue(now=now).count()
    due_soon = batches_sla_due_soon(now=now).count()
    spans = batches_turned_around(now=now).values_list("sla_started_at", "outcome_at")
    days = [(outcome - started).total_seconds() / 86400 for started, outcome in spans]
    today = timezone.localdate(now)
    late = dispatches_late(today=today).count()
    at_risk = dispatches_at_risk(today=today).count()
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
