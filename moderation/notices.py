"""Who hears about what happens to a batch (R-NTF-1), and with which words and link.

Each function is called by the service that made the change, inside its transaction, once
per change; ``notices.services.notify`` stores the notices and queues their emails, and
never fails the change.

The centre hears through the person who built the batch (while they still work there with
the Moderation grant; else the centre's Programme Directors who have it) and through the
centre's generic contact address. Moderators hear about the batches given to them; the
awarding body's moderation team, a shared address, hears what no one person owns.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership, Role
from notices.models import Notice
from notices.services import Recipient, notify, unsaved_notices

from .models import Batch

TEMPLATES = "moderation/notices"
log = logging.getLogger(__name__)


def centre_recipients(batch: Batch, *, also=None) -> list[Recipient]:
    """The centre's people for ``batch``: its creator (or the Programme Directors), ``also``
    (e.g. who asked for its deletion) and the generic contact address."""
    members = Membership.objects.active().filter(centre_id=batch.centre_id, can_moderation=True)
    wanted = {u.pk for u in (batch.created_by, also) if u is not None}
    users = [m.user for m in members.filter(user_id__in=wanted).select_related("user")]
    if not users:
        users = [
            m.user for m in members.filter(role=Role.PROGRAMME_DIRECTOR).select_related("user")
        ]
    recipients = [Recipient.of(user) for user in users]
    if batch.centre.contact_email:
        recipients.append(Recipient(email=batch.centre.contact_email))
    return recipients


def team() -> Recipient:
    return Recipient(email=settings.HUB_MODERATION_TEAM_EMAIL)


def _centre_link(batch: Batch) -> str:
    return reverse("moderation:batch-detail", args=[batch.pk])


def _moderator_link(batch: Batch) -> str:
    return reverse("moderation:review", args=[batch.pk])


def _admin_link(batch: Batch) -> str:
    return reverse("admin:moderation_batch_change", args=[batch.pk])


def batch_outcome(*, batch: Batch, comments: str) -> None:
    """Returned for editing, Insufficient sample or Complete: the centre is told."""
    notify(
        kind="batch.outcome",
        template=f"{TEMPLATES}/outcome",
        context={"batch": batch, "comments": comments},
        link=_centre_link(batch),
        recipients=centre_recipients(batch),
    )


def batch_assigned(*, batch: Batch, actor) -> None:
    """A moderator was given the batch by someone else (taking one needs no notice)."""
    if batch.moderator is None or batch.moderator_id == actor.pk:
        return
    notify(
        kind="batch.assigned",
        template=f"{TEMPLATES}/assigned",
        context={"batch": batch},
        link=_moderator_link(batch),
        recipients=[Recipient.of(batch.moderator)],
    )


def batch_resubmitted(*, batch: Batch) -> None:
    """Its moderator hears; with none assigned, the team does (the batch is in the queue)."""
    if batch.moderator is not None:
        recipients, link = [Recipient.of(batch.moderator)], _moderator_link(batch)
    else:
        recipients, link = [team()], _admin_link(batch)
    notify(
        kind="batch.resubmitted",
        template=f"{TEMPLATES}/resubmitted",
        context={"batch": batch},
        link=link,
        recipients=recipients,
    )


def batch_deletion_requested(*, batch: Batch) -> None:
    """The awarding body's team carries deletions out (R-BAT-9)."""
    notify(
        kind="batch.deletion_requested",
        template=f"{TEMPLATES}/deletion_requested",
        context={"batch": batch},
        link=_admin_link(batch),
        recipients=[team()],
    )


def batch_deleted(*, batch: Batch) -> None:
    """The centre hears that the awarding body deleted the batch, when and why."""
    notify(
        kind="batch.deleted",
        template=f"{TEMPLATES}/deleted",
        context={"batch": batch},
        link=_centre_link(batch),
        recipients=centre_recipients(batch, also=batch.deletion_requested_by),
    )


def batch_sla_extended(*, batch: Batch) -> None:
    """Both sides see the new due date and the reason: the centre and the moderator."""
    context = {"batch": batch}
    notify(
        kind="batch.sla_extended",
        template=f"{TEMPLATES}/sla_extended",
        context=context,
        link=_centre_link(batch),
        recipients=centre_recipients(batch),
    )
    if batch.moderator is not None:
        notify(
            kind="batch.sla_extended",
            template=f"{TEMPLATES}/sla_extended",
            context=context,
            link=_moderator_link(batch),
            recipients=[Recipient.of(batch.moderator)],
        )


def sla_alert_notices(alerts) -> None:
    """R-SLA-1: list each SLA alert the sweep has emailed (moderator and team) in the hub.

    The sweep's one email already went to both, so these are recorded as emailed; one
    insert for the whole sweep. Never raises: the alerts are sent whatever happens here.
    """
    try:
        rows, now = [], timezone.now()
        for alert in alerts:
            batch = alert.batch
            context = {
                "batch": batch,
                "kind_label": alert.get_kind_display(),
                "due": alert.due,
                "overdue": alert.kind == "sla_overdue",
            }
            audiences = [([team()], _admin_link(batch))]
            if batch.moderator is not None:
                audiences.append(([Recipient.of(batch.moderator)], _moderator_link(batch)))
            for recipients, link in audiences:
                rows += unsaved_notices(
                    kind="batch.sla_alert",
                    template=f"{TEMPLATES}/sla_alert",
                    context=context,
                    link=link,
                    recipients=recipients,
                    emailed_at=now,
                )
        Notice.objects.bulk_create(rows, batch_size=500)
    except Exception:
        log.exception("SLA alert notices could not be listed; the alerts were sent.")
