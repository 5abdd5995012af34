"""Reviews of moderation (appeals), R-REV-1..3: the centre's pages and the reviewer's.

The centre asks from its batch page (Moderation) or claim page (Claims) and follows the
review on its own page; the reviewer the awarding body assigned finds it under "Reviews",
starts it and decides. Both sides read the same history (R-NEW-3). Every object comes
through ``reviews.access`` (another centre's review, or one assigned to someone else, is a
404) and every change through ``reviews.services``, which checks the actor again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres.access import body_role_required, section_required
from centres.models import BodyRole, Section
from claims.access import get_claim_for_request
from claims.models import ClaimStatus
from hub.paging import paginate, url_maker
from moderation.access import get_batch_for_request
from moderation.files import oversize_message
from moderation.models import BatchStatus
from moderation.views import limit_upload_size

from . import kept as kept_files
from . import rows, selectors, services
from .access import (
    get_review_for_request,
    get_review_for_reviewer,
    review_evidence_response,
    reviews_for_request,
)
from .files import EVIDENCE_KIND
from .forms import ReviewDecisionForm, ReviewRequestForm, result_field_name
from .models import ReviewStatus

KEPT_FIELD = "kept_evidence"


def reviews_section_required(view: Callable) -> Callable:
    """A centre member granted Moderation or Claims: the sections whose outcomes are reviewed.

    Which reviews they then see follows the grants (``reviews.access``): a batch's review
    needs Moderation, a claim's needs Claims.
    """

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        membership = request.membership
        if membership is None or not (
            membership.grants(Section.MODERATION) or membership.grants(Section.CLAIMS)
        ):
            raise PermissionDenied("You have not been given access to Moderation or Claims.")
        return view(request, *args, **kwargs)

    return wrapped


def _evidence_errors(request: HttpRequest) -> list[str]:
    """The evidence refused while it streamed in: too large, or a name too long."""
    errors = [oversize_message(name, EVIDENCE_KIND) for _f, name in request.oversize_uploads]
    errors += [message for _f, message in request.refused_uploads]
    return errors


# --- the centre's side ----------------------------------------------------------------------
def _request_page(request: HttpRequest, *, batch=None, claim=None) -> HttpResponse:
    """ "Request a review" of a batch's moderation outcome or a claim's agreed grades.

    Nothing is half-saved: the review, its evidence and its history row are one service
    call. A good evidence file beside an error (no reasons) is kept for the next submit and
    the page says so; the reasons typed stay in the box.
    """
    subject = batch if batch is not None else claim
    back = (
        reverse("moderation:batch-detail", args=[batch.pk])
        if batch is not None
        else reverse("claims:claim-detail", args=[claim.pk])
    )
    window = selectors.review_window(batch=batch, claim=claim)
    if not window.can_request:
        if window.open_review is not None:
            messages.info(request, "A review of this outcome is already open.")
            return redirect("reviews:detail", pk=window.open_review.pk)
        if window.applies and not window.is_open:
            messages.info(request, f"Reviews closed on {window.closes_on:%-d %B %Y}.")
        else:
            messages.info(request, "There is no outcome to review yet.")
        return redirect(back)
    kept = None
    status = 200
    if request.method == "POST":
        kept = kept_files.find(
            request.POST.get(KEPT_FIELD, ""), user=request.user, batch=batch, claim=claim
        )
        if kept and request.POST.get("remove_kept"):
            kept.discard()
            kept = None
        form = ReviewRequestForm(request.POST, request.FILES)
        for message in _evidence_errors(request):
            form.add_error("evidence", message)
        if form.is_valid():
            chosen = form.cleaned_data["evidence"]
            try:
                review = services.review_request(
                    actor=request.user,
                    batch=batch,
                    claim=claim,
                    reasons=form.cleaned_data["reasons"],
                    evidence=chosen or (kept.open() if kept else None),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("evidence", message)
            except services.ReviewAlreadyOpen as exc:
                messages.info(request, str(exc))
                return redirect("reviews:detail", pk=exc.review.pk)
            except services.ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                if kept:  # the service stored its own copy
                    kept.discard()
                messages.success(
                    request,
                    f"Review requested for {review.subject_label}: it is now Requested. "
                    "The awarding body will assign a reviewer.",
                )
                return redirect("reviews:detail", pk=review.pk)
        chosen = getattr(form, "cleaned_data", {}).get("evidence")
        if chosen and "evidence" not in form.errors:
            if kept:
                kept.discard()
            kept = kept_files.hold(chosen, user=request.user, batch=batch, claim=claim)
        status = 400
    else:
        form = ReviewRequestForm()
    return render(
        request,
        "reviews/request.html",
        {
            "form": form,
            "batch": batch,
            "claim": claim,
            "subject": subject,
            "claim_label": f"Claim {claim.number or claim.pk}" if claim is not None else "",
            "window": window,
            # Who gave the outcome (the batch may have been reassigned since, R-REV-2).
            "original": selectors.original_decider(batch=batch) if batch is not None else None,
            "back_url": back,
            "kept": kept,
            "kept_field": KEPT_FIELD,
        },
        status=status,
    )


@limit_upload_size(EVIDENCE_KIND)
@require_http_methods(["GET", "POST"])
@section_required(Section.MODERATION)
def request_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Request a review" of a batch's moderation outcome (R-REV-1)."""
    return _request_page(request, batch=get_batch_for_request(request, pk))


