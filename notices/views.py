from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_GET

from hub.paging import paginate

from . import selectors, services


@require_GET
@login_required
def notice_list(request):
    """Every notice the user was sent, newest first, a page at a time (R-NTF-1)."""
    page = paginate(request, selectors.notices_for(request.user))
    return render(request, "notices/list.html", {"page": page, "notices": page.object_list})


@require_GET
@login_required
def notice_open(request, pk: int):
    """Open a notice: mark it read and go to the page it is about.

    A plain link (GET) so the notice reads like any other link; marking it read is harmless
    to repeat.
    """
    notice = selectors.get_notice_for_user(request.user, pk)
    services.notice_mark_read(actor=request.user, notice=notice)
    _work_in_the_centre_of(request, notice.link)
    return redirect(notice.link)


def _work_in_the_centre_of(request, link: str) -> None:
    """A notice about a batch, claim or download of another of the user's centres switches to
    it first.

    Pages answer only for the current centre (R-ACC-2): without the switch, a Programme
    Director of two centres opening "Batch 13: Complete" from Eastfield while working in
    Northgate would meet a 404, not the batch. Nothing changes for anyone else.
    """
    from claims.models import Claim
    from downloads.models import DownloadRequest
    from moderation.models import Batch

    memberships = getattr(request, "memberships", None) or []
    if len(memberships) < 2:
        return
    try:
        match = resolve(urlsplit(link).path)
    except Resolver404:
        return
    model = {"moderation": Batch, "claims": Claim, "downloads": DownloadRequest}.get(
        match.namespace
    )
    if model is None or "pk" not in match.kwargs:
        return
    centre_id = model.objects.filter(pk=match.kwargs["pk"]).values_list("centre_id", flat=True)
    membership = next((m for m in memberships if m.centre_id in centre_id), None)
    if membership is None or membership.centre_id == request.user.current_centre_id:
        return
    request.user.current_centre = membership.centre
    request.user.save(update_fields=["current_centre"])
    messages.info(request, f"You are now working in {membership.centre.name}.")
