"""Deadline alerts, the one way every clock warns: moderation's SLA (moderation/alerts.py,
R-SLA-1), certificate dispatch (certificates/alerts.py, R-SLA-2) and a review's SLA
(reviews/alerts.py, R-REV-2).

Each clock's sweep finds its crossings and hands them to ``alerts_send``, which records one
``DeadlineAlert`` per crossing (the unique constraint turns a second sweep's insert into
nothing), claims the unsent ones with a single conditional UPDATE under a random token, and
emails only what it claimed. Two beats running at once therefore send each alert once; a
send that fails gives its claim back for the next sweep.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .emails import send_templated_email
from .models import DeadlineAlert

log = logging.getLogger(__name__)


def alert_recipients(person) -> str:
    """Who an SLA alert goes to: the person holding the work, when they have an email,
    then the moderation team, which hears of every crossing."""
    team = settings.HUB_MODERATION_TEAM_EMAIL
    return ", ".join([person.email, team] if person is not None and person.email else [team])


def alerts_send(
    alerts: list[DeadlineAlert], *, now: datetime, kinds: Collection[str]
) -> list[DeadlineAlert]:
    """Record ``alerts`` once each, email every unsent one of ``kinds`` this call claims, and
    return those sent (the other clock's unsent alerts are left to its own sweep)."""
    DeadlineAlert.objects.bulk_create(alerts, batch_size=500, ignore_conflicts=True)
    # A crossing already recorded (for a batch or a claim) is skipped by its unique constraint.
    token = uuid.uuid4().hex
    stale = now - timedelta(minutes=settings.HUB_DISPATCH_CLAIM_MINUTES)
    DeadlineAlert.objects.filter(sent_at__isnull=True, kind__in=kinds).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    ).update(claim=token, claimed_at=now)
    claimed = list(
        DeadlineAlert.objects.filter(claim=token).select_related(
            "batch__centre",
            "batch__moderator",
            "claim_source__centre",
            "review__centre",
            "review__claim",
            "review__reviewer",
        )
    )
    sent, failed = [], []
    for alert in claimed:
        try:
            send_templated_email(
                to=[r.strip() for r in alert.recipients.split(",")],
                template="hub/email/deadline_alert",
                context={
                    "alert": alert,
                    "batch": alert.batch,
                    "claim": alert.claim_source,
                    "review": alert.review,
                    "site_url": settings.HUB_SITE_URL,
                },
            )
        except Exception:
            log.exception("Deadline alert %s could not be sent; the next sweep retries.", alert.pk)
            failed.append(alert.pk)
        else:
            sent.append(alert)
    if sent:
        DeadlineAlert.objects.filter(pk__in=[a.pk for a in sent], claim=token).update(
            sent_at=timezone.now()
        )
    if failed:
        DeadlineAlert.objects.filter(pk__in=failed, claim=token).update(claim="", claimed_at=None)
    return sent
