"""The one way in to batches and their files, for each side (R-ACC-2, R-ACC-3)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import AWAITING_MODERATOR, Batch, BatchDocument


def batches_for(request: HttpRequest) -> QuerySet[Batch]:
    """Live batches of the request's current centre; nothing when there is none."""
    if request.centre is None:
        return Batch.objects.none()
    return Batch.objects.for_centre(request.centre)


def get_batch_for_request(request: HttpRequest, pk: int) -> Batch:
    """Batch ``pk`` of the current centre, or 404."""
    return get_object_or_404(
        batches_for(request).select_related("qualification", "moderator"), pk=pk
    )


def get_batch_or_tombstone_for_request(request: HttpRequest, pk: int) -> Batch:
    """Batch ``pk`` of the current centre, or its tombstone if the awarding body deleted it
    (``deleted_at`` set; R-BAT-9), or 404: the batch page's one read of the batch."""
    if request.centre is None:
        raise Http404
    live_or_tombstone = Q(deleted_at__isnull=True) | Q(
        deleted_at__isnull=False, files_purged_at__isnull=False
    )
    return get_object_or_404(
        Batch.objects.filter(live_or_tombstone, centre=request.centre).select_related(
            "centre", "qualification", "moderator"
        ),
        pk=pk,
    )


def moderator_batches(request: HttpRequest) -> QuerySet[Batch]:
    """Live batches assigned to the requesting moderator."""
    return Batch.objects.live().filter(moderator_id=request.user.pk)


def unassigned_batches() -> QuerySet[Batch]:
    """Submitted batches waiting for a moderator to take them."""
    return Batch.objects.live().filter(status__in=AWAITING_MODERATOR, moderator__isnull=True)


def get_batch_for_moderator(request: HttpRequest, pk: int) -> Batch:
    """Batch ``pk`` if it is assigned to the requesting moderator, or 404."""
    return get_object_or_404(
        moderator_batches(request).select_related("centre", "qualification", "moderator"), pk=pk
    )


def get_document_for_batch(batch: Batch, pk: int) -> BatchDocument:
    """A file of ``batch`` (any version), or 404."""
    return get_object_or_404(BatchDocument.objects.filter(batch=batch), pk=pk)
