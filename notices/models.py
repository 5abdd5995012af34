"""Notices (R-NTF-1): what the hub told someone, kept so nothing depends on email arriving.

One row per recipient: a user (who then sees it under "Your notices" on Home) or, for a
shared mailbox such as the centre's generic contact or the awarding body's moderation team,
just an address. Each row is emailed once through the outbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
        help_text="Empty for a shared address (a centre's contact, the moderation team).",
    )
    email = models.EmailField(blank=True, help_text="Where the email went.")
    kind = models.CharField(max_length=60, help_text="What happened, e.g. batch.outcome.")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # A path on the hub ("/moderation/12/"): the page lists it as a link, the email makes it
    # absolute with HUB_SITE_URL.
    link = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # "Your notices": a user's newest first, a page at a time.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_recipient_idx")
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def absolute_link(self) -> str:
        return settings.HUB_SITE_URL.rstrip("/") + self.link
