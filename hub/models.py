"""The hub's own table: the outbox every app's side effects go through (see hub/outbox.py)."""

from __future__ import annotations

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
