"""Who hears about a review of moderation (R-NTF-1), with which words and link.

Each function is called by the service that made the change, inside its transaction, once
per change; ``notices.services.notify`` stores the notices and queues their emails through
the outbox. Nothing here may fail the change: every function logs and gives up instead.

- Requested: the awarding body's moderation team (a shared address), linked to the review
  in Django admin, where a reviewer is assigned.
- Assigned: the reviewer, linked to their page of the review.
- Started and decided: the centre, through the person who asked (while they still work
  there with the section's grant; else the centre's Programme Directors who have it) and
  its generic contact address, linked to the centre's page of the review.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership, Role
from hub.models import AlertKind
from notices.models import Notice
from notices.services import Recipient, notify, unsaved_notices

from .models import Review

TEMPLATES = "reviews/notices"
log = logging.getLogger(__name__)


def centre_recipients(review: Review) -> list[Recipient]:
    """The centre's people for ``review`` and its contact address."""
    grant = "can_moderation" if review.batch_id is not None else "can_claims"
    members = Membership.objects.active().filter(centre_id=review.centre_id, **{grant: True})
    users = [m.user for m in members.filter(user_id=review.requested_by_id).select_related("user")]
    if not users:
        users = [
            m.user for m in members.filter(role=Role.PROGRAMME_DIRECTOR).select_related("user")
        ]
    recipients = [Recipient.of(user) for user in users]
    if review.centre.contact_email:
        recipients.append(Recipient(email=review.centre.contact_email))
    return recipients


def centre_link(review: Review) -> str:
    return reverse("reviews:detail", args=[review.pk])


def reviewer_link(review: Review) -> str:
    return reverse("reviews:reviewer-detail", args=[review.pk])


def admin_link(review: Review) -> str:
    return reverse("admin:reviews_review_change", args=[review.pk])


def _send(review: Review, *, event: str, recipients, link) -> None:
    try:
        notify(
            kind=f"review.{event}",
            template=f"{TEMPLATES}/{event}",
            context={
                "review": review,
                "subject": review.subject_label,
                "centre": review.centre,
                "window_months": settings.HUB_REVIEW_WINDOW_MONTHS,
            },
            link=link(review),
            recipients=recipients(review),
        )
    except Exception:
        # notify never raises; finding the recipients or the link might (R-NTF-1).
        log.exception("Review %s notice %s could not be recorded.", review.pk, event)


def review_requested(review: Review) -> None:
    _send(
        review,
        event="requested",
        recipients=lambda r: [Recipient(email=settings.HUB_MODERATION_TEAM_EMAIL)],
        link=admin_link,
    )


def review_assigned(review: Review) -> None:
    _send(
        review,
        event="assigned",
        recipients=lambda r: [Recipient.of(r.reviewer)],
        link=reviewer_link,
    )


def review_started(review: Review) -> None:
    _send(review, event="started", recipients=centre_recipients, link=centre_link)


def review_decided(review: Review) -> None:
    _send(review, event="decided", recipients=centre_recipients, link=centre_link)


def review_alert_notices(alerts) -> None:
    """R-REV-2: list each review SLA alert the sweep has emailed in the hub, for the reviewer
    and the moderation team. The sweep's one email already went to both, so these are
    recorded as emailed; one insert for the whole sweep. Never raises."""
    try:
        rows, now = [], timezone.now()
        for alert in alerts:
            review = alert.review
            context = {
                "review": review,
                "subject": review.subject_label,
                "centre": review.centre,
                "kind_label": alert.get_kind_display(),
                "due": alert.due,
                "overdue": alert.kind == AlertKind.REVIEW_OVERDUE,
            }
            audiences = [([Recipient(email=settings.HUB_MODERATION_TEAM_EMAIL)], admin_link)]
            if review.reviewer is not None:
                audiences.append(([Recipient.of(review.reviewer)], reviewer_link))
            for recipients, link in audiences:
                rows += unsaved_notices(
                    kind="review.sla_alert",
                    template=f"{TEMPLATES}/sla_alert",
                    context=context,
                    link=link(review),
                    recipients=recipients,
                    emailed_at=now,
                )
        Notice.objects.bulk_create(rows, batch_size=500)
    except Exception:
        log.exception("Review SLA alert notices could not be listed; the alerts were sent.")