@limit_upload_size(EVIDENCE_KIND)
@require_http_methods(["GET", "POST"])
@section_required(Section.CLAIMS)
def request_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Request a review" of a Finalised or Processed claim (R-REV-1)."""
    return _request_page(request, claim=get_claim_for_request(request, pk))


@require_GET
@reviews_section_required
def centre_list(request: HttpRequest) -> HttpResponse:
    """The centre's reviews, newest first, a page at a time (the sections it is granted)."""
    page = paginate(request, reviews_for_request(request))
    detail = url_maker("reviews:detail")
    for review in page.object_list:
        review.url = detail(review.pk)
    return render(request, "reviews/list.html", {"page": page})


def _history_page(request: HttpRequest, review) -> object:
    return paginate(request, selectors.review_history(review), param="history_page")


def _outcome_label(review) -> str:
    """The batch's or claim's status as it stood when the review was asked for."""
    statuses = BatchStatus if review.is_batch else ClaimStatus
    try:
        return statuses(review.outcome_status).label
    except ValueError:
        return review.outcome_status


def _review_context(request: HttpRequest, review, *, centre: bool) -> dict:
    """What both sides' pages of a review show: the summary, the decision, the history."""
    if centre:
        subject_url = (
            reverse("moderation:batch-detail", args=[review.batch_id])
            if review.is_batch
            else reverse("claims:claim-detail", args=[review.claim_id])
        )
    else:
        subject_url = ""
    return {
        "review": review,
        "outcome_label": _outcome_label(review),
        "subject_url": subject_url,
        # The results a decision changed: every learner-unit of a batch, at most, so paged.
        "lines": paginate(request, review.lines.all(), param="lines_page")
        if review.is_decided
        else None,
        "history": _history_page(request, review),
        "evidence_url": reverse(
            "reviews:evidence" if centre else "reviews:reviewer-evidence", args=[review.pk]
        ),
    }


@require_GET
@reviews_section_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's page of one review: what was asked, where it stands, the decision and
    the results it changed, and its history (R-NEW-3)."""
    review = get_review_for_request(request, pk)
    return render(request, "reviews/detail.html", _review_context(request, review, centre=True))


@require_GET
@reviews_section_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's evidence, for the centre that sent it (R-ACC-3)."""
    return review_evidence_response(request, get_review_for_request(request, pk))


# --- the reviewer's side --------------------------------------------------------------------
# Staff see every review in Django admin; these pages are the reviewer's own.
reviewer_required = body_role_required(BodyRole.MODERATOR, BodyRole.ASSESSOR, allow_staff=False)


