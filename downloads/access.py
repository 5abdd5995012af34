"""The one way in to prepared downloads (R-ACC-2, R-ACC-3).

A download is its requester's alone; it is also checked against the side it was asked
from, each time: a centre's download only while working in that centre with the Moderation
grant, a moderator's batch download only while the batch is still assigned to them.
Anything else is a 404, never another's file.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from centres.models import BodyRole, Section

from .models import DownloadRequest, Scope
from .selectors import downloads_for


def is_moderator(request: HttpRequest) -> bool:
    return request.user.body_role == BodyRole.MODERATOR


def downloads_section_required(view):
    """Moderators, and members of the current centre granted Moderation; others 403."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        membership = request.membership
        if not (
            is_moderator(request)
            or (membership is not None and membership.grants(Section.MODERATION))
        ):
            raise PermissionDenied("You have not been given access to Moderation.")
        return view(request, *args, **kwargs)

    return wrapped


def get_download_for_request(request: HttpRequest, pk: int) -> DownloadRequest:
    """The requester's own download ``pk``, still within what they may see, or 404."""
    download = (
        downloads_for(request.user)
        .select_related("batch", "centre", "qualification")
        .filter(pk=pk)
        .first()
    )
    if download is None:
        raise Http404
    if download.as_moderator:
        if not is_moderator(request):
            raise Http404
        if download.scope == Scope.BATCH and download.batch.moderator_id != request.user.pk:
            raise Http404
    elif request.centre is None or download.centre_id != request.centre.pk:
        raise Http404
    return download
