"""The one way in to batches and their files, for each side (R-ACC-2, R-ACC-3)."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import router
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from centres.models import Qualification
from hub.prepared import Prepared

from .models import AWAITING_MODERATOR, Batch, BatchDocument


def batches_for(request: HttpRequest) -> QuerySet[Batch]:
    """Live batches of the request's current centre; nothing when there is none."""
    if request.centre is None:
        return Batch.objects.none()
    return Batch.objects.for_centre(request.centre)


_BATCH_FIELDS = [f.attname for f in Batch._meta.concrete_fields]
_QUALIFICATION_FIELDS = [f.attname for f in Qualification._meta.concrete_fields]
_MODERATOR_FIELDS = [f.attname for f in get_user_model()._meta.concrete_fields]
# The live batch with its qualification and moderator, by centre and key: what
# ``batches_for(request)`` with ``select_related`` read, compiled once (hub.prepared): the
# ORM took ~0.8 ms of CPU to build it on every batch view.
_batch_of_centre = Prepared(
    lambda centre_id, pk: (
        Batch.objects.live()
        .filter(centre_id=centre_id, pk=pk)
        .values_list(
            *_BATCH_FIELDS,
            *(f"qualification__{name}" for name in _QUALIFICATION_FIELDS),
            *(f"moderator__{name}" for name in _MODERATOR_FIELDS),
        )
    ),
    "int",
    "int",
)


_WIDTH = len(_BATCH_FIELDS) + len(_QUALIFICATION_FIELDS) + len(_MODERATOR_FIELDS)


def get_batch_for_request(request: HttpRequest, pk: int) -> Batch:
    """Batch ``pk`` of the current centre, or 404; its qualification and moderator loaded."""
    return get_batch_with_for_request(request, pk)[0]


def get_batch_with_for_request(
    request: HttpRequest, pk: int, *, also: tuple[str, str, list] | None = None
) -> tuple[Batch, tuple]:
    """get_batch_for_request, and the values a page reads with the batch in the same
    statement: ``also`` is (columns, joins, params), the statement being
    ``SELECT q.*, columns FROM (the batch's read) q joins``, ``params`` those of ``joins``
    (``columns`` takes none). A round trip less for a page that reads counts of the batch."""
    if request.centre is None:
        raise Http404("No batch of this centre has that number.")
    db = router.db_for_read(Batch)
    keys = (request.centre.pk, int(pk))
    if also is None:
        rows = _batch_of_centre.rows(*keys, db=db)
    else:
        columns, joins, params = also
        rows = _batch_of_centre.rows_with(*keys, columns=columns, joins=joins, params=params, db=db)
    if not rows:
        raise Http404("No batch of this centre has that number.")
    row, values = rows[0][:_WIDTH], rows[0][_WIDTH:]
    split, moderator_at = len(_BATCH_FIELDS), len(_BATCH_FIELDS) + len(_QUALIFICATION_FIELDS)
    batch = Batch.from_db(db, _BATCH_FIELDS, row[:split])
    batch.qualification = Qualification.from_db(db, _QUALIFICATION_FIELDS, row[split:moderator_at])
    batch.moderator = (
        get_user_model().from_db(db, _MODERATOR_FIELDS, row[moderator_at:])
        if batch.moderator_id is not None
        else None
    )
    return batch, values


# The batch pages' one read of the batch, with its centre, qualification and moderator (as
# select_related gives them), as SQL compiled once per process: built by the ORM on every
# batch page and review it was ~1 ms of CPU, the same SQL but for the keys.
_RELATED = ("centre", "qualification", "moderator")


@lru_cache(maxsize=1)
def _layout() -> tuple[list[str], list[tuple]]:
    """The values_list names of Batch's and each related model's columns, and how to cut a
    row back into instances: (model, relation or None, attnames)."""
    names: list[str] = []
    layout = []
    for relation in (None, *_RELATED):
        model = Batch if relation is None else Batch._meta.get_field(relation).related_model
        fields = model._meta.concrete_fields
        prefix = f"{relation}__" if relation else ""
        names += [f"{prefix}{field.name}" for field in fields]
        layout.append((model, relation, [field.attname for field in fields]))
    return names, layout


def _first_batch(prepared: Prepared, *keys: int) -> Batch:
    """The batch of ``prepared``'s first row, its related instances cached on it, or 404."""
    db = router.db_for_read(Batch)
    rows = prepared.rows(*keys, db=db)
    if not rows:
        raise Http404("No such batch.")
    row, start, batch = rows[0], 0, None
    for model, relation, attnames in _layout()[1]:
        values = row[start : start + len(attnames)]
        start += len(attnames)
        if relation is None:
            batch = model.from_db(db, attnames, values)
        else:  # a LEFT JOIN's missing row (no moderator yet) comes as all None
            related = model.from_db(db, attnames, values) if values[0] is not None else None
            Batch._meta.get_field(relation).set_cached_value(batch, related)
    return batch


_LIVE_OR_TOMBSTONE = Q(deleted_at__isnull=True) | Q(
    deleted_at__isnull=False, files_purged_at__isnull=False
)
_CENTRE_BATCH = Prepared(
    lambda pk, centre_id: (
        Batch.objects.filter(_LIVE_OR_TOMBSTONE, pk=pk, centre_id=centre_id)
        .order_by()
        .values_list(*_layout()[0])
    ),
    "int",
    "int",
)
_MODERATOR_BATCH = Prepared(
    lambda pk, moderator_id: (
        Batch.objects.live()
        .filter(pk=pk, moderator_id=moderator_id)
        .order_by()
        .values_list(*_layout()[0])
    ),
    "int",
    "int",
)


def get_batch_or_tombstone_for_request(request: HttpRequest, pk: int) -> Batch:
    """Batch ``pk`` of the current centre, or its tombstone if the awarding body deleted it
    (``deleted_at`` set; R-BAT-9), or 404: the batch page's one read of the batch."""
    if request.centre is None:
        raise Http404
    return _first_batch(_CENTRE_BATCH, int(pk), request.centre.pk)


def moderator_batches(request: HttpRequest) -> QuerySet[Batch]:
    """Live batches assigned to the requesting moderator."""
    return Batch.objects.live().filter(moderator_id=request.user.pk)


def unassigned_batches() -> QuerySet[Batch]:
    """Submitted batches waiting for a moderator to take them."""
    return Batch.objects.live().filter(status__in=AWAITING_MODERATOR, moderator__isnull=True)


def get_batch_for_moderator(request: HttpRequest, pk: int) -> Batch:
    """Batch ``pk`` if it is assigned to the requesting moderator (moderator_batches), or
    404; its centre, qualification and moderator loaded, in one statement."""
    return _first_batch(_MODERATOR_BATCH, int(pk), request.user.pk)


def get_document_for_batch(batch: Batch, pk: int) -> BatchDocument:
    """A file of ``batch`` (any version), or 404."""
    return get_object_or_404(BatchDocument.objects.filter(batch=batch), pk=pk)
