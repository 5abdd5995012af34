from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
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
    return redirect(notice.link)
