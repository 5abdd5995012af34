"""Prepared downloads (R-DL-1): the list, "Prepare download" for each scope, a download's
progress page (htmx polls its partial), and the zip itself once built."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from centres.models import Centre, Qualification
from hub.storage import private_download
from moderation.access import get_batch_for_moderator, get_batch_for_request

from . import selectors, services
from .access import downloads_section_required, get_download_for_request, is_moderator
from .models import Scope

RECENT = 20


@require_GET
@downloads_section_required
def index(request):
    """The user's recent downloads, and the larger scopes they may prepare."""
    downloads = selectors.downloads_for(request.user)
    if is_moderator(request):
        choices = selectors.moderator_choices(moderator_id=request.user.pk)
        downloads = downloads.filter(as_moderator=True)
    else:
        choices = selectors.centre_choices(centre_id=request.centre.pk)
        # A centre user sees the downloads of the centre they are working in.
        downloads = downloads.filter(as_moderator=False, centre_id=request.centre.pk)
    downloads = list(downloads[:RECENT])
    return render(
        request,
        "downloads/index.html",
        {
            "choices": choices,
            "downloads": downloads,
            "moderator": is_moderator(request),
            "month": selectors.this_month(),
        },
    )


def _prepare(request, **scope):
    try:
        download, created = services.download_prepare(actor=request.user, **scope)
    except services.DownloadError as exc:
        messages.error(request, str(exc))
        return redirect("downloads:index")
    if not created:
        messages.info(
            request,
            "You asked for these files already: this is that download, not a second copy.",
        )
    return redirect("downloads:detail", pk=download.pk)


@require_POST
@downloads_section_required
def prepare_batch(request, pk: int):
    """Prepare download: the whole batch, from its page or the moderator's review page."""
    if is_moderator(request):
        batch = get_batch_for_moderator(request, pk)
    else:
        batch = get_batch_for_request(request, pk)
    return _prepare(request, scope=Scope.BATCH, batch=batch)


@require_POST
@downloads_section_required
def prepare_qualification(request, centre_pk: int, pk: int):
    """Prepare download: every batch of a qualification at a centre the user may see."""
    if is_moderator(request):
        choices = selectors.moderator_choices(moderator_id=request.user.pk)
    else:
        choices = selectors.centre_choices(centre_id=request.centre.pk)
    if not any(c.centre_id == centre_pk and c.qualification_id == pk for c in choices):
        raise Http404
    return _prepare(
        request,
        scope=Scope.QUALIFICATION,
        centre=get_object_or_404(Centre, pk=centre_pk),
        qualification=get_object_or_404(Qualification, pk=pk),
    )


@require_POST
@downloads_section_required
def prepare_month(request):
    """Prepare download: every file the moderator has been sent this month."""
    if not is_moderator(request):
        raise PermissionDenied("Only moderators have files sent to them.")
    return _prepare(request, scope=Scope.MONTH)


@require_GET
@downloads_section_required
def detail(request, pk: int):
    """A download's status; while it builds, htmx polls and swaps in only the partial."""
    download = get_download_for_request(request, pk)
    template = (
        "downloads/_progress.html" if request.headers.get("HX-Request") else "downloads/detail.html"
    )
    return render(request, template, {"download": download})


@require_GET
@downloads_section_required
def file(request, pk: int):
    """The built zip (R-ACC-3): a short-lived signed URL on S3, streamed locally; an
    expired or unfinished build, or one that may hold a batch deleted since, answers 404."""
    download = get_download_for_request(request, pk)
    if not download.is_ready or not download.file or selectors.holds_deleted_batch(download):
        raise Http404
    return private_download(
        download.file, filename=download.zip_name, content_type="application/zip"
    )
