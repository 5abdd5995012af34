"""Certificates for passed learner-units, their dispatch to the centre, and deadline alerts.

One certificate per learner per batch (R-SLA-2), listing every unit the batch passed for
that learner. A batch is one moderation event with one completion date, so one document per
learner says what that event awarded; a learner with units in two batches gets two
certificates, each true to its batch. The units are copied onto the certificate (code, title,
result) so it keeps saying what was awarded even if the catalogue's titles change later.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.models import Centre, Learner, Qualification
from hub.numbers import random_code
from moderation.models import Batch

# No 0/O or 1/I: the code is typed in from paper. 32 ** 12 = 2 ** 60 codes.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """The code as stored, from what someone typed (spaces, dashes, lower case)."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


NUMBER_PREFIX = "C-"
NUMBER_LENGTH = 9  # random characters; a check character follows (hub.numbers)


def new_certificate_number() -> str:
    """A fresh number to print on a certificate, e.g. C-7KQM4-XPAR9; says nothing of volumes.

    Random, so two workers issuing one batch draw different numbers: the one-per-learner-
    per-batch constraint, not the number, keeps it to one certificate.
    """
    return NUMBER_PREFIX + random_code(length=NUMBER_LENGTH, group=5)


def certificate_number_variants(value: str) -> set[str]:
    """The stored forms ``value`` may stand for, however it was typed (case, spaces, dashes).

    Numbers issued before random numbering (C000012-0000345) are looked up as typed.
    """
    typed = value.strip().upper()
    plain = "".join(ch for ch in typed if ch.isalnum())
    variants = {typed}
    if len(plain) == 1 + NUMBER_LENGTH + 1 and plain.startswith(NUMBER_PREFIX[0]):
        code = plain[1:]
        variants.add(f"{NUMBER_PREFIX}{code[:5]}-{code[5:]}")
    return variants


def certificate_key(instance: Certificate, filename: str) -> str:
    """A random storage key: neither the centre, the learner nor the number shows."""
    key = uuid.uuid4().hex
    return f"certificates/{key[:2]}/{key}.pdf"


class Certificate(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="certificates")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="certificates"
    )
    # Denormalised from the batch: every centre-side query scopes on it.
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="certificates")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="certificates")
    units = models.JSONField(help_text="The units awarded: code, title and result, as issued.")
    number = models.CharField(max_length=30, unique=True)
    verification_code = models.CharField(max_length=CODE_LENGTH, default=new_verification_code)
    issued_at = models.DateTimeField(default=timezone.now)
    pdf = models.FileField(upload_to=certificate_key, max_length=200, blank=True)
    # R-SLA-2: 10 working days after Complete; swept by beat, never an ETA task.
    dispatch_due_on = models.DateField(db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch_id", "learner__last_name", "learner__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "batch"], name="certificate_one_per_batch")
        ]

    def __str__(self) -> str:
        return f"Certificate {self.number}"

    @property
    def display_code(self) -> str:
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class CertificateDispatch(models.Model):
    """The one "certificates are ready" email for a batch, and whether it went.

    ``claimed_at`` is taken by a conditional UPDATE before sending, so two workers never both
    send; a worker killed after claiming leaves a stale claim that the beat sweep takes over
    once it is older than HUB_DISPATCH_CLAIM_MINUTES.
    """

    batch = models.OneToOneField(Batch, on_delete=models.PROTECT, related_name="dispatch")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(db_index=True)
    certificate_count = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_to = models.TextField(blank=True, help_text="Who the email went to, comma-separated.")

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name_plural = "certificate dispatches"

    def __str__(self) -> str:
        return f"Dispatch for batch {self.batch_id}"


class AlertKind(models.TextChoices):
    SLA_DUE_SOON = "sla_due_soon", "Moderation due soon"
    SLA_OVERDUE = "sla_overdue", "Moderation overdue"
    DISPATCH_AT_RISK = "dispatch_at_risk", "Certificate dispatch at risk"
    DISPATCH_LATE = "dispatch_late", "Certificate dispatch late"


class DeadlineAlert(models.Model):
    """One email for one deadline crossing; the unique constraint makes a second one impossible.

    ``cycle`` is when the clock being watched started (the SLA restarts at Centre
    re-submitted, so a new cycle may alert again; the same cycle never does).
    """

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="deadline_alerts")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    cycle = models.DateTimeField()
    due = models.DateTimeField(help_text="The deadline as it stood when the alert was raised.")
    recipients = models.TextField(help_text="Comma-separated addresses.")
    created_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "kind", "cycle"], name="deadlinealert_once_per_crossing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: batch {self.batch_id}"


class FailedJob(models.Model):
    """A task that exhausted its retries; admins see it and can run it again (R-SLA-3)."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)
    rerun_at = models.DateTimeField(null=True, blank=True)
    rerun_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-failed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} failed at {self.failed_at:%Y-%m-%d %H:%M}"
