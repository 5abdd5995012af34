"""R-SMP-1: "Suggest a sample" on a batch in Centre Completing, and its slots to fill.

The suggestion can be every learner-unit of the batch (100% at a centre's first submission),
so its rows are paged like the batch page's slots (issue 9). "Accept" acts on the whole
suggestion, recomputed on the server (it is deterministic), less the learner-units the user
unticked on the pages they saw: those travel with the form as one hidden list while the user
moves between pages with the page buttons, so no page posts more than one page of boxes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from centres.access import section_required
from centres.models import Section

from . import services
from .access import get_batch_for_request
from .forms import SamplePlanForm
from .models import SAMPLE_PLANNABLE
from .sampling import batch_sample_suggestion

STALE = "One of the learner-units ticked is no longer on this batch: look at the suggestion again."
NOTHING = "Tick at least one learner-unit to accept, or choose “Clear the slots to fill”."


def _ids(values: list[str]) -> set[int] | None:
    """Keys posted as repeated fields or comma lists; None when one is not a number."""
    found: set[int] = set()
    for value in values:
        for part in value.split(","):
            if part.strip():
                if not part.strip().isdigit():
                    return None
                found.add(int(part))
    return found


def _unticked(request: HttpRequest, suggested: set[int]) -> set[int] | None:
    """The suggested learner-units the user left out: those carried from other pages, and
    those shown on the page just sent but not ticked. None when a key is not suggested."""
    if request.method != "POST":
        return set()
    carried = _ids(request.POST.getlist("unticked"))
    shown = _ids(request.POST.getlist("shown"))
    ticked = _ids(request.POST.getlist("units"))
    if carried is None or shown is None or ticked is None:
        return None
    if not (carried | shown | ticked) <= suggested or not ticked <= shown:
        return None
    return (carried - shown) | (shown - ticked)


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_sample(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestion, a page at a time, ticked, with why; "Accept" makes every suggested
    learner-unit a slot to fill except those unticked on the pages seen.

    The centre may untick some first (change it), clear its slots to fill, or leave the
    page (ignore it). Counts of the slots to fill it has now are shown whatever the status.
    """
    batch = get_batch_for_request(request, pk)
    suggestion = batch_sample_suggestion(batch=batch)
    plannable = batch.status in SAMPLE_PLANNABLE
    suggested = [c.pk for c in suggestion.chosen]
    errors: list[str] = []
    unticked = _unticked(request, set(suggested))
    if unticked is None:
        errors.append(STALE)
        unticked = set()
    status = 200
    if request.method == "POST" and "goto" not in request.POST and not errors:
        clearing = "clear" in request.POST
        chosen = [] if clearing else [pk for pk in suggested if pk not in unticked]
        if not chosen and not clearing:
            errors.append(NOTHING)
        else:
            try:
                services.batch_plan_sample(
                    actor=request.user,
                    batch=batch,
                    batch_unit_ids=chosen,
                    suggested=None if clearing else suggestion.size,
                )
            except services.BatchError as exc:
                errors.append(str(exc))
            else:
                if clearing:
                    messages.success(request, "Slots to fill cleared.")
                else:
                    messages.success(
                        request,
                        f"{len(chosen)} slot{'s' if len(chosen) != 1 else ''} to fill "
                        "chosen: they are marked on the batch page.",
                    )
                return redirect(reverse("moderation:batch-detail", args=[batch.pk]))
    form = SamplePlanForm(request.POST if request.method == "POST" else None)
    if errors:
        status = 400
        form.full_clean()
        for error in errors:
            form.add_error(None, error)
    number = request.POST.get("goto") if request.method == "POST" else request.GET.get("page")
    page = Paginator(suggestion.chosen, settings.HUB_PAGE_SIZE).get_page(number)
    on_page = {c.pk for c in page.object_list}
    return render(
        request,
        "moderation/batch_sample.html",
        {
            "batch": batch,
            "suggestion": suggestion,
            "form": form,
            "plannable": plannable,
            "page": page,
            "page_numbers": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "ellipsis": Paginator.ELLIPSIS,
            "rows": [(c, c.pk not in unticked) for c in page.object_list],
            "shown": ",".join(str(c.pk) for c in page.object_list),
            "carried": ",".join(str(pk) for pk in sorted(unticked - on_page)),
            "unticked_count": len(unticked),
            "ticked_count": suggestion.size - len(unticked),
        },
        status=status,
    )
