"""The centre's Claims section: qualifications, centre assessors, building and submitting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres.access import section_required
from centres.models import Section
from hub.paging import paginate

from . import services
from .access import (
    claim_qualifications_for,
    claims_for,
    get_centre_assessor_for_request,
    get_claim_for_request,
    get_qualification_for_request,
    get_registration_for_claim,
    get_unit_for_claim,
)
from .exports import claim_lines_csv, history_csv
from .forms import (
    HISTORY_SORTS,
    CentreAssessorEditForm,
    CentreAssessorForm,
    ClaimDetailsForm,
    GradeGridForm,
    HistoryFilterForm,
    OtherBodyUnitForm,
    QualificationSearchForm,
    SubmitForm,
    apply_to_rows_below,
)
from .models import (
    NO_CLAIMS_SUBMITTED,
    CentreAssessor,
    Claim,
)
from .selectors import (
    CANDIDATE_SORTS,
    CHECK_RETURN,
    CandidatePages,
    HistoryFilter,
    HistoryPages,
    active_assessors,
    candidate_rows,
    candidate_rows_html,
    candidate_sort_headers,
    check_rows,
    claim_check_lines,
    claim_history,
    claim_reconciliation,
    claim_units,
    date_notices,
    history_filter,
    history_rows_html,
    history_sort_headers,
    registrations_for_unit,
    unit_candidate_rows,
    unit_list_rows,
)

claims_section = section_required(Section.CLAIMS)


# --- Qualifications (R-CLM-2, R-CLM-3) ------------------------------------------------


@require_GET
@claims_section
def index(request):
    """The centre's claim-route qualifications, each with its claim status."""
    form = QualificationSearchForm(request.GET or None)
    qualifications = claim_qualifications_for(request).order_by("code")
    term = ""
    if form.is_valid() and (term := form.cleaned_data["q"].strip()):
        qualifications = qualifications.filter(Q(code__icontains=term) | Q(title__icontains=term))
    qualifications = list(qualifications)
    latest: dict[int, Claim] = {}
    open_claims: dict[int, Claim] = {}
    for claim in claims_for(request).filter(qualification__in=qualifications):
        latest.setdefault(claim.qualification_id, claim)
        if claim.is_editable:
            open_claims[claim.qualification_id] = claim
    assessor_counts = dict(
        CentreAssessor.objects.filter(centre=request.centre, is_active=True)
        .values("qualification_id")
        .annotate(n=Count("pk"))
        .values_list("qualification_id", "n")
    )
    rows = [
        {
            "qualification": q,
            "status": latest[q.pk].get_status_display() if q.pk in latest else NO_CLAIMS_SUBMITTED,
            "open_claim": open_claims.get(q.pk),
            "assessors": assessor_counts.get(q.pk, 0),
        }
        for q in qualifications
    ]
    return render(request, "claims/index.html", {"form": form, "rows": rows, "term": term})


@require_POST
@claims_section
def claim_create(request, qualification_pk: int):
    """ "Create": start the claim (or open the one already started) for a qualification."""
    qualification = get_qualification_for_request(request, qualification_pk)
    try:
        claim = services.claim_start(
            actor=request.user, centre=request.centre, qualification=qualification
        )
    except services.ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("claims:centre-assessor-list", qualification_pk=qualification.pk)
    return redirect("claims:claim-detail", pk=claim.pk)


# --- Centre assessors (R-CLM-1) -------------------------------------------------------


@require_GET
@claims_section
def centre_assessor_list(request, qualification_pk: int):
    """ "View centre assessors" for one qualification."""
    qualification = get_qualification_for_request(request, qualification_pk)
    assessors = CentreAssessor.objects.filter(
        centre=request.centre, qualification=qualification
    ).order_by("-is_active", "name")
    return render(
        request,
        "claims/centre_assessor_list.html",
        {"qualification": qualification, "assessors": assessors},
    )


