"""A prepared download (R-DL-1): a whole batch, a qualification's batches at a centre, or a
moderator's month, built into one zip in storage by a worker, with its progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from centres.models import Centre, Qualification


class Scope(models.TextChoices):
    BATCH = "batch", "Whole batch"
    QUALIFICATION = "qualification", "Every batch of a qualification"
    MONTH = "month", "Everything sent this month"


class DownloadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


S = DownloadStatus
# The arrows a download may take; only downloads.services and downloads.building move it,
# each by a conditional UPDATE from these sources (the claim marker: one mover wins).
ARROWS = {
    "claim": ((S.QUEUED, S.BUILDING), S.BUILDING),
    "release": ((S.BUILDING,), S.QUEUED),
    "finish": ((S.BUILDING,), S.READY),
    "fail": ((S.QUEUED, S.BUILDING), S.FAILED),
    "expire": ((S.READY, S.FAILED, S.QUEUED, S.BUILDING), S.EXPIRED),
}
# A request for the same scope reuses one of these (R-DL-1).
REUSABLE = (S.QUEUED, S.BUILDING, S.READY)
IN_PROGRESS = (S.QUEUED, S.BUILDING)


def download_key(instance, filename: str) -> str:
    """A random key under downloads/: nothing of the centre or learners shows in it."""
    key = uuid.uuid4().hex
    return f"downloads/{key[:2]}/{key}.zip"


class DownloadRequest(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="download_requests"
    )
    # Which side asked: the moderator sees only batches assigned to them (R-ACC-2), the
    # centre only its own.
    as_moderator = models.BooleanField(default=False)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    # What the scope names: a batch; a centre and qualification; or a month (its first day).
    batch = models.ForeignKey(
        "moderation.Batch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    qualification = models.ForeignKey(
        Qualification, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(null=True, blank=True)
    # The user and scope in one string, so "the same request" is one indexed equality.
    scope_key = models.CharField(max_length=80)
    # The files in scope when asked (count, newest id, bytes): a request made after a file
    # was added, replaced or removed is not the same request, and builds again.
    fingerprint = models.CharField(max_length=80)

    status = models.CharField(
        max_length=20, choices=DownloadStatus.choices, default=S.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.TextField(blank=True)

    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0, help_text="The zip's size once built.")
    # Named before the first byte is written, so the orphan sweep never takes a live build.
    file = models.FileField(upload_to=download_key, max_length=200, blank=True)
    title = models.CharField(max_length=255)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="download_user_idx")]
        constraints = [
            # One live build per user, scope and set of files, even under a double click.
            models.UniqueConstraint(
                fields=["scope_key", "fingerprint"],
                condition=Q(status__in=["queued", "building", "ready"]),
                name="download_one_live_build",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def is_ready(self) -> bool:
        return self.status == S.READY and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def percent(self) -> int:
        if self.bytes_total:
            return min(100, self.bytes_done * 100 // self.bytes_total)
        if self.files_total:
            return min(100, self.files_done * 100 // self.files_total)
        return 0

    @property
    def zip_name(self) -> str:
        return f"{self.title}.zip"
