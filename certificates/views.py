"""Certificates for the centre's Moderation section (and a claim's awards' downloads, for
Claims), and the public verify page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from centres.access import section_required
from centres.models import Section
from hub.paging import paginate
from hub.storage import private_download

from .access import (
    certificates_for,
    get_batch_for_request,
    get_certificate_to_download,
    get_learner_for_certificates,
)
from .forms import VerifyForm
from .models import CertificateDispatch
from .selectors import (
    batch_print_runs,
    certificate_rows,
    certificates_of_batch,
    certificates_of_learner,
)
from .verification import certificate_verify, verify_attempt_allowed


@require_GET
@section_required(Section.MODERATION)
def batch_certificates(request, batch_pk: int):
    batch = get_batch_for_request(request, batch_pk)
    page = paginate(request, certificates_of_batch(certificates_for(request), batch=batch))
    return render(
        request,
        "certificates/batch.html",
        {
            "batch": batch,
            "page": page,
            "rows": certificate_rows(page.object_list, show_learner=True),
            "dispatch": CertificateDispatch.objects.filter(batch=batch).first(),
            # R-CRT-1: how the batch's certificates travel: printed, posted, tracking.
            "runs": batch_print_runs(batch=batch),
        },
    )


@require_GET
@section_required(Section.MODERATION)
def learner_certificates(request, learner_pk: int):
    learner = get_learner_for_certificates(request, learner_pk)
    page = paginate(request, certificates_of_learner(certificates_for(request), learner=learner))
    return render(
        request,
        "certificates/learner.html",
        {
            "learner": learner,
            "page": page,
            "rows": certificate_rows(page.object_list, show_learner=False),
        },
    )


@require_GET
@login_required
def download(request, pk: int):
    """The PDF, for Moderation (any of the centre's) or Claims (a claim's full award)."""
    certificate = get_certificate_to_download(request, pk)
    if not certificate.pdf:
        raise Http404("This certificate's PDF is still being prepared.")
    # Only after the access check: on S3 a signed URL that expires, never the bucket itself.
    return private_download(
        certificate.pdf,
        filename=f"certificate-{certificate.number}.pdf",
        content_type="application/pdf",
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone: number and code show the learner, qualification, units and date, or nothing.

    The QR code and short address on a certificate open this page with both filled in
    (``?number=...&code=...``), which checks at once; each check counts against the limit.
    """
    data = request.POST if request.method == "POST" else None
    if request.method == "GET" and ("number" in request.GET or "code" in request.GET):
        data = request.GET
    form = VerifyForm(data)
    context = {"form": form, "checked": False, "certificate": None}
    status = 200
    if data is not None and form.is_valid():
        if not verify_attempt_allowed(request):
            context["limited"] = True
            status = 429
        else:
            context["checked"] = True
            context["certificate"] = certificate_verify(
                number=form.cleaned_data["number"], code=form.cleaned_data["code"]
            )
    return render(request, "certificates/verify.html", context, status=status)


@require_GET
def verify_short(request, token: str):
    """The printed short address: number and code in one segment, opened as the verify page."""
    number, _, code = token.rpartition("-")
    url = reverse("certificates:verify")
    if number and code:
        url += "?" + urlencode({"number": number, "code": code})
    return redirect(url)
