"""Moderation: the centre's batches (section Moderation) and the moderator's queue."""

from __future__ import annotations

from collections import defaultdict
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres.access import body_role_required, section_required
from centres.models import BodyRole, Registration, Section
from par.models import UnitSelection

from . import services
from .access import (
    batches_for,
    get_batch_for_moderator,
    get_batch_for_request,
    get_document_for_batch,
    moderator_batches,
    unassigned_batches,
)
from .downloads import batch_zip_response, document_response
from .files import SizeLimitHandler, max_bytes, oversize_message
from .forms import DeletionRequestForm, DocumentsForm, NewBatchForm, OutcomeForm, SampleForm
from .models import (
    AWAITING_MODERATOR,
    CENTRE_DELETABLE,
    DELETION_REQUESTABLE,
    DOCUMENTS_EDITABLE,
    SAMPLES_ADDABLE,
    SAMPLES_REMOVABLE,
    Batch,
    BatchDocument,
    BatchStatus,
    BatchUnit,
    DocumentKind,
)

S = BatchStatus


def limit_upload_size(kind: str):
    """Check the size while the upload streams in (SizeLimitHandler), before any view code.

    Upload handlers can only change before the body is read, and the CSRF check reads it:
    so the check runs here, inside, after the handler is in place.
    """

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.upload_handlers.insert(0, SizeLimitHandler(request, max_bytes(kind)))
            return protected(request, *args, **kwargs)

        return wrapped

    return decorator


def _oversize_errors(request, kind: str) -> dict[str, list[str]]:
    errors = defaultdict(list)
    for field, name in getattr(request, "oversize_uploads", []):
        errors[field].append(oversize_message(name, kind))
    return errors


