"""The one way in to certificates for centre staff (R-ACC-2): another centre's answer 404.

Who may download a certificate's PDF: a member granted Moderation, any of the centre's
certificates; a member granted Claims, the full awards the centre's claims earned (R-CRT-2),
which the claim's page lists with their links. A claim's award to a centre taking digital
certificates is delivered on the hub (R-CRT-1), so the people running claims must be able to
open it; they still see no batch's certificates.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from centres.access import get_learner_for_request
from centres.models import Learner, Section
from moderation.models import Batch

from .models import Certificate


def certificates_for(request: HttpRequest) -> QuerySet[Certificate]:
    """Certificates of the request's current centre; nothing when there is none."""
    if request.centre is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(centre=request.centre)


def get_certificate_for_request(request: HttpRequest, pk: int) -> Certificate:
    """Certificate ``pk`` of the current centre, or 404."""
    return get_object_or_404(certificates_for(request), pk=pk)


def get_certificate_to_download(request: HttpRequest, pk: int) -> Certificate:
    """Certificate ``pk`` of the current centre that the member may download.

    Neither grant: 403 before any lookup. Another centre's (or no such) certificate: 404.
    Claims without Moderation, for a batch's certificate of the centre: 403.
    """
    membership = request.membership
    moderation = membership is not None and membership.grants(Section.MODERATION)
    claims = membership is not None and membership.grants(Section.CLAIMS)
    if not (moderation or claims):
        raise PermissionDenied("You have not been given access to Moderation or Claims.")
    certificate = get_certificate_for_request(request, pk)
    if not moderation and certificate.claim_id is None:
        raise PermissionDenied("You have not been given access to Moderation.")
    return certificate


def get_batch_for_request(request: HttpRequest, pk: int) -> Batch:
    """Live batch ``pk`` of the current centre, or 404."""
    if request.centre is None:
        return get_object_or_404(Batch.objects.none(), pk=pk)
    return get_object_or_404(
        Batch.objects.for_centre(request.centre).select_related("qualification"), pk=pk
    )


def get_learner_for_certificates(request: HttpRequest, pk: int) -> Learner:
    """Learner ``pk`` of the current centre, or 404 (the centres app's helper)."""
    return get_learner_for_request(request, pk)