@require_http_methods(["GET", "POST"])
@claims_section
def centre_assessor_create(request, qualification_pk: int):
    """ "Create centre assessor"."""
    qualification = get_qualification_for_request(request, qualification_pk)
    form = CentreAssessorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessor = services.centre_assessor_create(
                actor=request.user,
                centre=request.centre,
                qualification=qualification,
                name=form.cleaned_data["name"],
                initials=form.cleaned_data["initials"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Centre assessor {assessor} set up.")
            return redirect("claims:centre-assessor-list", qualification_pk=qualification.pk)
    return render(
        request,
        "claims/centre_assessor_form.html",
        {"form": form, "qualification": qualification, "assessor": None},
    )


@require_http_methods(["GET", "POST"])
@claims_section
def centre_assessor_edit(request, pk: int):
    assessor = get_centre_assessor_for_request(request, pk)
    form = CentreAssessorEditForm(request.POST or None, instance=assessor)
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_assessor_update(
                actor=request.user,
                assessor=assessor,
                name=form.cleaned_data["name"],
                initials=form.cleaned_data["initials"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Centre assessor saved.")
            return redirect(
                "claims:centre-assessor-list", qualification_pk=assessor.qualification_id
            )
    return render(
        request,
        "claims/centre_assessor_form.html",
        {"form": form, "qualification": assessor.qualification, "assessor": assessor},
    )


@require_POST
@claims_section
def centre_assessor_deactivate(request, pk: int):
    assessor = get_centre_assessor_for_request(request, pk)
    services.centre_assessor_deactivate(actor=request.user, assessor=assessor)
    messages.success(
        request, f"{assessor.name} is deactivated; lines already naming them are unchanged."
    )
    return redirect("claims:centre-assessor-list", qualification_pk=assessor.qualification_id)


# --- The claim ------------------------------------------------------------------------


def _detail_context(request, claim: Claim, details_form=None) -> dict:
    lines = claim.lines.select_related("registration__learner", "unit", "assessor").order_by(
        "registration__learner__last_name",
        "registration__learner__first_name",
        "registration_id",
        "unit__code",
    )
    page = paginate(request, lines)
    if details_form is None and claim.is_editable:
        details_form = ClaimDetailsForm(
            initial={"contact_email": claim.contact_email, "visit_date": claim.visit_date}
        )
    return {
        "claim": claim,
        "page": page,
        "history": claim.history.select_related("actor"),
        "details_form": details_form,
        "notices": date_notices(claim),
        "show_outcomes": claim.has_outcomes,
    }


@require_GET
@claims_section
def claim_detail(request, pk: int):
    """The claim: its lines (green ticks for the sample), details and history."""
    claim = get_claim_for_request(request, pk)
    return render(request, "claims/claim_detail.html", _detail_context(request, claim))


def _refuse_if_locked(request, claim: Claim):
    if not claim.is_editable:
        messages.error(
            request,
            f"This claim is {claim.get_status_display()} and can no longer be edited.",
        )
        return redirect("claims:claim-detail", pk=claim.pk)
    return None


@require_POST
@claims_section
def claim_update_details(request, pk: int):
    """Save the contact email and the planned moderation visit date."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    form = ClaimDetailsForm(request.POST)
    if form.is_valid():
        services.claim_update_details(actor=request.user, claim=claim, **form.cleaned_data)
        messages.success(request, "Claim details saved.")
        return redirect("claims:claim-detail", pk=claim.pk)
    return render(request, "claims/claim_detail.html", _detail_context(request, claim, form))


@require_GET
@claims_section
def by_candidate(request, pk: int):
    """ "By Candidate": eligible candidates, sortable by name, number, date of birth (R-CLM-4)."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    sort = request.GET.get("sort", "name")
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in CANDIDATE_SORTS:
        key, descending = "name", False
    page = paginate(request, CandidatePages(claim, sort=key, descending=descending))
    return render(
        request,
        "claims/by_candidate.html",
        {
            "claim": claim,
            "page": page,
            "rows": page.object_list,
            "rows_html": candidate_rows_html(page.object_list),
            "sort_headers": candidate_sort_headers(key, descending),
            "sort": key,
        },
    )


def _grid_post(request, claim, rows, assessors, pair_for, template, context, done_url):
    """Handle a grade grid: show, "Apply to all" (no JS), or "Save claim"."""
    data = request.POST if request.method == "POST" else None
    applied = 0
    if data is not None and data.get("apply"):
        data, applied = apply_to_rows_below(data, rows, data["apply"])
    form = GradeGridForm(data, rows=rows, assessors=assessors)
    if data is not None and not request.POST.get("apply") and form.is_valid():
        try:
            outcome = services.claim_save_lines(
                actor=request.user, claim=claim, entries=form.entries(pair_for)
            )
        except services.LineErrors as exc:
            by_pair = exc.errors
            for row in rows:
                if not row.disabled and (error := by_pair.get(pair_for(row))):
                    row.error = error
            messages.error(request, str(exc))
        except services.ClaimError as exc:
            messages.error(request, str(exc))
            return redirect("claims:claim-detail", pk=claim.pk)
        else:
            messages.success(request, f"Claim saved: {outcome}.")
            return redirect(done_url)
    elif data is not None and request.POST.get("apply"):
        messages.info(
            request,
            f"Applied to {applied} candidate{'s' if applied != 1 else ''} below. "
            "Remember to click Save claim.",
        )
    context.update({"claim": claim, "form": form, "rows": rows, "unsaved": bool(data)})
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@claims_section
def candidate_edit(request, pk: int, registration_pk: int):
    """One candidate's units with grades and centre assessors; "Save claim" (R-CLM-4)."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    registration = get_registration_for_claim(claim, registration_pk)
    rows = candidate_rows(claim, registration)
    # A Change link on Check your answers comes back there once saved (or cancelled).
    return_url = (
        reverse("claims:claim-check", kwargs={"pk": claim.pk})
        if request.GET.get("from") == CHECK_RETURN
        else ""
    )
    return _grid_post(
        request,
        claim,
        rows,
        active_assessors(claim),
        lambda row: (registration.pk, row.unit.pk),
        "claims/candidate_edit.html",
        {"registration": registration, "learner": registration.learner, "return_url": return_url},
        return_url or reverse("claims:by-candidate", kwargs={"pk": claim.pk}),
    )


@require_GET
@claims_section
def by_unit(request, pk: int):
    """ "By Unit": the qualification's units, each with how many candidates are claimed."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    page = paginate(request, claim_units(claim))
    return render(
        request,
        "claims/by_unit.html",
        {"claim": claim, "page": page, "rows": unit_list_rows(claim, page.object_list)},
    )


@require_http_methods(["GET", "POST"])
@claims_section
def unit_edit(request, pk: int, unit_pk: int):
    """The candidates entered for one unit, a page at a time, with "Apply to all" (R-CLM-5)."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    unit = get_unit_for_claim(claim, unit_pk)
    # By name, as By Candidate: the learner name index serves a page.
    registrations = registrations_for_unit(claim, unit.pk).order_by(*CANDIDATE_SORTS["name"])
    page = paginate(request, registrations)
    rows = unit_candidate_rows(claim, unit.pk, page.object_list)
    here = reverse("claims:unit-edit", kwargs={"pk": claim.pk, "unit_pk": unit.pk})
    return _grid_post(
        request,
        claim,
        rows,
        active_assessors(claim),
        lambda row: (row.registration.pk, unit.pk),
        "claims/unit_edit.html",
        {"unit": unit, "page": page},
        f"{here}?page={page.number}",
    )


@require_http_methods(["GET", "POST"])
@claims_section
def other_body(request, pk: int, registration_pk: int):
    """ "Add units from another awarding body" for one candidate (R-CLM-7)."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    registration = get_registration_for_claim(claim, registration_pk)
    on_claim = set(claim.lines.filter(registration=registration).values_list("unit_id", flat=True))
    units = [
        row.unit
        for row in candidate_rows(claim, registration)
        if not row.disabled and row.unit.pk not in on_claim
    ]
    form = OtherBodyUnitForm(request.POST or None, units=units, assessors=active_assessors(claim))
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_add_other_body_unit(
                actor=request.user,
                claim=claim,
                registration_id=registration.pk,
                unit_id=form.cleaned_data["unit"],
                assessor_id=form.cleaned_data["assessor"],
                awarding_body=form.cleaned_data["awarding_body"],
                grade=form.cleaned_data["grade"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Unit from another awarding body added.")
            return redirect("claims:other-body", pk=claim.pk, registration_pk=registration.pk)
    others = claim.lines.filter(registration=registration).exclude(other_awarding_body="")
    return render(
        request,
        "claims/other_body.html",
        {
            "claim": claim,
            "registration": registration,
            "learner": registration.learner,
            "form": form,
            "others": others.select_related("unit", "assessor"),
        },
    )


# --- Submitting (R-CLM-9) -------------------------------------------------------------


def _check_context(request, claim: Claim, form) -> dict:
    """ "Check your answers" before "Submit to assessor" (R-NEW-6): every line a page at a
    time, grouped by candidate, with a Change link to where its grade is set, and what does
    not reconcile with the registrations (R-NEW-2). A fixed number of queries at any size.
    """
    reconciliation = claim_reconciliation(claim)
    page = paginate(request, claim_check_lines(claim))
    page.object_list = check_rows(claim, page.object_list)
    return {
        "claim": claim,
        "form": form,
        "reconciliation": reconciliation,
        "page": page,
        "notices": date_notices(claim),
        "details_url": reverse("claims:claim-detail", args=[claim.pk]) + "#details-heading",
    }


@require_GET
@claims_section
def claim_check(request, pk: int):
    """Check the claim, confirm the contact email, tick the centre declaration."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    form = SubmitForm(initial={"contact_email": claim.contact_email})
    return render(request, "claims/claim_check.html", _check_context(request, claim, form))


@require_POST
@claims_section
def claim_submit(request, pk: int):
    """ "Submit to assessor": ask to confirm, then submit (no edits after)."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return render(request, "claims/claim_check.html", _check_context(request, claim, form))
    if request.POST.get("confirmed") != "yes":
        return render(
            request,
            "claims/claim_confirm.html",
            {"claim": claim, "form": form, "line_count": claim.lines.count()},
        )
    try:
        claim = services.claim_submit(
            actor=request.user,
            claim=claim,
            contact_email=form.cleaned_data["contact_email"],
            declared=form.cleaned_data["declaration"],
        )
    except services.ClaimError as exc:
        messages.error(request, str(exc))
        return render(request, "claims/claim_check.html", _check_context(request, claim, form))
    messages.success(
        request,
        f"Claim {claim.number} has been submitted to your assessor. It can no longer be edited.",
    )
    return redirect("claims:claim-detail", pk=claim.pk)


@require_http_methods(["GET", "POST"])
@claims_section
def line_remove(request, pk: int, line_pk: int):
    """Take one unit off the claim for one candidate (R-CLM-8), from Check your answers
    (R-NEW-2): a question page, then back to the check."""
    claim = get_claim_for_request(request, pk)
    if refused := _refuse_if_locked(request, claim):
        return refused
    rows = check_rows(claim, claim_check_lines(claim).filter(pk=line_pk))
    if not rows:
        raise Http404("No such unit grade on this claim.")
    line = rows[0]
    check_url = reverse("claims:claim-check", args=[claim.pk])
    if request.method == "POST":
        try:
            services.claim_remove_line(actor=request.user, claim=claim, line_id=line.pk)
        except services.ClaimError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{line.full_name} ({line.p_number}) {line.unit_code} removed from the claim.",
            )
            return redirect(check_url)
    return render(
        request,
        "claims/line_remove.html",
        {"claim": claim, "line": line, "check_url": check_url},
    )


LANDSCAPE_AFTER_UNITS = 15


@require_GET
@claims_section
def claim_print(request, pk: int):
    """The printable claim; landscape when more than 15 different units are claimed."""
    claim = get_claim_for_request(request, pk)
    lines = list(
        claim.lines.select_related("registration__learner", "unit", "assessor").order_by(
            "registration__learner__last_name", "registration_id", "unit__code"
        )
    )
    unit_count = len({line.unit_id for line in lines})
    return render(
        request,
        "claims/claim_print.html",
        {
            "claim": claim,
            "lines": lines,
            "unit_count": unit_count,
            "landscape": unit_count > LANDSCAPE_AFTER_UNITS,
        },
    )


@require_GET
@claims_section
def claim_export(request, pk: int):
    """The claim as CSV, streamed."""
    return claim_lines_csv(get_claim_for_request(request, pk))


# --- History (R-CLM-11) ---------------------------------------------------------------


def _history_filter(request) -> tuple[HistoryFilterForm, int | None, HistoryFilter | None]:
    """The history's filter form (the centre's claim qualifications), the one chosen, and
    the choices with the history's lengths."""
    found = None
    if request.centre:
        found = history_filter(request.centre.pk, asked=request.GET.get("qualification"))
    form = HistoryFilterForm(request.GET or None, qualifications=found.choices if found else [])
    return form, form.cleaned_data["qualification"] if form.is_valid() else None, found


def _history(request):
    """The history's filter form, its claims as filtered and sorted, and the sort."""
    form, qualification_id, _ = _history_filter(request)
    claims, sort = claim_history(
        claims_for(request),
        qualification_id=qualification_id,
        sort=request.GET.get("sort", ""),
        sorts=HISTORY_SORTS,
    )
    return form, claims, sort


# The history's sortable columns, in order: (sort key, heading).
HISTORY_COLUMNS = [
    ("number", "Claim number"),
    ("qualification", "Qualification"),
    ("status", "Status"),
    ("lines", "Units claimed"),
    ("created", "Created"),
    ("submitted", "Submitted"),
    ("reference", "Reference"),
]


@require_GET
@claims_section
def history(request):
    """ "View claim history"."""
    form, qualification_id, found = _history_filter(request)
    pages = HistoryPages(
        request.centre.pk,
        qualification_id=qualification_id,
        sort=request.GET.get("sort", ""),
        sorts=HISTORY_SORTS,
        cutoff=found.cutoff,
        total=found.total_of_asked if qualification_id else found.total,
    )
    page = paginate(request, pages)
    return render(
        request,
        "claims/history.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "rows_html": history_rows_html(page.object_list),
            "sort_headers": history_sort_headers(
                HISTORY_COLUMNS, sort=pages.sort, qualification_id=qualification_id
            ),
            "sort": pages.sort,
        },
    )


@require_GET
@claims_section
def history_export(request):
    """The claim history, as filtered and sorted on screen, as CSV, streamed."""
    _, claims, _ = _history(request)
    return history_csv(claims)
