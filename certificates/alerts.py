"""Deadline alerts for moderation (R-SLA-1) and certificate dispatch (R-SLA-2).

Each sweep finds the crossings, records one ``DeadlineAlert`` per crossing (the unique
constraint turns a second sweep's insert into nothing), claims the unsent ones with a single
conditional UPDATE under a random token, and emails only what it claimed. Two beats running
at once therefore send each alert once; a send that fails gives its claim back for the next
sweep.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hub.emails import send_templated_email
from hub.workdays import add_working_days
from moderation.models import AWAITING_MODERATOR, Batch
from moderation.notices import sla_alert_notices

from .models import AlertKind, CertificateDispatch, DeadlineAlert

log = logging.getLogger(__name__)

SLA_KINDS = (AlertKind.SLA_DUE_SOON, AlertKind.SLA_OVERDUE)


def _end_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def sla_crossings(*, now: datetime) -> list[DeadlineAlert]:
    """R-SLA-1: batches awaiting a moderator that are overdue or due within the warning days."""
    horizon = now + timedelta(days=settings.HUB_SLA_WARN_DAYS)
    batches = (
        Batch.objects.live()
        .filter(status__in=AWAITING_MODERATOR, sla_due_at__isnull=False, sla_due_at__lte=horizon)
        .select_related("moderator")
    )
    team = settings.HUB_MODERATION_TEAM_EMAIL
    alerts = []
    for batch in batches:
        recipients = [team]
        if batch.moderator is not None and batch.moderator.email:
            recipients.insert(0, batch.moderator.email)
        alerts.append(
            DeadlineAlert(
                batch=batch,
                kind=AlertKind.SLA_OVERDUE if batch.sla_due_at <= now else AlertKind.SLA_DUE_SOON,
                # An admin's extension (a new due date) is a new cycle: it may alert again.
                cycle=batch.sla_extended_at
                or batch.sla_started_at
                or batch.submitted_at
                or batch.sla_due_at,
                due=batch.sla_due_at,
                recipients=", ".join(recipients),
            )
        )
    return alerts


def dispatch_crossings(*, now: datetime) -> list[DeadlineAlert]:
    """R-SLA-2: dispatches not sent that are late or due within the at-risk working days."""
    today = timezone.localdate(now)
    horizon = add_working_days(today, settings.HUB_DISPATCH_AT_RISK_WORKING_DAYS)
    dispatches = CertificateDispatch.objects.filter(
        dispatched_at__isnull=True, due_on__lte=horizon
    ).select_related("batch", "claim")
    return [
        DeadlineAlert(
            # A batch's certificates, or a claim's full awards (one of the two is set).
            batch=dispatch.batch,
            claim_source=dispatch.claim,
            # Sent on the due day is on time; late is from the day after.
            kind=AlertKind.DISPATCH_LATE if dispatch.due_on < today else AlertKind.DISPATCH_AT_RISK,
            cycle=dispatch.created_at,
            due=_end_of(dispatch.due_on),
            recipients=settings.HUB_MODERATION_TEAM_EMAIL,
        )
        for dispatch in dispatches
    ]


def alerts_send(alerts: list[DeadlineAlert], *, now: datetime) -> int:
    """Record ``alerts`` once each and email every unsent one this call claims; return sent."""
    DeadlineAlert.objects.bulk_create(alerts, batch_size=500, ignore_conflicts=True)
    # A crossing already recorded (for a batch or a claim) is skipped by its unique constraint.
    token = uuid.uuid4().hex
    stale = now - timedelta(minutes=settings.HUB_DISPATCH_CLAIM_MINUTES)
    DeadlineAlert.objects.filter(sent_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    ).update(claim=token, claimed_at=now)
    claimed = list(
        DeadlineAlert.objects.filter(claim=token).select_related(
            "batch__centre", "batch__moderator", "claim_source__centre"
        )
    )
    sent, failed = [], []
    for alert in claimed:
        try:
            send_templated_email(
                to=[r.strip() for r in alert.recipients.split(",")],
                template="certificates/email/deadline_alert",
                context={
                    "alert": alert,
                    "batch": alert.batch,
                    "claim": alert.claim_source,
                    "site_url": settings.HUB_SITE_URL,
                },
            )
        except Exception:
            log.exception("Deadline alert %s could not be sent; the next sweep retries.", alert.pk)
            failed.append(alert.pk)
        else:
            sent.append(alert.pk)
    if sent:
        DeadlineAlert.objects.filter(pk__in=sent, claim=token).update(sent_at=timezone.now())
        # R-NTF-1: the SLA alerts just emailed are also listed in the hub for their people.
        done = set(sent)
        sla_alert_notices([a for a in claimed if a.pk in done and a.kind in SLA_KINDS])
    if failed:
        DeadlineAlert.objects.filter(pk__in=failed, claim=token).update(claim="", claimed_at=None)
    return len(sent)


def sla_sweep(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return alerts_send(sla_crossings(now=now), now=now)


def dispatch_sweep(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return alerts_send(dispatch_crossings(now=now), now=now)