@require_GET
@reviewer_required
def reviewer_list(request: HttpRequest) -> HttpResponse:
    """ "Reviews": those assigned to the reviewer, newest first, a page at a time."""
    page = paginate(request, selectors.reviews_for_reviewer(user=request.user))
    detail_url = url_maker("reviews:reviewer-detail")
    for review in page.object_list:
        review.url = detail_url(review.pk)
    return render(request, "reviews/reviewer_list.html", {"page": page})


def _parse_changes(value: str) -> dict[str, str] | None:
    """The results chosen on other pages, carried as "key=value,key=value"; None if garbled."""
    changes: dict[str, str] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        key, sep, result = part.partition("=")
        if not sep or not key.strip():
            return None
        changes[key.strip()] = result.strip()
    return changes


def _reviewer_page(
    request: HttpRequest, review, *, form=None, changes=None, page_number=None, status=200
):
    """The reviewer's page: the review, its learner-units with their results (a page at a
    time, with the decision's selects while Under review), the decision once made, history."""
    changes = changes or {}
    # One COUNT and one page of rows, whatever the batch's size.
    page = Paginator(selectors.review_unit_rows(review), settings.HUB_PAGE_SIZE).get_page(
        page_number if page_number is not None else request.GET.get("page")
    )
    can_decide = review.status == ReviewStatus.UNDER_REVIEW
    if can_decide and form is None:
        form = ReviewDecisionForm(units=page.object_list)
        for unit in page.object_list:
            if unit.key in changes:
                form.fields[result_field_name(unit.key)].initial = changes[unit.key]
    rows_html = mark_safe(  # noqa: S308 -- every text is escaped in reviews.rows
        rows.decision_rows(form.unit_fields()) if can_decide else rows.result_rows(page)
    )
    on_page = {unit.key for unit in page.object_list}
    carried = {k: v for k, v in changes.items() if k not in on_page}
    return render(
        request,
        "reviews/reviewer_detail.html",
        _review_context(request, review, centre=False)
        | {
            "form": form,
            "can_start": review.status == ReviewStatus.REQUESTED,
            "can_decide": can_decide,
            "page": page,
            "page_numbers": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "ellipsis": Paginator.ELLIPSIS,
            "shown": ",".join(unit.key for unit in page.object_list),
            "carried": ",".join(f"{k}={v}" for k, v in sorted(carried.items())),
            "changed_count": len(changes),
            "rows_html": rows_html,
        },
        status=status,
    )


@require_GET
@reviewer_required
def reviewer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's page of one review assigned to them."""
    return _reviewer_page(request, get_review_for_reviewer(request, pk))


