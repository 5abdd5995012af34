"""The awarding body's moderation dashboard (R-SLA-1): open batches by status, the SLA clock
and turnaround, in a few queries.

Other apps add their own figures to the page as a panel (``register_panel`` in their
``AppConfig.ready``): certificates adds dispatches at risk or late (R-SLA-2), so this app
never reads another app's tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from .models import Batch, BatchStatus
from .selectors import batches_sla_due_soon, batches_sla_overdue, batches_turned_around


@dataclass(frozen=True)
class Panel:
    """A section of the page another app adds: its template is rendered with the page's
    ``figures`` and ``links``, which hold what its two functions return."""

    template: str
    figures: Callable[[datetime], dict[str, object]]
    links: Callable[[], dict[str, str]]


_PANELS: dict[str, Panel] = {}


def register_panel(
    *,
    template: str,
    figures: Callable[[datetime], dict[str, object]],
    links: Callable[[], dict[str, str]],
) -> None:
    _PANELS[template] = Panel(template=template, figures=figures, links=links)


def panel_templates() -> list[str]:
    return list(_PANELS)


def dashboard_links() -> dict[str, str]:
    """The list behind each figure: an admin changelist filtered by the figure's own query
    (the filters call the functions the figures count), paged by the admin."""
    batches = reverse("admin:moderation_batch_changelist")
    links = {
        label: f"{batches}?deletion=live&status__exact={status}"
        for status, label in BatchStatus.choices
    }
    links |= {
        "overdue": f"{batches}?sla=overdue",
        "due_soon": f"{batches}?sla=due_soon",
        "turnarounds": f"{batches}?sla=turnaround",
    }
    for panel in _PANELS.values():
        links |= panel.links()
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
    # The panels' figures by name (``certificates_late``), read as attributes too.
    more: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str) -> object:
        more = self.__dict__.get("more", {})
        if name in more:
            return more[name]
        raise AttributeError(name)


def dashboard_figures(*, now: datetime | None = None) -> Dashboard:
    """Open batches by status, SLA counts, turnaround over 90 days, and the panels' figures.

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
    spans = batches_turned_around(now=now).values_list("sla_started_at", "outcome_at")
    days = [(outcome - started).total_seconds() / 86400 for started, outcome in spans]
    more: dict[str, object] = {}
    for panel in _PANELS.values():
        more |= panel.figures(now)
    return Dashboard(
        open_by_status=open_by_status,
        overdue=batches_sla_overdue(now=now).count(),
        due_soon=batches_sla_due_soon(now=now).count(),
        turnarounds=len(days),
        median_days=percentile(days, 0.5),
        p90_days=percentile(days, 0.9),
        more=more,
    )
