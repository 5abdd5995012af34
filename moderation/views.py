"""Moderation: the centre's batches (section Moderation) and the moderator's queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from urllib.parse import urlencode

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres.access import body_role_required, section_required
from centres.models import BodyRole, Section
from hub.fixed_urls import fixed_url, keyed_url
from hub.fsm import allowed_actions
from hub.paging import paginate, url_format, url_maker

from . import (
    batch_panels,
    files,
    held,
    list_rows,
    queue_page,
    selectors,
    services,
    slot_rows,
    unit_rows,
    units_page,
    view_parts,
)
from .access import (
    get_batch_for_moderator,
    get_batch_for_request,
    get_batch_or_tombstone_for_request,
    get_batch_with_for_request,
    get_document_for_batch,
    unassigned_batches,
)
from .downloads import batch_zip_response, document_response
from .files import (
    SizeLimitHandler,
    max_bytes,
    oversize_message,
    unreadable_upload_response,
)
from .forms import DeletionRequestForm, DocumentsForm, NewBatchForm, OutcomeForm, SampleForm
from .models import (
    CENTRE_DELETABLE,
    DELETION_REQUESTABLE,
    DOCUMENTS_EDITABLE,
    OUTCOME_TRANSITIONS,
    OVERRIDE_CHANGEABLE,
    SAMPLE_PLANNABLE,
    SAMPLES_ADDABLE,
    SAMPLES_REMOVABLE,
    UNITS_REMOVABLE,
    Batch,
    BatchDocument,
    BatchUnit,
    DocumentKind,
    is_centre_member,
)


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
            try:
                request.POST  # noqa: B018 -- parse here: an unreadable body gets a clear answer
            except MultiPartParserError:
                return unreadable_upload_response(request)
            return protected(request, *args, **kwargs)

        return wrapped

    return decorator


def _oversize_errors(request, kind: str) -> dict[str, list[str]]:
    errors = defaultdict(list)
    for field, name in getattr(request, "oversize_uploads", []):
        errors[field].append(oversize_message(name, kind))
    for field, message in getattr(request, "refused_uploads", []):
        errors[field].append(message)
    return errors


def _add_errors(form, errors: dict[str, list[str]]) -> None:
    """Show each message beside its field; one for a field the form lacks goes on top."""
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _is_htmx(request: HttpRequest) -> bool:
    """Sent by htmx (a slot's form on the batch page): answer the part it swaps in."""
    return request.headers.get("HX-Request") == "true"


# --- reading a batch (both sides) ---------------------------------------------------------
HISTORY_PAGE_SIZE = 20


def _slot_filter(request: HttpRequest) -> str:
    """The slot list's filter from ?slots= ("" for all slots)."""
    value = request.GET.get("slots", "")
    return value if value in selectors.SLOT_FILTERS else ""


def _slots_query(*, slot_filter: str, page_number: int) -> str:
    """The slot list's page and filter, carried through an upload so the user stays there."""
    params = {}
    if slot_filter:
        params["slots"] = slot_filter
    if page_number > 1:
        params["page"] = page_number
    return f"?{urlencode(params)}" if params else ""


def _page_asked(request: HttpRequest, param: str) -> int:
    """The page number ``param`` asks for, as Paginator.get_page reads a valid one; 1 for
    anything else (the paginator then picks the page, and _ReadAlready reads it)."""
    value = request.GET.get(param)
    if value is None or not value.isdigit() or not value.isascii():
        return 1
    return max(int(value), 1)


class _ReadAlready:
    """A list to page whose window from ``start`` was read already (``rows``); any other
    window the paginator asks for is read from ``pages``."""

    def __init__(self, pages, *, start: int, rows: list) -> None:
        self.pages, self.start, self.rows = pages, start, rows

    def __getitem__(self, window: slice) -> list:
        if (window.start or 0) == self.start:
            return self.rows[: max(window.stop - self.start, 0)]
        return self.pages[window]


@dataclass(frozen=True)
class _SlotLinks:
    """The slot URLs of one page, reversed once; each row's is a concatenation."""

    upload: Callable[[int], str]
    remove: Callable[[int], str]
    download: Callable[[int], str]
    query: str

    @classmethod
    def for_batch(cls, batch_pk: int, *, download_url: str, query: str = "") -> _SlotLinks:
        return cls(
            upload=url_maker("moderation:sample-upload", batch_pk),
            remove=url_maker("moderation:sample-remove", batch_pk),
            download=url_maker(download_url, batch_pk),
            query=query,
        )

    def apply(self, slot: selectors.Slot) -> None:
        # Item access: a Row's attribute is a failed lookup, then __getattr__.
        pk, current, download = slot["pk"], slot["current"], self.download
        slot["upload_url"] = f"{self.upload(pk)}{self.query}"
        slot["remove_url"] = f"{self.remove(pk)}{self.query}"
        if current:
            current["url"] = download(current["pk"])
        for file in slot["earlier"]:
            file["url"] = download(file["pk"])


def batch_page_context(request: HttpRequest, batch: Batch, *, download_url: str) -> dict:
    """What the batch pages show: one page of slots, the counts, documents, one page of history.

    A fixed number of queries and a bounded page whatever the batch's size (issue 9).
    """
    slot_filter = _slot_filter(request)
    # The counts and the history page asked for come in one statement; a number the
    # paginator reads otherwise (past the end, not a number) has its page read apart.
    history_asked = _page_asked(request, "history_page")
    counts, entries = selectors.batch_slot_counts_and_history(
        batch=batch,
        history_offset=(history_asked - 1) * HISTORY_PAGE_SIZE,
        history_size=HISTORY_PAGE_SIZE,
    )
    # Paged by number alone: batch_slot_page reads the page's slots itself, so the list
    # handed to the paginator is only its length (a queryset here was built for nothing).
    slot_count = selectors.slot_filter_count(counts, slot_filter)
    slot_page = paginate(
        request, range(slot_count), per_page=settings.HUB_PAGE_SIZE, count=slot_count
    )
    learner_slots, document_sections = selectors.batch_slot_page(
        batch=batch, page=slot_page, slot_filter=slot_filter
    )
    links = _SlotLinks.for_batch(
        batch.pk,
        download_url=download_url,
        query=_slots_query(slot_filter=slot_filter, page_number=slot_page.number),
    )
    for group in learner_slots:
        for slot in group["slots"]:
            links.apply(slot)
    for _label, versions in document_sections:
        for document in versions:
            document.url = links.download(document.pk)
    history = paginate(
        request,
        _ReadAlready(
            selectors.batch_history(batch=batch),
            start=(history_asked - 1) * HISTORY_PAGE_SIZE,
            rows=entries,
        ),
        per_page=HISTORY_PAGE_SIZE,
        param="history_page",
        count=counts.history,
    )
    history.object_list = selectors.history_rows(history.object_list, download=links.download)
    rule = selectors.batch_sample_rule(batch=batch, counts=counts)
    # The page's one CSRF token: the slots' and buttons' forms and the header's print it.
    csrf_token, csrf_html = view_parts.page_csrf(request)
    missing_only = slot_filter == selectors.SLOTS_MISSING
    to_fill_only = slot_filter == selectors.SLOTS_TO_FILL
    return {
        "batch": batch,
        "slot_counts": counts,
        "slot_page": slot_page,
        "learner_slots": learner_slots,
        "slot_filter": slot_filter,
        "missing_only": missing_only,
        "to_fill_only": to_fill_only,
        "document_sections": document_sections,
        "rule": rule,
        "history": history,
        # One CSRF input for every slot's forms, not a {% csrf_token %} per form.
        "csrf_input": SafeString(csrf_html),  # the token escaped by page_csrf
        "csrf_token": csrf_token,
        # The panels' HTML, built in Python (moderation.batch_panels), and the URLs the
        # page's buttons go to, each reversed once per process (hub.fixed_urls).
        "summary_html": batch_panels.summary_html(batch),
        "documents_html": batch_panels.documents_html(batch, document_sections),
        "sample_rule_html": batch_panels.sample_rule_html(rule),
        "slots_head_html": batch_panels.slots_head_html(
            counts=counts,
            rule=rule,
            slot_filter=slot_filter,
            missing_only=missing_only,
            to_fill_only=to_fill_only,
        ),
        "history_section_html": batch_panels.history_section_html(batch, history),
        "prepare_url": keyed_url("downloads:prepare-batch", batch.pk),
    }


def _slots_section(context: dict, slots_html: str) -> SafeString:
    """The Learner work section of batch_page_context's page around ``slots_html``."""
    return batch_panels.slots_section_html(
        head=context["slots_head_html"],
        slots=slots_html,
        empty=not context["learner_slots"],
        slot_filter=context["slot_filter"],
        page=context["slot_page"],
    )


def _centre_context(request, batch: Batch) -> dict:
    # The buttons for status changes come from Batch's declared transitions (hub.fsm); the
    # other permissions from the models' status constants. Whether the user is a member of
    # the batch's centre with the Moderation grant is the request's membership already.
    membership = request.membership
    member = (
        membership is not None
        and membership.centre_id == batch.centre_id
        and membership.grants(Section.MODERATION)
    )
    actions = allowed_actions(batch, request.user, known={is_centre_member: member})
    return {
        "actions": actions,
        "can_edit_documents": batch.status in DOCUMENTS_EDITABLE,
        "can_add_samples": batch.status in SAMPLES_ADDABLE,
        "can_remove_samples": batch.status in SAMPLES_REMOVABLE,
        "can_plan_sample": batch.status in SAMPLE_PLANNABLE,
        "can_delete": batch.status in CENTRE_DELETABLE,
        "can_request_deletion": batch.status in DELETION_REQUESTABLE
        and batch.deletion_requested_at is None,
        "can_resubmit": "resubmit" in actions,
        "max_sample_mb": settings.HUB_MAX_SAMPLE_MB,
    }


# --- the centre's side ----------------------------------------------------------------------
@require_GET
@section_required(Section.MODERATION)
def index(request):
    """The centre's batches: open ones, "Completed Batches" (R-BAT-10) and the ones the
    awarding body deleted (R-BAT-9)."""
    tab = request.GET.get("tab") if request.GET.get("tab") in ("completed", "deleted") else "open"
    count = None
    if tab == "deleted":
        batches = selectors.centre_deleted_batches(centre=request.centre)
    else:
        batches = selectors.centre_batches(
            centre_id=request.centre.pk if request.centre is not None else None,
            completed=tab == "completed",
        )
        if request.centre is not None:  # batches_for gives none without a centre
            count = selectors.centre_batch_count(
                centre_id=request.centre.pk, completed=tab == "completed"
            )
    page = paginate(request, batches, count=count)
    detail = url_maker("moderation:batch-detail")
    if tab == "deleted":
        for batch in page:
            batch.url = detail(batch.pk)  # a tombstone: no files, no clock
    else:
        page.object_list = selectors.centre_batch_rows(
            page, url=detail, comments_url=url_format("moderation:document-download", 2)
        )
    context = {"page": page, "tab": tab}
    if tab != "deleted":
        context["rows_html"] = list_rows.batch_rows_html(
            page.object_list, completed=tab == "completed"
        )
    return render(request, "moderation/index.html", context)


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


DOCUMENT_FIELDS = ("iv_feedback", "brief")


def _saved_files(form, saved: dict) -> str:
    """Name each file just saved (" The IV Feedback is iv.pdf."), in the page's order."""
    return "".join(
        f" The {form.fields[name].label} is {files.safe_filename(saved[name].name)}."
        for name in DOCUMENT_FIELDS
        if name in saved
    )


@limit_upload_size(DocumentKind.BRIEF)
@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_documents(request, pk: int):
    """The IV feedback and assessment brief, and the Quality Manager's override (R-BAT-1, 3)."""
    batch = get_batch_for_request(request, pk)
    can_override = request.membership.is_quality_manager and batch.status in OVERRIDE_CHANGEABLE
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
        form.is_valid()
        # Each file stands on its own (issue 14): a good one is stored even when the one
        # beside it is refused, and the page says which was saved and which was not.
        chosen = {
            name: form.cleaned_data[name]
            for name in DOCUMENT_FIELDS
            if name not in form.errors and form.cleaned_data.get(name)
        }
        override = form.cleaned_data.get("override") if can_override else None
        if not form.errors or chosen:
            try:
                refused = services.batch_set_documents(
                    actor=request.user, batch=batch, override=override, **chosen
                )
            except ValidationError as exc:
                _add_errors(form, exc.message_dict)
            except services.BatchError as exc:
                form.add_error(None, str(exc))
            else:
                _add_errors(form, refused)
                saved = {name: upload for name, upload in chosen.items() if name not in refused}
                if not form.errors:
                    messages.success(request, f"Documents saved.{_saved_files(form, saved)}")
                    if batch.is_draft:
                        return redirect("moderation:batch-documents", pk=batch.pk)
                    return redirect("moderation:batch-detail", pk=batch.pk)
                if saved:
                    not_saved = " and the ".join(
                        form.fields[name].label for name in DOCUMENT_FIELDS if name in form.errors
                    )
                    messages.success(
                        request,
                        f"Saved:{_saved_files(form, saved)} Not saved: the {not_saved}; "
                        "see the error below and choose that file again.",
                    )
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


UNITS_FREE_ONLY = "free"  # ?show=free: only learners with units free to claim
UNITS_ACTIONS = ("save", "submit", "add_matching", "remove_matching")


def _posted_ids(values: list[str]) -> set[int]:
    return {int(v) for value in values for v in value.split(",") if v.strip().isdigit()}


def _units_filters(request) -> tuple[str, bool]:
    """The search and the filter, from the URL on GET and POST alike (the form posts to it).

    The search is used as typed, never cut: "Add all matching" must act on what was asked.
    """
    return request.GET.get("q", "").strip(), request.GET.get("show") == UNITS_FREE_ONLY


def _units_post(request, batch: Batch, query: str, free_only: bool) -> str:
    """Apply the page's ticks, then the button's bulk step; the message for the user.

    The page's unticks are the boxes it showed ("shown") that came back unticked.
    """
    ticked = _posted_ids(request.POST.getlist("selection"))
    unticked = _posted_ids(request.POST.getlist("shown")) - ticked
    action = request.POST.get("action", "submit")
    if action == "submit":
        services.batch_submit_units(
            actor=request.user, batch=batch, selection_ids=ticked, remove_ids=unticked
        )
        return f"Batch {batch.pk} is now Centre Completing: upload the learners' work below."
    with transaction.atomic():
        added, removed = services.batch_select_units(
            actor=request.user, batch=batch, add=ticked, remove=unticked
        )
        if action == "add_matching":
            added += services.batch_add_all_matching(
                actor=request.user, batch=batch, query=query, free_only=free_only
            )
        elif action == "remove_matching":
            removed += services.batch_remove_all_matching(
                actor=request.user, batch=batch, query=query, free_only=free_only
            )
    if not added and not removed:
        return "Nothing changed: the ticks were already saved."
    return f"Selection saved: {added} unit{pluralize(added)} ticked, {removed} unticked."


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_units(request, pk: int):
    """ "Select Units to Pass on Batch", a page of learners at a time, then "Submit".

    Each page's ticks are saved on the draft batch when any button is pressed, so they hold
    across pages; "Tick all" for the learners found works over every page in one request
    (R-BAT-4, R-BAT-5).
    """
    # A GET reads the selection's counts with the batch, in one statement; a POST reads
    # them after its changes.
    get = request.method == "GET"
    also = selectors.selection_counts_with_batch(pk) if get else None
    batch, counted = get_batch_with_for_request(request, pk, also=also)
    if not batch.is_draft:
        messages.info(request, "The units on this batch were chosen when it was submitted.")
        return redirect("moderation:batch-detail", pk=batch.pk)
    query, free_only = _units_filters(request)
    posted = None
    status = 200
    if request.method == "POST":
        if request.POST.get("action", "submit") not in UNITS_ACTIONS:
            return HttpResponse("Unknown action.", status=400)
        try:
            message = _units_post(request, batch, query, free_only)
        except services.BatchStateError as exc:
            # Submitted already (a second click, another tab): the batch page says where it is.
            messages.info(request, str(exc))
            return redirect("moderation:batch-detail", pk=batch.pk)
        except services.BatchError as exc:
            messages.error(request, str(exc))
            posted = (
                _posted_ids(request.POST.getlist("shown")),
                _posted_ids(request.POST.getlist("selection")),
            )
            status = 400
        else:
            messages.success(request, message)
            if request.POST.get("action", "submit") == "submit":
                return redirect("moderation:batch-detail", pk=batch.pk)
            return redirect(request.get_full_path())
    if get:
        counts = selectors.selection_counts(counted)
    else:
        counts = selectors.batch_selection_counts(batch=batch)
    if counts.missing_documents and not batch.override_documents:
        messages.warning(request, "Upload the IV Feedback and Assessment Brief first.")
        return redirect("moderation:batch-documents", pk=batch.pk)
    page = paginate(
        request,
        selectors.batch_unit_learners(batch=batch, query=query, free_only=free_only, counts=counts),
    )
    rows = selectors.batch_unit_choices(batch=batch, page=page, posted=posted)
    # The page's content as HTML (moderation.units_page, its rows moderation.unit_rows),
    # with the page's one CSRF token (the header prints it too).
    csrf_token, csrf_html = view_parts.page_csrf(request)
    view = units_page.UnitsPage(
        batch=batch,
        page=page,
        counts=counts,
        query=query,
        free_only=free_only,
        free_value=UNITS_FREE_ONLY,
        shown=",".join([u["value"] for row in rows for u in row["units"] if not u["reason"]]),
        selectable=bool(counts.units) or any(row["open_count"] for row in rows),
        rows_html=unit_rows.learners_html(rows, par_url=fixed_url("par:index")),
        action=request.get_full_path(),
        csrf_input=csrf_html,
        index_url=fixed_url("moderation:index"),
        batch_url=keyed_url("moderation:batch-detail", batch.pk),
        units_url=keyed_url("moderation:batch-units", batch.pk),
        documents_url=keyed_url("moderation:batch-documents", batch.pk),
    )
    context = {
        "batch": batch,
        "page": page,
        "content_html": units_page.content_html(view),
        "csrf_token": csrf_token,
    }
    return render(request, "moderation/batch_units.html", context, status=status)


def _render_detail(request, batch: Batch, *, slot_errors=None, status: int = 200):
    context = batch_page_context(
        request, batch, download_url="moderation:document-download"
    ) | _centre_context(request, batch)
    # The outcome's banner says the comments are below: they are, typed text and document.
    context["moderator_comments"] = selectors.moderator_comments(
        batch=batch, download=url_maker("moderation:document-download", batch.pk)
    )
    slot_errors = slot_errors or {}
    for group in context["learner_slots"]:
        for slot in group["slots"]:
            slot["errors"] = slot_errors.get(slot["pk"], [])
    context["slots_section_html"] = _slots_section(
        context,
        slot_rows.learner_slots_html(
            context["learner_slots"],
            can_add=context["can_add_samples"],
            can_remove=context["can_remove_samples"],
            csrf_input=context["csrf_input"],
        ),
    )
    pk = batch.pk
    context["breadcrumb_html"] = batch_panels.breadcrumb_html(
        batch, index_url=fixed_url("moderation:index")
    )
    context["urls"] = {
        "submit": keyed_url("moderation:batch-submit", pk),
        "resubmit": keyed_url("moderation:batch-resubmit", pk),
        "documents": keyed_url("moderation:batch-documents", pk),
        "delete": keyed_url("moderation:batch-delete", pk),
        "request_deletion": keyed_url("moderation:batch-request-deletion", pk),
        "certificates": keyed_url("certificates:batch", pk),
        "sample": keyed_url("moderation:batch-sample", pk),
    }
    # The content around the review panel (a tag of the reviews app) as HTML, built in
    # Python (moderation.batch_panels): the template's ifs and lookups were a sixth of the
    # page's CPU.
    context["head_html"] = batch_panels.detail_head_html(context)
    context["tail_html"] = batch_panels.detail_tail_html(context)
    return render(request, "moderation/batch_detail.html", context, status=status)


@require_GET
@section_required(Section.MODERATION)
def batch_detail(request, pk: int):
    """The batch: its documents, one upload slot per learner-unit, the sample, its history."""
    batch = get_batch_or_tombstone_for_request(request, pk)
    if batch.deleted_at is not None:
        # The awarding body deleted it: the centre sees when, by whom and why, not files.
        return render(request, "moderation/batch_deleted.html", {"batch": batch})
    if batch.is_draft:
        return redirect("moderation:batch-documents", pk=batch.pk)
    return _render_detail(request, batch)


def _slot_response(request, batch: Batch, unit_pk: int, errors: list[str], status: int):
    """Just the one slot, for htmx to swap in (R-NEW-1).

    Its links keep the page and filter the form was posted from (its query string); the
    batch-wide counts travel in headers, since the page holds only some of the slots.
    """
    slot = selectors.batch_slot(batch=batch, batch_unit_id=unit_pk)
    slot.errors = errors
    query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
    _SlotLinks.for_batch(batch.pk, download_url="moderation:document-download", query=query).apply(
        slot
    )
    context = _centre_context(request, batch)
    html = slot_rows.slots_html(
        [slot],
        can_add=context["can_add_samples"],
        can_remove=context["can_remove_samples"],
        csrf_input=csrf_input(request),
    )
    response = HttpResponse(html, status=status)
    counts = selectors.batch_slot_counts(batch=batch)
    response["X-Sample-Claimed"] = str(counts.claimed)
    response["X-Sample-Uploaded"] = str(counts.uploaded)
    return response


def _back_to_slot(request, batch: Batch, unit_pk: int):
    """The batch page, on the page and filter the slot's form was posted from."""
    page = request.GET.get("page", "")
    query = _slots_query(
        slot_filter=_slot_filter(request),
        page_number=int(page) if page.isdigit() else 1,
    )
    return redirect(reverse("moderation:batch-detail", args=[batch.pk]) + f"{query}#slot-{unit_pk}")


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
    if _is_htmx(request):
        return _slot_response(request, batch, unit.pk, errors, 400 if errors else 200)
    if errors:
        return _render_detail(request, batch, slot_errors={unit.pk: errors}, status=400)
    messages.success(request, "Learner work uploaded.")
    return _back_to_slot(request, batch, unit.pk)


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
    if _is_htmx(request):
        return _slot_response(request, batch, unit.pk, errors, 400 if errors else 200)
    if errors:
        return _render_detail(request, batch, slot_errors={unit.pk: errors}, status=400)
    messages.success(request, "File removed from the slot.")
    return _back_to_slot(request, batch, unit.pk)


def _check_context(request, batch: Batch) -> dict:
    """ "Check your answers" before "Submit Batch" (R-NEW-6): the documents, the sample, every
    learner-unit a page at a time with a Change link to its slot, and what does not reconcile
    with the registrations (R-NEW-2). A fixed number of queries whatever the batch's size.
    """
    counts = selectors.batch_slot_counts(batch=batch)
    reconciliation = selectors.batch_reconciliation(batch=batch)
    page = paginate(request, selectors.batch_check_ids(batch=batch))
    lines = selectors.batch_check_lines(ids=list(page.object_list))
    # The check page and the batch page list slots in the same order and page size.
    detail = reverse("moderation:batch-detail", args=[batch.pk])
    slots = f"{detail}{_slots_query(slot_filter='', page_number=page.number)}"
    remove = url_maker("moderation:batch-unit-remove", batch.pk)
    for line in lines:
        line.change_url = f"{slots}#slot-{line.pk}"
        line.remove_url = remove(line.pk)
    for line in reconciliation.examples:
        line.remove_url = remove(line.pk)
    documents = dict(
        batch.documents.current()
        .filter(kind__in=[DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF])
        .values_list("kind", "original_name")
    )
    missing = [
        kind.label
        for kind in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF)
        if kind not in documents and not batch.override_documents
    ]
    rule = selectors.batch_sample_rule(batch=batch, counts=counts)
    return {
        "batch": batch,
        "rule": rule,
        "missing": missing,
        "iv_feedback": documents.get(DocumentKind.IV_FEEDBACK, ""),
        "brief": documents.get(DocumentKind.BRIEF, ""),
        "reconciliation": reconciliation,
        "page": page,
        "lines": lines,
        "documents_url": reverse("moderation:batch-documents", args=[batch.pk]),
        "missing_slots_url": f"{detail}?slots={selectors.SLOTS_MISSING}",
        "can_submit": rule.met and not missing and reconciliation.clean,
    }


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_submit(request, pk: int):
    """ "Submit Batch": check your answers, then With Moderator (R-BAT-6, R-NEW-6).

    The page lists what is about to be sent and what does not reconcile; the service checks
    the same again, so a POST without the page cannot skip it.
    """
    batch = get_batch_for_request(request, pk)
    if "submit" not in allowed_actions(batch, request.user):
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
    return render(
        request, "moderation/batch_submit.html", _check_context(request, batch), status=status
    )