def _add_errors(form, errors: dict[str, list[str]]) -> None:
    """Show each message beside its field; one for a field the form lacks goes on top."""
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _is_xhr(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


# --- reading a batch (both sides) ---------------------------------------------------------
def batch_page_context(batch: Batch) -> dict:
    """Everything the batch pages show, in a fixed number of queries whatever its size."""
    units = list(
        BatchUnit.objects.filter(batch=batch)
        .select_related("selection__registration__learner", "selection__unit")
        .order_by(
            "selection__registration__learner__last_name",
            "selection__registration__learner__first_name",
            "selection__registration__learner__membership_number",
            "selection__unit__code",
        )
    )
    documents = list(
        BatchDocument.objects.filter(batch=batch)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
    samples = defaultdict(list)
    by_kind = defaultdict(list)
    for document in documents:
        if document.kind == DocumentKind.SAMPLE:
            samples[document.batch_unit_id].append(document)
        else:
            by_kind[document.kind].append(document)
    uploaded = 0
    for unit in units:
        versions = samples.get(unit.pk, [])
        unit.current_sample = next((d for d in versions if d.is_current), None)
        unit.earlier_samples = [d for d in versions if not d.is_current]
        uploaded += unit.current_sample is not None
    slots = defaultdict(list)
    for unit in units:
        slots[unit.selection.registration.learner].append(unit)
    return {
        "batch": batch,
        "units": units,
        "learner_slots": list(slots.items()),
        "document_sections": [
            (DocumentKind.IV_FEEDBACK.label, by_kind[DocumentKind.IV_FEEDBACK]),
            (DocumentKind.BRIEF.label, by_kind[DocumentKind.BRIEF]),
            (DocumentKind.COMMENTS.label, by_kind[DocumentKind.COMMENTS]),
        ],
        "rule": batch.sample(claimed=len(units), uploaded=uploaded),
        "history": batch.history.select_related("actor", "document").order_by("at", "pk"),
    }


def _centre_context(batch: Batch) -> dict:
    return {
        "can_edit_documents": batch.status in DOCUMENTS_EDITABLE,
        "can_add_samples": batch.status in SAMPLES_ADDABLE,
        "can_remove_samples": batch.status in SAMPLES_REMOVABLE,
        "can_delete": batch.status in CENTRE_DELETABLE,
        "can_request_deletion": batch.status in DELETION_REQUESTABLE
        and batch.deletion_requested_at is None,
        "can_resubmit": batch.status in (S.RETURNED, S.INSUFFICIENT_SAMPLE),
        "download_url": "moderation:document-download",
        "max_sample_mb": settings.HUB_MAX_SAMPLE_MB,
    }


# --- the centre's side ----------------------------------------------------------------------
@require_GET
@section_required(Section.MODERATION)
def index(request):
    """The centre's batches: open ones, and "Completed Batches" (R-BAT-10)."""
    tab = "completed" if request.GET.get("tab") == "completed" else "open"
    batches = batches_for(request).select_related("qualification")
    if tab == "completed":
        batches = batches.filter(status=S.COMPLETE).order_by("-completed_at", "-pk")
    else:
        batches = batches.exclude(status=S.COMPLETE).order_by("-created_at", "-pk")
    latest_comments = BatchDocument.objects.filter(
        batch=OuterRef("pk"), kind=DocumentKind.COMMENTS
    ).order_by("-uploaded_at", "-pk")
    batches = batches.annotate(
        comments_id=Subquery(latest_comments.values("pk")[:1]),
        comments_name=Subquery(latest_comments.values("original_name")[:1]),
    )
    page = Paginator(batches, settings.HUB_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/index.html", {"page": page, "tab": tab})


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_add(request):
    """ "Add Batch": choose the qualification (R-BAT-1)."""
    form = NewBatchForm(request.POST or None, centre=request.centre)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                actor=request.user,
                centre=request.centre,
                qualification=form.cleaned_data["qualification"],
            )
        except services.BatchError as exc:
            form.add_error("qualification", str(exc))
        else:
            return redirect("moderation:batch-documents", pk=batch.pk)
    return render(request, "moderation/batch_add.html", {"form": form})


@limit_upload_size(DocumentKind.BRIEF)
@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_documents(request, pk: int):
    """The IV feedback and assessment brief, and the Quality Manager's override (R-BAT-1, 3)."""
    batch = get_batch_for_request(request, pk)
    can_override = request.membership.is_quality_manager and batch.status in (
        S.DRAFT,
        S.CENTRE_COMPLETING,
    )
    form = DocumentsForm(
        request.POST or None,
        request.FILES or None,
        can_override=can_override,
        max_mb=settings.HUB_MAX_DOCUMENT_MB,
        initial={"override": batch.override_documents},
    )
    status = 200
    if request.method == "POST":
        if batch.status not in DOCUMENTS_EDITABLE:
            messages.error(
                request, f"Batch {batch.pk} is {batch.get_status_display()}: documents are fixed."
            )
            return redirect("moderation:batch-detail", pk=batch.pk)
        _add_errors(form, _oversize_errors(request, DocumentKind.BRIEF))
        if form.is_valid():
            try:
                services.batch_set_documents(
                    actor=request.user,
                    batch=batch,
                    iv_feedback=form.cleaned_data["iv_feedback"],
                    brief=form.cleaned_data["brief"],
                    override=form.cleaned_data["override"] if can_override else None,
                )
            except ValidationError as exc:
                _add_errors(form, exc.message_dict)
            except services.BatchError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Documents saved.")
                if batch.status == S.DRAFT:
                    return redirect("moderation:batch-documents", pk=batch.pk)
                return redirect("moderation:batch-detail", pk=batch.pk)
        status = 400
    batch.refresh_from_db()
    current = {d.kind: d for d in batch.documents.current().exclude(kind=DocumentKind.SAMPLE)}
    missing = batch.missing_documents()
    return render(
        request,
        "moderation/batch_documents.html",
        {
            "batch": batch,
            "form": form,
            "iv": current.get(DocumentKind.IV_FEEDBACK),
            "brief": current.get(DocumentKind.BRIEF),
            "ready": batch.override_documents or not missing,
            "missing": missing,
        },
        status=status,
    )


def _units_context(batch: Batch, ticked: set[int]) -> dict:
    """Learners registered and current on the qualification, each with their PAR units."""
    registrations = list(
        Registration.objects.filter(
            learner__centre_id=batch.centre_id,
            qualification_id=batch.qualification_id,
            is_current=True,
        )
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "learner__membership_number")
    )
    selections = list(
        UnitSelection.objects.filter(registration__in=[r.pk for r in registrations])
        .select_related("unit")
        .order_by("unit__code")
    )
    reasons = services.claimable_reasons(batch, selections)
    by_registration = defaultdict(list)
    for selection in selections:
        selection.reason = reasons.get(selection.pk, "")
        selection.ticked = selection.pk in ticked
        by_registration[selection.registration_id].append(selection)
    rows = []
    for registration in registrations:
        units = by_registration.get(registration.pk, [])
        rows.append(
            {
                "learner": registration.learner,
                "units": units,
                "open_count": sum(1 for u in units if not u.reason),
                "ticked": any(u.ticked for u in units),
            }
        )
    return {"batch": batch, "rows": rows, "selectable": any(r["open_count"] for r in rows)}


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_units(request, pk: int):
    """ "Select Units to Pass on Batch", then "Submit" (R-BAT-4, R-BAT-5)."""
    batch = get_batch_for_request(request, pk)
    if batch.status != S.DRAFT:
        messages.info(request, "The units on this batch were chosen when it was submitted.")
        return redirect("moderation:batch-detail", pk=batch.pk)
    ticked: set[int] = set()
    status = 200
    if request.method == "POST":
        ticked = {int(v) for v in request.POST.getlist("selection") if v.isdigit()}
        try:
            services.batch_submit_units(actor=request.user, batch=batch, selection_ids=ticked)
        except services.BatchError as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            messages.success(
                request,
                f"Batch {batch.pk} is now Centre Completing: upload the learners' work below.",
            )
            return redirect("moderation:batch-detail", pk=batch.pk)
    if batch.missing_documents() and not batch.override_documents:
        messages.warning(request, "Upload the IV Feedback and Assessment Brief first.")
        return redirect("moderation:batch-documents", pk=batch.pk)
    return render(
        request, "moderation/batch_units.html", _units_context(batch, ticked), status=status
    )


def _render_detail(request, batch: Batch, *, slot_errors=None, status: int = 200):
    context = batch_page_context(batch) | _centre_context(batch)
    context["slot_errors"] = slot_errors or {}
    for unit in context["units"]:
        unit.errors = context["slot_errors"].get(unit.pk, [])
    return render(request, "moderation/batch_detail.html", context, status=status)


@require_GET
@section_required(Section.MODERATION)
def batch_detail(request, pk: int):
    """The batch: its documents, one upload slot per learner-unit, the sample, its history."""
    batch = get_batch_for_request(request, pk)
    if batch.status == S.DRAFT:
        return redirect("moderation:batch-documents", pk=batch.pk)
    return _render_detail(request, batch)


def _slot_response(request, batch: Batch, unit_pk: int, errors: list[str], status: int):
    """Just the one slot, for the page's script to swap in (R-NEW-1)."""
    context = batch_page_context(batch) | _centre_context(batch)
    unit = next(u for u in context["units"] if u.pk == unit_pk)
    unit.errors = errors
    context["unit"] = unit
    return render(request, "moderation/_slot.html", context, status=status)


@limit_upload_size(DocumentKind.SAMPLE)
@require_POST
@section_required(Section.MODERATION)
def sample_upload(request, pk: int, unit_pk: int):
    """Upload or overwrite one slot's learner work (R-BAT-5, R-BAT-8)."""
    batch = get_batch_for_request(request, pk)
    unit = get_object_or_404(BatchUnit.objects.filter(batch=batch), pk=unit_pk)
    form = SampleForm(request.POST, request.FILES)
    errors: list[str] = _oversize_errors(request, DocumentKind.SAMPLE).get("file", [])
    if not errors and not form.is_valid():
        errors = form.errors["file"]
    if not errors:
        try:
            services.batch_upload_sample(
                actor=request.user, batch=batch, batch_unit=unit, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            errors = exc.messages
        except services.BatchError as exc:
            errors = [str(exc)]
    batch.refresh_from_db()
    if _is_xhr(request):
        return _slot_response(request, batch, unit.pk, errors, 400 if errors else 200)
    if errors:
        return _render_detail(request, batch, slot_errors={unit.pk: errors}, status=400)
    messages.success(request, "Learner work uploaded.")
    return redirect(reverse("moderation:batch-detail", args=[batch.pk]) + f"#slot-{unit.pk}")


@require_POST
@section_required(Section.MODERATION)
def sample_remove(request, pk: int, unit_pk: int):
    """The "X": take the file off a slot; it stays as an earlier version (R-NEW-4)."""
    batch = get_batch_for_request(request, pk)
    unit = get_object_or_404(BatchUnit.objects.filter(batch=batch), pk=unit_pk)
    errors: list[str] = []
    try:
        services.batch_remove_sample(actor=request.user, batch=batch, batch_unit=unit)
    except services.BatchError as exc:
        errors = [str(exc)]
    batch.refresh_from_db()
    if _is_xhr(request):
        return _slot_response(request, batch, unit.pk, errors, 400 if errors else 200)
    if errors:
        return _render_detail(request, batch, slot_errors={unit.pk: errors}, status=400)
    messages.success(request, "File removed from the slot.")
    return redirect(reverse("moderation:batch-detail", args=[batch.pk]) + f"#slot-{unit.pk}")


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_submit(request, pk: int):
    """ "Submit Batch": the sample check, then a confirmation, then With Moderator (R-BAT-6)."""
    batch = get_batch_for_request(request, pk)
    if batch.status != S.CENTRE_COMPLETING:
        messages.info(request, f"Batch {batch.pk} is {batch.get_status_display()}.")
        return redirect("moderation:batch-detail", pk=batch.pk)
    status = 200
    if request.method == "POST":
        try:
            services.batch_submit(actor=request.user, batch=batch)
        except services.BatchError as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            messages.success(request, f"Batch {batch.pk} submitted: it is now With Moderator.")
            return redirect("moderation:batch-detail", pk=batch.pk)
    batch.refresh_from_db()
    missing = [] if batch.override_documents else batch.missing_documents()
    return render(
        request,
        "moderation/batch_submit.html",
        {"batch": batch, "rule": batch.sample(), "missing": missing},
        status=status,
    )


@require_POST
@section_required(Section.MODERATION)
def batch_resubmit(request, pk: int):
    """ "Resubmit" after Returned for editing or Insufficient sample (R-BAT-8)."""
    batch = get_batch_for_request(request, pk)
    try:
        services.batch_resubmit(actor=request.user, batch=batch)
    except services.BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Batch {batch.pk} re-submitted to the moderator.")
    return redirect("moderation:batch-detail", pk=batch.pk)


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_delete(request, pk: int):
    """Delete the batch, only before it is submitted (R-BAT-9)."""
    batch = get_batch_for_request(request, pk)
    if request.method == "POST":
        try:
            services.batch_delete(actor=request.user, batch=batch)
        except services.BatchError as exc:
            messages.error(request, str(exc))
            return redirect("moderation:batch-detail", pk=batch.pk)
        messages.success(request, f"Batch {batch.pk} deleted; its learner-units are free again.")
        return redirect("moderation:index")
    if batch.status not in CENTRE_DELETABLE:
        messages.info(request, "A submitted batch can only be deleted by the awarding body.")
        return redirect("moderation:batch-detail", pk=batch.pk)
    return render(request, "moderation/batch_delete.html", {"batch": batch})


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_request_deletion(request, pk: int):
    """Ask the awarding body to delete a submitted batch (R-BAT-9)."""
    batch = get_batch_for_request(request, pk)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_request_deletion(
                actor=request.user, batch=batch, reason=form.cleaned_data["reason"]
            )
        except services.BatchError as exc:
            messages.error(request, str(exc))
        else:
            batch.refresh_from_db()
            messages.success(
                request,
                f"Deletion requested. The awarding body aims to delete batch {batch.pk} by "
                f"{batch.deletion_target_date:%-d %B %Y}; its learner-units stay locked until then.",
            )
        return redirect("moderation:batch-detail", pk=batch.pk)
    if batch.status not in DELETION_REQUESTABLE or batch.deletion_requested_at:
        messages.info(request, "Deletion cannot be requested for this batch.")
        return redirect("moderation:batch-detail", pk=batch.pk)
    return render(
        request,
        "moderation/batch_request_deletion.html",
        {"batch": batch, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@section_required(Section.MODERATION)
def document_download(request, pk: int, doc_pk: int):
    """One file of the centre's batch (R-ACC-3)."""
    batch = get_batch_for_request(request, pk)
    return document_response(get_document_for_batch(batch, doc_pk))


# --- the moderator's side -------------------------------------------------------------------
moderator_required = body_role_required(BodyRole.MODERATOR, allow_staff=False)


@require_GET
@moderator_required
def queue(request):
    """Batches assigned to the moderator, and those nobody has taken, by SLA due date."""
    columns = ("centre", "qualification")
    assigned = (
        moderator_batches(request)
        .filter(status__in=AWAITING_MODERATOR)
        .select_related(*columns)
        .order_by("sla_due_at", "pk")
    )
    decided = (
        moderator_batches(request)
        .exclude(status__in=AWAITING_MODERATOR)
        .select_related(*columns)
        .order_by("-outcome_at", "-pk")[:20]
    )
    unassigned = unassigned_batches().select_related(*columns).order_by("sla_due_at", "pk")
    return render(
        request,
        "moderation/queue.html",
        {"assigned": assigned, "unassigned": unassigned, "decided": decided},
    )


@require_POST
@moderator_required
def take(request, pk: int):
    """Take a batch from the unassigned queue."""
    batch = get_object_or_404(unassigned_batches(), pk=pk)
    try:
        services.batch_take(actor=request.user, batch=batch)
    except services.BatchError as exc:
        messages.error(request, str(exc))
        return redirect("moderation:queue")
    messages.success(request, f"Batch {batch.pk} is assigned to you.")
    return redirect("moderation:review", pk=batch.pk)


def _render_review(request, batch: Batch, form: OutcomeForm, status: int = 200):
    context = batch_page_context(batch)
    context.update(
        {
            "form": form,
            "can_decide": batch.status in AWAITING_MODERATOR,
            "download_url": "moderation:review-download",
        }
    )
    return render(request, "moderation/review.html", context, status=status)


@require_GET
@moderator_required
def review(request, pk: int):
    """The batch under review: every file, the claimed learner-units, the sample met."""
    batch = get_batch_for_moderator(request, pk)
    return _render_review(request, batch, OutcomeForm())


@limit_upload_size(DocumentKind.COMMENTS)
@require_POST
@moderator_required
def outcome(request, pk: int):
    """Returned for editing, Insufficient sample or Complete, with comments (R-BAT-8)."""
    batch = get_batch_for_moderator(request, pk)
    form = OutcomeForm(request.POST, request.FILES)
    _add_errors(form, _oversize_errors(request, DocumentKind.COMMENTS))
    if form.is_valid():
        try:
            services.batch_set_outcome(
                actor=request.user,
                batch=batch,
                outcome=form.cleaned_data["outcome"],
                comments=form.cleaned_data["comments"],
                comments_file=form.cleaned_data["comments_file"],
            )
        except ValidationError as exc:
            _add_errors(form, exc.message_dict)
        except services.BatchError as exc:
            form.add_error(None, str(exc))
        else:
            batch.refresh_from_db()
            messages.success(request, f"Batch {batch.pk} is now {batch.get_status_display()}.")
            return redirect("moderation:review", pk=batch.pk)
    batch.refresh_from_db()
    return _render_review(request, batch, form, status=400)


@require_GET
@moderator_required
def review_download(request, pk: int, doc_pk: int):
    batch = get_batch_for_moderator(request, pk)
    return document_response(get_document_for_batch(batch, doc_pk))


@require_GET
@moderator_required
def review_zip(request, pk: int) -> HttpResponse:
    """The whole batch as one zip, streamed without holding it in memory."""
    batch = get_batch_for_moderator(request, pk)
    return batch_zip_response(batch)
