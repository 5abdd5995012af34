"""R-SMP-1: "Suggest a sample" on a batch in Centre Completing, and its slots to fill."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
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


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_sample(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestion, ticked, with why; "Accept" makes the ticked ones the slots to fill.

    The centre may untick some first (change it), clear its slots to fill, or leave the
    page (ignore it). The slots to fill it has now are listed whatever the status.
    """
    batch = get_batch_for_request(request, pk)
    suggestion = batch_sample_suggestion(batch=batch)
    plannable = batch.status in SAMPLE_PLANNABLE
    unit_ids = [c.pk for c in suggestion.chosen] + [c.pk for c in suggestion.to_fill]
    form = SamplePlanForm(unit_ids=unit_ids)
    status = 200
    if request.method == "POST":
        clearing = "clear" in request.POST
        form = SamplePlanForm(QueryDict() if clearing else request.POST, unit_ids=unit_ids)
        if form.is_valid():
            chosen = form.cleaned_data["units"]
            if not chosen and not clearing:
                form.add_error(
                    "units",
                    "Tick at least one learner-unit to accept, or choose “Clear the slots to "
                    "fill”.",
                )
            else:
                try:
                    services.batch_plan_sample(
                        actor=request.user,
                        batch=batch,
                        batch_unit_ids=chosen,
                        suggested=None if clearing else suggestion.size,
                    )
                except services.BatchError as exc:
                    form.add_error(None, str(exc))
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
        status = 400
    ticked = (
        set(form.data.getlist("units")) if form.is_bound else {str(c.pk) for c in suggestion.chosen}
    )
    return render(
        request,
        "moderation/batch_sample.html",
        {
            "batch": batch,
            "suggestion": suggestion,
            "form": form,
            "ticked": ticked,
            "plannable": plannable,
        },
        status=status,
    )
