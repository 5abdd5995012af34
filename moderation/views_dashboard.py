"""The awarding body's moderation dashboard (R-SLA-1, R-SLA-2): figures at a glance."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from centres.access import body_role_required

from .dashboard import dashboard_figures, dashboard_links, panel_templates


@require_GET
@body_role_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open batches by status, the SLA clock and turnaround, then the other apps' panels.

    Served at its first address, ``certificates:dashboard`` (/certificates/dashboard/), so
    bookmarks, the home page's link and the bench keep working.
    """
    figures, links = dashboard_figures(), dashboard_links()
    return render(
        request,
        "moderation/dashboard.html",
        {
            "figures": figures,
            "links": links,
            # Each status's count links to the batches in that status.
            "open_rows": [(label, n, links[label]) for label, n in figures.open_by_status],
            "warn_days": settings.HUB_SLA_WARN_DAYS,
            "panels": panel_templates(),
        },
    )