@require_POST
@reviewer_required
def reviewer_start(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Start review": Requested -> Under review (R-REV-2)."""
    review = get_review_for_reviewer(request, pk)
    try:
        services.review_start(actor=request.user, review=review)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Review of {review.subject_label} is now Under review.")
    return redirect("reviews:reviewer-detail", pk=review.pk)


def _posted_keys(request: HttpRequest) -> set[str]:
    """Every learner-unit key the decision form names, carried or shown (unchecked)."""
    carried = _parse_changes(request.POST.get("changes", "")) or {}
    shown = {key for key in request.POST.get("shown", "").split(",") if key}
    return set(carried) | shown


def _posted_changes(request: HttpRequest, units_by_key: dict) -> dict[str, str] | None:
    """Every result changed so far: those carried from other pages, then the page just sent
    (a select left at the current result is no change). None when a key is not the review's
    or a value is not one of its choices."""
    carried = _parse_changes(request.POST.get("changes", ""))
    shown = [key for key in request.POST.get("shown", "").split(",") if key]
    if carried is None or not set(carried) | set(shown) <= set(units_by_key):
        return None
    changes = {k: v for k, v in carried.items() if k not in shown}
    for key in shown:
        unit = units_by_key[key]
        value = request.POST.get(result_field_name(key), unit.result)
        if value not in {choice for choice, _label in unit.choices}:
            return None
        if value != unit.result:
            changes[key] = value
    for key, value in changes.items():
        if value not in {choice for choice, _label in units_by_key[key].choices}:
            return None
    return changes


STALE = "The learner-units on this review have changed: look at the page again."


@require_POST
@reviewer_required
def reviewer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Upheld with comments, or Outcome changed with the new results (R-REV-2, R-REV-3).

    The page buttons move between pages of learner-units keeping every result chosen;
    the decision button sends them all to the service, which changes the PAR and has the
    certificates reissued.
    """
    review = get_review_for_reviewer(request, pk)
    if review.status != ReviewStatus.UNDER_REVIEW:
        messages.info(request, f"This review is {review.get_status_display()}.")
        return redirect("reviews:reviewer-detail", pk=review.pk)
    # Only the rows the form names: those carried from other pages and those shown.
    named = _posted_keys(request)
    by_key = {unit.key: unit for unit in selectors.review_units(review, keys=named)}
    changes = _posted_changes(request, by_key)
    goto = request.POST.get("goto")
    if changes is None:
        form = ReviewDecisionForm(request.POST, units=[])
        form.full_clean()
        form.errors.clear()  # only this error: the rest of the form is not looked at
        form.add_error(None, STALE)
        return _reviewer_page(request, review, form=form, status=400)
    if goto:
        # Another page of learner-units: the form as sent, that page's selects at their
        # current result or the one chosen before.
        page = Paginator(selectors.review_unit_rows(review), settings.HUB_PAGE_SIZE).get_page(goto)
        data = request.POST.copy()
        for unit in page.object_list:
            data[result_field_name(unit.key)] = changes.get(unit.key, unit.result)
        form = ReviewDecisionForm(data, units=page.object_list)
        form.errors.clear()  # moving between pages is not a submit: nothing to report yet
        return _reviewer_page(request, review, form=form, changes=changes, page_number=goto)
    shown = [by_key[key] for key in request.POST.get("shown", "").split(",") if key]
    form = ReviewDecisionForm(request.POST, units=shown)
    if form.is_valid() and form.cleaned_data["decision"] == ReviewStatus.UPHELD and changes:
        # Upheld changes nothing: new results chosen say the reviewer meant otherwise.
        form.add_error(
            "decision",
            f"You chose a new result for {len(changes)} learner-unit"
            f"{'s' if len(changes) != 1 else ''}: choose Outcome changed, or set "
            "them back to their current result to uphold the outcome",
        )
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        comments = form.cleaned_data["comments"].strip()
        try:
            if decision == ReviewStatus.UPHELD:
                services.review_uphold(actor=request.user, review=review, comments=comments)
            else:
                services.review_change_outcome(
                    actor=request.user, review=review, results=changes, comments=comments
                )
        except services.ReviewResultsInvalid as exc:
            for field, message in exc.errors.items():
                if field == "__all__" and decision == ReviewStatus.OUTCOME_CHANGED:
                    # "Change at least one result": told by the decision, as GOV.UK asks.
                    field = "decision"
                form.add_error(field if field in form.fields else None, message)
        except services.ReviewStateError as exc:
            messages.info(request, str(exc))
            return redirect("reviews:reviewer-detail", pk=review.pk)
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            review.refresh_from_db()
            messages.success(
                request, f"Review of {review.subject_label} is now {review.get_status_display()}."
            )
            return redirect("reviews:reviewer-detail", pk=review.pk)
    # Stay on the page sent, every result chosen kept.
    number = request.POST.get("page") or None
    return _reviewer_page(
        request, review, form=form, changes=changes, page_number=number, status=400
    )


@require_GET
@reviewer_required
def reviewer_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's evidence, for the assigned reviewer (R-ACC-3)."""
    return review_evidence_response(request, get_review_for_reviewer(request, pk))
