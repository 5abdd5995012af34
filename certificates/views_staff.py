"""The awarding body's staff side of certificates: print runs, deadlines, reissue, revoke.

Every page is for staff only (``body_role_required()`` with no role: administrators); each
change is one service call that checks the actor again and writes the audit row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from centres.access import body_role_required
from centres.models import Centre
from hub.paging import paginate
from hub.storage import private_download
from hub.workdays import add_working_days

from . import services
from .forms import CertificateSearchForm, PrintRunCreateForm, PrintRunPostForm, ReasonForm
from .models import Certificate, CertificateStatus, PrintRun
from .selectors import (
    delivery_text,
    dispatch_deadlines,
    print_queue_by_centre,
    staff_certificate_search,
)


@require_GET
@body_role_required()
def print_queue(request):
    """R-CRT-1: certificates waiting for print, by centre, and the print runs made."""
    waiting = paginate(request, print_queue_by_centre())
    runs = paginate(
        request,
        PrintRun.objects.select_related("centre").order_by("posted_at", "-created_at", "-pk"),
        param="runs",
    )
    return render(
        request,
        "certificates/staff/print_queue.html",
        {"waiting": waiting, "runs": runs, "today": timezone.localdate()},
    )


@require_POST
@body_role_required()
def print_run_create(request):
    form = PrintRunCreateForm(request.POST)
    if not form.is_valid():
        raise Http404("No such centre.")
    centre = get_object_or_404(Centre, pk=form.cleaned_data["centre"])
    try:
        run = services.print_run_create(actor=request.user, centre=centre)
    except services.NothingToPrint:
        messages.warning(request, f"No certificates of {centre} are waiting to be printed.")
    else:
        messages.success(
            request,
            f"Print run {run.pk} created for {centre}: {run.certificate_count} "
            f"certificate{'s' if run.certificate_count != 1 else ''}. "
            "Its merged PDF is being prepared.",
        )
    return redirect("certificates:print-queue")


@require_GET
@body_role_required()
def print_run_download(request, pk: int):
    run = get_object_or_404(PrintRun, pk=pk)
    if not run.pdf:
        raise Http404("This print run's PDF is still being prepared.")
    services.print_run_mark_printed(run=run)
    return private_download(
        run.pdf, filename=f"print-run-{run.pk}.pdf", content_type="application/pdf"
    )


@require_POST
@body_role_required()
def print_run_post(request, pk: int):
    run = get_object_or_404(PrintRun.objects.select_related("centre"), pk=pk)
    form = PrintRunPostForm(request.POST)
    if not form.is_valid():
        # Each field's own message (missing, or over its length) rather than one guess.
        problems = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(request, f"Print run {run.pk} is not marked posted: {'; '.join(problems)}.")
        return redirect("certificates:print-queue")
    try:
        services.print_run_mark_posted(actor=request.user, run=run, **form.cleaned_data)
    except services.AlreadyDone:
        messages.warning(request, f"Print run {run.pk} was already marked posted.")
    else:
        messages.success(request, f"Print run {run.pk} marked posted; {run.centre} is told.")
    return redirect("certificates:print-queue")


@require_GET
@body_role_required()
def dispatch_list(request):
    """R-SLA-2: the batches behind the dashboard's "at risk" and "late" figures."""
    show = request.GET.get("show", "")
    today = timezone.localdate()
    horizon = add_working_days(today, settings.HUB_DISPATCH_AT_RISK_WORKING_DAYS)
    page = paginate(request, dispatch_deadlines(today=today, horizon=horizon, show=show))
    return render(
        request,
        "certificates/staff/dispatch_list.html",
        {"page": page, "show": show, "today": today},
    )


@require_GET
@body_role_required()
def certificate_list(request):
    form = CertificateSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = paginate(request, staff_certificate_search(query))
    rows = [(c, delivery_text(c)) for c in page.object_list]
    return render(
        request,
        "certificates/staff/certificate_list.html",
        {"form": form, "page": page, "rows": rows},
    )


def _certificate(pk: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related(
            "learner", "qualification", "centre", "batch", "print_run", "replaced_by"
        ),
        pk=pk,
    )


@require_GET
@body_role_required()
def certificate_detail(request, pk: int):
    certificate = _certificate(pk)
    return render(
        request,
        "certificates/staff/certificate_detail.html",
        {
            "certificate": certificate,
            "delivery": delivery_text(certificate),
            "replaces": list(certificate.replaces.all()),
            "can_change": certificate.status == CertificateStatus.VALID,
            # One form each, with their own ids: both post a field named "reason".
            "reissue_form": ReasonForm(auto_id="reissue_%s"),
            "revoke_form": ReasonForm(auto_id="revoke_%s"),
        },
    )


def _reason_action(request, pk: int, action, done: str):
    certificate = _certificate(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason: it is kept in the audit history.")
        return redirect("certificates:staff-detail", pk=pk)
    try:
        result = action(actor=request.user, certificate=certificate, **form.cleaned_data)
    except services.AlreadyDone:
        messages.warning(request, f"Certificate {certificate.number} is no longer valid.")
        return redirect("certificates:staff-detail", pk=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("certificates:staff-detail", pk=pk)
    messages.success(request, done.format(old=certificate.number, new=result.number))
    run = certificate.print_run
    if run is not None and run.posted_at is None:
        messages.info(
            request,
            f"It was taken out of print run {run.pk}, whose PDF is being made again without "
            "it: print the run from the new PDF.",
        )
    return redirect(reverse("certificates:staff-detail", kwargs={"pk": result.pk}))


@require_POST
@body_role_required()
def certificate_reissue(request, pk: int):
    """R-CRT-4: a new number for a corrected or lost certificate; the old one is replaced."""
    return _reason_action(
        request, pk, services.certificate_reissue, "Certificate {old} reissued as {new}."
    )


@require_POST
@body_role_required()
def certificate_revoke(request, pk: int):
    """R-CRT-4: the certificate no longer stands; verify says so."""
    return _reason_action(request, pk, services.certificate_revoke, "Certificate {old} revoked.")
