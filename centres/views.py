from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hub.paging import paginate

from .access import get_learner_for_request, learners_for, section_required
from .forms import LearnerSearchForm
from .models import Section
from .selectors import learner_rows, learner_search


@require_POST
@login_required
def switch_centre(request):
    """Make another of the user's centres the current one ("Available Centres")."""
    try:
        centre_id = int(request.POST.get("centre", ""))
    except ValueError:
        raise Http404("No such centre.") from None
    membership = next((m for m in request.memberships if m.centre_id == centre_id), None)
    if membership is None:
        raise Http404("No such centre.")
    request.user.current_centre = membership.centre
    request.user.save(update_fields=["current_centre"])
    messages.success(request, f"You are now working in {membership.centre.name}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "home"
    return redirect(target)


@require_GET
@section_required(Section.LEARNERS)
def learner_list(request):
    form = LearnerSearchForm(request.GET or None)
    term = form.cleaned_data["q"] if form.is_valid() else ""
    page = paginate(request, learner_search(learners_for(request), term=term))
    return render(
        request,
        "centres/learner_list.html",
        {"form": form, "page": page, "rows": learner_rows(page.object_list), "term": term},
    )


@require_GET
@section_required(Section.LEARNERS)
def learner_detail(request, pk: int):
    learner = get_learner_for_request(request, pk)
    registrations = learner.registrations.select_related("qualification").prefetch_related(
        Prefetch("entered_units")
    )
    return render(
        request,
        "centres/learner_detail.html",
        {"learner": learner, "registrations": registrations},
    )
