"""Writing notices (R-NTF-1): one call per event, inside the change's transaction.

``notify`` renders the notice once, stores a row per recipient and queues each row's email
in the outbox, so the notice and its email exist exactly when the change does. It runs in a
savepoint and swallows its own failures: a notice never blocks or fails the action that
caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from centres.models import User
from hub import outbox

from .models import Notice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """A user (their notice is listed for them in the hub) or a shared address only."""

    user: object | None = None
    email: str = ""

    @classmethod
    def of(cls, user: User) -> Recipient:
        return cls(user=user, email=user.email or "")


def _unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    """One notice per person and per address: a user named twice, or a shared address that
    is also a user's own, gets it once (the user's row wins, so it is listed for them)."""
    chosen: dict[str, Recipient] = {}
    for recipient in recipients:
        if recipient.user is None and not recipient.email:
            continue
        key = recipient.email.lower() if recipient.email else f"user:{recipient.user.pk}"
        if key not in chosen or (chosen[key].user is None and recipient.user is not None):
            chosen[key] = recipient
    return list(chosen.values())


def render_notice(*, template: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and text of ``<template>_subject.txt`` and ``<template>.txt``."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context).strip()
    return subject[:255], body


def unsaved_notices(
    *,
    kind: str,
    template: str,
    context: dict,
    link: str,
    recipients: Iterable[Recipient],
    emailed_at: datetime | None = None,
) -> list[Notice]:
    """Unsaved notices for something whose email goes another way (a deadline alert the
    sweep has sent, a claim email with its own template): listed in the hub, never emailed
    twice by this app. The caller saves them in one insert."""
    subject, body = render_notice(template=template, context=context)
    return [
        Notice(
            recipient=recipient.user,
            email=recipient.email,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            emailed_at=emailed_at,
        )
        for recipient in _unique(recipients)
    ]


def list_in_hub(
    *, kind: str, template: str, context: dict, link: str, recipients: Iterable[Recipient]
) -> list[Notice]:
    """Record notices for users only, in a savepoint, never raising (R-NTF-1)."""
    try:
        with transaction.atomic():
            return Notice.objects.bulk_create(
                unsaved_notices(
                    kind=kind, template=template, context=context, link=link, recipients=recipients
                )
            )
    except Exception:
        log.exception("Notice %s could not be recorded; the change itself went ahead.", kind)
        return []


def notify(
    *,
    kind: str,
    template: str,
    context: dict,
    link: str,
    recipients: Iterable[Recipient],
) -> list[Notice]:
    """Record the notice for each recipient and queue its email; never raise.

    ``link`` is the path of the page the notice is about, as that audience sees it.
    """
    try:
        with transaction.atomic():
            subject, body = render_notice(template=template, context=context)
            notices = [
                Notice.objects.create(
                    recipient=recipient.user,
                    email=recipient.email,
                    kind=kind,
                    subject=subject,
                    body=body,
                    link=link,
                )
                for recipient in _unique(recipients)
            ]
            for notice in notices:
                if notice.email:
                    outbox.enqueue("notices.email", notice_id=notice.pk)
            return notices
    except Exception:
        # The savepoint is rolled back, the caller's change goes on (R-NTF-1).
        log.exception("Notice %s could not be recorded; the change itself went ahead.", kind)
        return []


@transaction.atomic
def notice_mark_read(*, actor: User, notice: Notice) -> Notice:
    """The recipient opened the notice: remember when, the first time only."""
    if notice.recipient_id != actor.pk:
        raise PermissionError("Only the recipient can mark a notice read.")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice
