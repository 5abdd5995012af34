"""The one audit path (R-NEW-3): every service records its change through ``audit``.

One call records who (``actor``), when (now), what (``action`` on ``subject``), from and to
(``before``/``after``, e.g. two statuses or two values) and why (``reason``) as one
``AuditEvent`` row, the awarding body's trail (Django admin, "Audit events"). An object with
a per-entity history page (a batch, a claim) is passed as ``entity``: the writer its app
registered with ``register_history`` then adds the row that page reads, from the same
facts, in the same transaction. So no service writes a history row or an audit row any
other way, and the trail and the pages cannot disagree.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import models
from django.utils import timezone

from .models import AuditEvent, Centre


class HistoryWriter(typing.Protocol):
    def __call__(
        self,
        entity: typing.Any,
        *,
        actor: typing.Any,
        at: datetime,
        before: str,
        after: str,
        reason: str,
        **history: typing.Any,
    ) -> models.Model: ...


_HISTORIES: dict[type[models.Model], HistoryWriter] = {}


def register_history(model: type[models.Model], writer: HistoryWriter) -> None:
    """Say how ``audit(entity=...)`` writes ``model``'s own history row (once, at import)."""
    _HISTORIES[model] = writer


def _person(actor) -> typing.Any:
    # Background work (actor None) and anonymous requests are recorded without a person.
    return actor if getattr(actor, "is_authenticated", False) else None


def _detail(detail: dict, *, before: typing.Any, after: typing.Any, reason: str | None) -> dict:
    if before is not None or after is not None:
        detail["before"], detail["after"] = before, after
    if reason is not None:
        detail["reason"] = reason
    return detail


def audit(
    *,
    actor,
    action: str,
    subject: str,
    centre: Centre | None = None,
    before: typing.Any = None,
    after: typing.Any = None,
    reason: str | None = None,
    entity: models.Model | None = None,
    history: Mapping[str, typing.Any] | None = None,
    **detail,
) -> AuditEvent:
    """Record one change; call it inside the transaction of the change it records.

    ``before``/``after`` and ``reason`` are kept in the row's detail as "before", "after" and
    "reason" (JSON values). With ``entity``, the entity's history row is written too
    (``history`` holds its own fields, e.g. a batch history's event) and returned on the
    event as ``.history``. The centre defaults to the entity's.
    """
    centre_id = centre.pk if centre is not None else getattr(entity, "centre_id", None)
    event = AuditEvent.objects.create(
        actor=_person(actor),
        centre_id=centre_id,
        action=action,
        subject=subject[:255],
        detail=_detail(detail, before=before, after=after, reason=reason),
    )
    event.history = None
    if entity is not None:
        writer = _HISTORIES.get(type(entity))
        if writer is not None:
            event.history = writer(
                entity,
                actor=actor,
                at=event.at,
                before="" if before is None else str(before),
                after="" if after is None else str(after),
                reason=reason or "",
                **(history or {}),
            )
    return event


def audit_many(
    *,
    actor,
    action: str,
    centre: Centre | None,
    entries: Iterable[tuple[str, dict]],
    at: datetime | None = None,
) -> list[AuditEvent]:
    """``audit`` for many subjects of one bulk change, in batched INSERTs.

    ``entries`` are (subject, detail) pairs; a bulk change has no entity history.
    """
    at = at or timezone.now()
    person = _person(actor)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=at,
                actor=person,
                centre=centre,
                action=action,
                subject=subject[:255],
                detail=detail,
            )
            for subject, detail in entries
        ],
        batch_size=500,
    )
