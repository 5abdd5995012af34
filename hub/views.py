from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from centres.models import BodyRole, Section
from notices.selectors import latest_notices

from . import health
from .fixed_urls import fixed_url_or_none


@dataclass(frozen=True)
class Tile:
    title: str
    description: str
    url: str


# Each centre section's landing page and its one-line description on the home grid.
SECTION_PAGES = {
    Section.PAR: ("par:index", "Choose the units each learner is put forward for."),
    Section.MODERATION: (
        "moderation:index",
        "Build batches, upload evidence and submit it for moderation.",
    ),
    Section.CLAIMS: (
        "claims:index",
        "Build grade claims and submit them to your visiting assessor.",
    ),
    Section.LEARNERS: ("centres:learner-list", "Find learners and see their registrations."),
    Section.STAFF: ("centres:staff", "Give colleagues access to the sections they need."),
}

BODY_PAGES = [
    # (who may see it, url name, title, description)
    (
        lambda u: u.body_role == BodyRole.MODERATOR,
        "moderation:queue",
        "Moderation queue",
        "Batches assigned to you, by SLA due date.",
    ),
    (
        lambda u: u.body_role == BodyRole.ASSESSOR,
        "claims:assessor-list",
        "Claims to assess",
        "Claims submitted by the centres you visit.",
    ),
    (
        # R-REV-2: a review is given to a moderator or an assessor, never the original one.
        lambda u: u.body_role in (BodyRole.MODERATOR, BodyRole.ASSESSOR),
        "reviews:reviewer-list",
        "Reviews",
        "Reviews of moderation outcomes and claims assigned to you.",
    ),
    (
        lambda u: u.is_data_admin,
        "centres:learner-import",
        "Import learners",
        "Register learners on qualifications from a CSV file.",
    ),
    (
        lambda u: u.is_staff,
        "certificates:dashboard",
        "Moderation dashboard",
        "Open batches, overdue moderation, turnaround and certificates at risk.",
    ),
    (
        lambda u: u.is_staff,
        "certificates:print-queue",
        "Certificate printing",
        "Print runs for posted certificates, marked posted with tracking; reissue or revoke.",
    ),
    (
        lambda u: u.is_staff,
        "admin:index",
        "Administration",
        "Catalogue, centre approvals, batch deletions, overrides, and reviewers for reviews.",
    ),
]


def _url(name: str) -> str | None:
    # A section whose pages are not built yet is simply not offered. Reversed once per
    # process: the header's navigation asks for these on every page.
    return fixed_url_or_none(name)


def section_tiles(membership) -> list[Tile]:
    """The home grid for a centre member: only the sections their membership grants."""
    if membership is None:
        return []
    tiles = []
    for section in membership.granted_sections:
        url_name, description = SECTION_PAGES[section]
        if url := _url(url_name):
            tiles.append(Tile(section.label, description, url))
    return tiles


def body_tiles(user) -> list[Tile]:
    tiles = []
    for allowed, url_name, title, description in BODY_PAGES:
        if allowed(user) and (url := _url(url_name)):
            tiles.append(Tile(title, description, url))
    return tiles


@login_required
def home(request):
    tiles = section_tiles(request.membership) + body_tiles(request.user)
    notices, unread = latest_notices(request.user)
    return render(
        request, "hub/home.html", {"tiles": tiles, "notices": notices, "unread_notices": unread}
    )


FAVICON = settings.BASE_DIR / "static" / "hub" / "favicon.ico"


@require_safe
def favicon(request):
    """/favicon.ico, which browsers and tools ask for on every site whatever the page links.

    Pages link the SVG (base.html); this answers the fixed address instead of a 404.
    """
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def healthz(request):
    """Liveness for a load balancer or a process manager: the app answers, nothing more."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def readyz(request):
    """Readiness for a load balancer: the database, Redis and storage answer within 2 s each.

    Open to anyone, like /healthz, so it names only which part failed, never why. It reads
    no session and sets no cookie, so probes write nothing.
    """
    failed = health.unready_parts()
    if failed:
        response = HttpResponse(
            "not ready: " + ", ".join(failed), status=503, content_type="text/plain"
        )
    else:
        response = HttpResponse("ready", content_type="text/plain")
    # An answer about this moment: no proxy may serve it later.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def session_keepalive(request):
    """Renew the session (R-NEW-1): the expiry warning's "Stay logged in" button posts here.

    Marking the session modified makes hub.sessions write it with a full lifetime now,
    however recently it was last written.
    """
    request.session.modified = True
    return HttpResponse(status=204)