@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def batch_unit_remove(request, pk: int, unit_pk: int):
    """Take one learner-unit off the batch before "Submit Batch" (R-NEW-2): a question
    page, then back to Check your answers."""
    batch = get_batch_for_request(request, pk)
    try:
        line = selectors.batch_check_line(batch=batch, batch_unit_id=unit_pk)
    except BatchUnit.DoesNotExist:
        raise Http404("No such learner-unit on this batch.") from None
    check_url = reverse("moderation:batch-submit", args=[batch.pk])
    if request.method == "POST":
        try:
            services.batch_remove_unit(actor=request.user, batch=batch, batch_unit=line.pk)
        except services.BatchStateError as exc:
            messages.info(request, str(exc))
            return redirect("moderation:batch-detail", pk=batch.pk)
        except services.BatchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{line.full_name} ({line.p_number}) {line.unit_code} removed from "
                f"batch {batch.pk}.",
            )
            return redirect(check_url)
    elif batch.status not in UNITS_REMOVABLE:
        messages.info(
            request, f"Batch {batch.pk} is {batch.get_status_display()}: its units are fixed."
        )
        return redirect("moderation:batch-detail", pk=batch.pk)
    line.work = (
        BatchDocument.objects.current()
        .filter(batch_unit_id=line.pk, kind=DocumentKind.SAMPLE)
        .values_list("original_name", flat=True)
        .first()
        or ""
    )
    return render(
        request,
        "moderation/batch_unit_remove.html",
        {"batch": batch, "line": line, "check_url": check_url},
        status=400 if request.method == "POST" else 200,
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
    assigned_count, unassigned_count = selectors.moderator_queue_counts(
        moderator_id=request.user.pk
    )
    assigned = paginate(
        request,
        selectors.moderator_queue_assigned(moderator_id=request.user.pk),
        param="assigned_page",
        count=assigned_count,
    )
    unassigned = paginate(request, selectors.moderator_queue_unassigned(), count=unassigned_count)
    review_url = url_maker("moderation:review")
    take_url = url_maker("moderation:take")
    # The pages list the finished rows (a page of plain values comes in).
    assigned.object_list = assigned.rows = selectors.queue_rows(assigned, url=review_url)
    unassigned.object_list = unassigned.rows = selectors.queue_rows(
        unassigned, url=review_url, take_url=take_url
    )
    decided = selectors.queue_rows(
        selectors.moderator_queue_decided(moderator_id=request.user.pk), url=review_url
    )
    # The page's content as HTML (moderation.queue_page), the tables' rows from
    # moderation.list_rows, with one CSRF input for the page's Take buttons, not a
    # {% csrf_token %} per row, and its token the one the header prints.
    csrf_token, csrf_html = view_parts.page_csrf(request)
    content = queue_page.content_html(
        downloads_url=fixed_url("downloads:index"),
        assigned=queue_page.QueueTable(
            rows=assigned.rows,
            rows_html=list_rows.queue_rows_html(assigned.rows),
            page=assigned,
            caption="Batches assigned to you, by SLA due date",
            take=False,
        ),
        unassigned=queue_page.QueueTable(
            rows=unassigned.rows,
            rows_html=list_rows.queue_rows_html(unassigned.rows, take=True, csrf_input=csrf_html),
            page=unassigned,
            caption="Batches nobody has taken yet, by SLA due date",
            take=True,
        ),
        decided=queue_page.QueueTable(
            rows=decided,
            rows_html=list_rows.queue_rows_html(decided),
            page=None,
            caption="Your batches with an outcome",
            take=False,
        ),
    )
    return render(
        request,
        "moderation/queue.html",
        {
            "assigned": assigned,
            "unassigned": unassigned,
            "content_html": content,
            "csrf_token": csrf_token,
        },
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


KEPT_FIELD = "kept_comments_file"  # the token of a comments document kept (moderation.held)


@lru_cache(maxsize=8)
def _blank_outcome_form_html(language: str) -> SafeString:
    """The outcome form as ``|crispy`` prints it before anything is posted: the same markup
    on every review (fixed fields, no values, no request in it), so it is made once per
    process and language rather than on each view (~2 ms of CPU a review)."""
    return as_crispy_form(OutcomeForm())


def _outcome_form_html(form: OutcomeForm) -> SafeString:
    if form.is_bound or form.initial:
        return as_crispy_form(form)  # the moderator's values and errors
    return _blank_outcome_form_html(get_language())


def _render_review(request, batch: Batch, form: OutcomeForm, status: int = 200, kept=None):
    context = batch_page_context(request, batch, download_url="moderation:review-download")
    # The outcome form shows while the moderator may take any of the outcome arrows.
    can_decide = not allowed_actions(batch, request.user).isdisjoint(OUTCOME_TRANSITIONS.values())
    context.update({"form": form, "can_decide": can_decide, "kept": kept, "kept_field": KEPT_FIELD})
    if can_decide:
        context["form_html"] = _outcome_form_html(form)
    # The moderator reads the slots: no upload form, no "X".
    context["slots_section_html"] = _slots_section(
        context,
        slot_rows.learner_slots_html(
            context["learner_slots"], can_add=False, can_remove=False, csrf_input=""
        ),
    )
    context["urls"] = {
        "queue": fixed_url("moderation:queue"),
        "zip": keyed_url("moderation:review-zip", batch.pk),
        "outcome": keyed_url("moderation:outcome", batch.pk),
    }
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
    kept = held.find(request.POST.get(KEPT_FIELD, ""), user=request.user, batch=batch)
    if kept and request.POST.get("remove_kept"):
        kept.discard()
        kept = None
    form = OutcomeForm(request.POST, request.FILES, kept=kept)
    _add_errors(form, _oversize_errors(request, DocumentKind.COMMENTS))
    if form.is_valid():
        chosen = form.cleaned_data["comments_file"]
        try:
            services.batch_set_outcome(
                actor=request.user,
                batch=batch,
                outcome=form.cleaned_data["outcome"],
                comments=form.cleaned_data["comments"],
                comments_file=chosen or (kept.open() if kept else None),
                top_up=form.cleaned_data["top_up"],
            )
        except ValidationError as exc:
            _add_errors(form, exc.message_dict)
        except services.BatchError as exc:
            form.add_error(None, str(exc))
        else:
            if kept:  # the service stored its own copy (or a new file replaced it)
                kept.discard()
            batch.refresh_from_db()
            messages.success(request, f"Batch {batch.pk} is now {batch.get_status_display()}.")
            return redirect("moderation:review", pk=batch.pk)
    # Issue 14: a good comments document is kept across the error, and the page says so.
    chosen = form.cleaned_data.get("comments_file") if hasattr(form, "cleaned_data") else None
    if chosen and "comments_file" not in form.errors:
        if kept:
            kept.discard()
        kept = held.hold(chosen, user=request.user, batch=batch)
    batch.refresh_from_db()
    return _render_review(request, batch, form, status=400, kept=kept)


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
