"""The visiting assessor's pages: claims of the centres assigned to them (R-CLM-10)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from centres.access import body_role_required
from centres.models import BodyRole
from hub.fsm import allowed_actions
from hub.paging import paginate

from . import services
from .access import claims_for_assessor, get_claim_for_assessor
from .forms import FinaliseForm, SampleSizeForm, WithdrawForm
from .models import ClaimStatus
from .sampling import claim_sample_suggestion, sample_lines, smallest_cover
from .selectors import assessor_claims, assessor_rows

assessor_only = body_role_required(BodyRole.ASSESSOR, allow_staff=False)


@require_GET
@assessor_only
def assessor_list(request):
    """ "Claims to assess": submitted claims of the centres I visit, to do first."""
    status = request.GET.get("status", "")
    page = paginate(request, assessor_claims(claims_for_assessor(request.user), status=status))
    return render(
        request,
        "claims/assessor_list.html",
        {
            "page": page,
            "claims": page.object_list,
            "rows": assessor_rows(page.object_list),
            "status": status,
            "statuses": ClaimStatus.choices[1:],
        },
    )


def _claim_page(request, claim, *, finalise_form=None, withdraw_form=None, status=200):
    lines = list(
        claim.lines.select_related("registration__learner", "unit", "assessor").order_by(
            "registration__learner__last_name", "registration_id", "unit__code"
        )
    )
    # What to offer comes from Claim's declared transitions the assessor may take now.
    actions = allowed_actions(claim, request.user)
    if "finalise" in actions and finalise_form is None:
        finalise_form = FinaliseForm(lines=lines)
    elif finalise_form is not None:
        lines = finalise_form.lines
    suggestion, size_form, ticked = None, None, set()
    if "sample" in actions:
        # R-SMP-2: "Suggest a sample" pre-ticks the lines; the assessor may change them.
        candidates, _other = sample_lines(lines)
        if "size" in request.GET:
            size_form = SampleSizeForm(request.GET, lines=len(candidates))
            if size_form.is_valid():
                suggestion = claim_sample_suggestion(lines, size=size_form.cleaned_data["size"])
                ticked = suggestion.ids
            else:
                status = 400
        else:
            size_form = SampleSizeForm(
                initial={"size": smallest_cover(candidates)}, lines=len(candidates)
            )
    return render(
        request,
        "claims/assessor_claim.html",
        {
            "claim": claim,
            "lines": lines,
            "finalise_form": finalise_form,
            "withdraw_form": withdraw_form or WithdrawForm(),
            "actions": actions,
            "can_withdraw": "withdraw" in actions,
            "history": claim.history.select_related("actor"),
            "size_form": size_form,
            "suggestion": suggestion,
            "ticked": ticked,
        },
        status=status,
    )


@require_GET
@assessor_only
def assessor_claim(request, pk: int):
    claim = get_claim_for_assessor(request, pk)
    return _claim_page(request, claim)


@require_POST
@assessor_only
def assessor_sample(request, pk: int):
    """ "Save sample": tick candidate-units; the claim becomes Sampled, the centre emailed."""
    claim = get_claim_for_assessor(request, pk)
    try:
        line_ids = [int(value) for value in request.POST.getlist("sample")]
    except ValueError:
        line_ids = [0]
    try:
        services.claim_select_sample(actor=request.user, claim=claim, line_ids=line_ids)
    except services.ClaimError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Sample saved; the centre has been emailed.")
    return redirect("claims:assessor-claim", pk=claim.pk)


@require_POST
@assessor_only
def assessor_finalise(request, pk: int):
    """After the visit: confirm or amend each grade and submit; the claim is Finalised."""
    claim = get_claim_for_assessor(request, pk)
    if "finalise" not in allowed_actions(claim, request.user):
        messages.error(request, "Only a Sampled claim can be finalised.")
        return redirect("claims:assessor-claim", pk=claim.pk)
    lines = list(
        claim.lines.select_related("registration__learner", "unit", "assessor").order_by(
            "registration__learner__last_name", "registration_id", "unit__code"
        )
    )
    form = FinaliseForm(request.POST, lines=lines)
    if not form.is_valid():
        return _claim_page(request, claim, finalise_form=form)
    try:
        claim = services.claim_finalise(
            actor=request.user,
            claim=claim,
            outcomes=form.outcomes(),
            note=form.cleaned_data["note"],
        )
    except services.ClaimError as exc:
        messages.error(request, str(exc))
        return _claim_page(request, claim, finalise_form=form)
    messages.success(
        request,
        f"Claim finalised with reference {claim.reference}; the centre has been emailed and "
        "the grades will be posted to the PAR.",
    )
    return redirect("claims:assessor-claim", pk=claim.pk)


@require_POST
@assessor_only
def assessor_withdraw(request, pk: int):
    """Withdraw the whole claim, saying why."""
    claim = get_claim_for_assessor(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.claim_withdraw(actor=request.user, claim=claim, note=form.cleaned_data["note"])
        except (services.ClaimError, ValidationError) as exc:
            messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, "The claim has been withdrawn; the centre has been emailed.")
            return redirect("claims:assessor-claim", pk=claim.pk)
    return _claim_page(request, claim, withdraw_form=form)
