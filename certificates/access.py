"""The one way in to certificates for centre staff (R-ACC-2): another centre's answer 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from centres.access import get_learner_for_request
from centres.models import Learner
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
