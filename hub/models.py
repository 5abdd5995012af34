"""The hub's own tables: the outbox every app's side effects go through (see hub/outbox.py),
the deadline alerts both clocks raise (hub/deadlines.py), and the sessions
(hub/session_store.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """Work to do because a change committed: an email, certificates, a claim to process.

    Written in the same transaction as the change (so it exists exactly when the change
    does), handed to a Celery task once that transaction commits, and swept by beat if the
    task never ran. ``claimed_at`` marks a delivery in progress; ``done_at`` one finished.
    """

    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Not before this: pushed back after each failure (exponential backoff).
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["available_at", "pk"]
        indexes = [
            # The sweep reads only what is still to do, oldest first.
            models.Index(
                fields=["available_at"], condition=Q(done_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self) -> str:
        state = "done" if self.done_at else f"pending, {self.attempts} attempt(s)"
        return f"{self.kind} #{self.pk} ({state})"


class AlertKind(models.TextChoices):
    SLA_DUE_SOON = "sla_due_soon", "Moderation due soon"
    SLA_OVERDUE = "sla_overdue", "Moderation overdue"
    DISPATCH_AT_RISK = "dispatch_at_risk", "Certificate dispatch at risk"
    DISPATCH_LATE = "dispatch_late", "Certificate dispatch late"
    REVIEW_DUE_SOON = "review_due_soon", "Review due soon"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"


class DeadlineAlert(models.Model):
    """One email for one deadline crossing; the unique constraint makes a second one impossible.

    Every clock raises them through hub/deadlines.py: moderation's SLA (moderation/alerts.py,
    R-SLA-1), certificate dispatch (certificates/alerts.py, R-SLA-2) and a review's SLA
    (reviews/alerts.py, R-REV-2). ``cycle`` is when the
    clock being watched started (the SLA restarts at Centre re-submitted, so a new cycle may
    alert again; the same cycle never does). The table is the one certificates made: the
    model moved here, its rows stayed.
    """

    batch = models.ForeignKey(
        "moderation.Batch",
        on_delete=models.CASCADE,
        related_name="deadline_alerts",
        null=True,
        blank=True,
    )
    # A claim's full-award dispatch (R-SLA-2); one of batch and claim is set.
    claim_source = models.ForeignKey(
        "claims.Claim",
        on_delete=models.CASCADE,
        related_name="deadline_alerts",
        null=True,
        blank=True,
        verbose_name="claim",
    )
    # A review's SLA (R-REV-2); then neither batch nor claim is set.
    review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.CASCADE,
        related_name="deadline_alerts",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    cycle = models.DateTimeField()
    due = models.DateTimeField(help_text="The deadline as it stood when the alert was raised.")
    recipients = models.TextField(help_text="Comma-separated addresses.")
    created_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "certificates_deadlinealert"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "kind", "cycle"], name="deadlinealert_once_per_crossing"
            ),
            models.UniqueConstraint(
                fields=["claim_source", "kind", "cycle"],
                condition=models.Q(claim_source__isnull=False),
                name="deadlinealert_claim_once_per_crossing",
            ),
            models.UniqueConstraint(
                fields=["review", "kind", "cycle"],
                condition=models.Q(review__isnull=False),
                name="deadlinealert_review_once_per_crossing",
            ),
        ]

    def __str__(self) -> str:
        if self.review_id is not None:
            return f"{self.get_kind_display()}: review {self.review_id}"
        if self.batch_id is None:
            return f"{self.get_kind_display()}: claim {self.claim_source_id}"
        return f"{self.get_kind_display()}: batch {self.batch_id}"


class Session(AbstractBaseSession):
    """A session (hub.session_store's table): Django's, plus the logged-in user's id.

    The user column lets one statement read a request's session, its user and their
    memberships together (one round trip instead of two, issue 9). It is written from the
    session's own data on every save, and only ever used to read the user the session data
    names (Django's auth still checks the session against the user's password hash). Not a
    database foreign key: a session saved while its user is being deleted must not fail the
    request; deleting a user through Django deletes their sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "hub_session"

    @classmethod
    def get_session_store_class(cls):
        from .session_store import SessionStore

        return SessionStore
