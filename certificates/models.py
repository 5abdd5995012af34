"""Certificates for passed learner-units, their dispatch to the centre, and deadline alerts.

One certificate per learner per batch (R-SLA-2), listing every unit the batch passed for
that learner. A batch is one moderation event with one completion date, so one document per
learner says what that event awarded; a learner with units in two batches gets two
certificates, each true to its batch. The units are copied onto the certificate (code, title,
level, credits, result) so it keeps saying what was awarded even if the catalogue changes.

A learner whose passed units meet the qualification's rule of combination gets one
qualification certificate instead (R-CRT-2), listing every unit that counts. Certificates
for a centre that takes them digitally are delivered when issued; the others wait for a
print run, and their dispatch clock ends when the run is posted (R-CRT-1). A reissue
replaces a certificate with a new number; a revoked one stays, marked (R-CRT-4).
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


class CertificateKind(models.TextChoices):
    UNIT = "unit", "Unit certificate"
    QUALIFICATION = "qualification", "Qualification certificate"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    REPLACED = "replaced", "Replaced"
    REVOKED = "revoked", "Revoked"


class Delivery(models.TextChoices):
    POST = "post", "Printed and posted"
    DIGITAL = "digital", "Delivered digitally"


def print_run_key(instance: PrintRun, filename: str) -> str:
    key = uuid.uuid4().hex
    return f"print-runs/{key[:2]}/{key}.pdf"


class PrintRun(models.Model):
    """One centre's waiting certificates, printed together and posted in one parcel (R-CRT-1).

    One centre per run because one parcel has one address and one tracking reference. The
    merged PDF is built in the background (the outbox); ``printed_at`` is its first download.
    """

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="print_runs")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    certificate_count = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to=print_run_key, max_length=200, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carrier = models.CharField(max_length=100, blank=True)
    tracking_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Print run {self.pk} for {self.centre}"


class Certificate(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="certificates")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="certificates"
    )
    # Denormalised from the batch: every centre-side query scopes on it.
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="certificates")
    # The batch that awarded it; blank for a qualification certificate earned by a claim.
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="certificates", null=True, blank=True
    )
    # The claim whose processed grades completed the award (R-CRT-2): its dispatch clock.
    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.PROTECT,
        related_name="certificates",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=20, choices=CertificateKind.choices, default="unit")
    units = models.JSONField(
        help_text="The units awarded: code, title, level, credits and result, as issued."
    )
    number = models.CharField(max_length=30, unique=True)
    verification_code = models.CharField(max_length=CODE_LENGTH, default=new_verification_code)
    issued_at = models.DateTimeField(default=timezone.now)
    pdf = models.FileField(upload_to=certificate_key, max_length=200, blank=True)
    # R-SLA-2: 10 working days after Complete; swept by beat, never an ETA task.
    dispatch_due_on = models.DateField(db_index=True)
    # When it was posted (its print run's posting) or delivered digitally: the clock's end.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default="post")
    print_run = models.ForeignKey(
        PrintRun, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    status = models.CharField(
        max_length=10, choices=CertificateStatus.choices, default="valid", db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    class Meta:
        ordering = ["batch_id", "learner__last_name", "learner__first_name", "pk"]
        constraints = [
            # A replaced certificate steps aside for its reissue; any other stays the one.
            models.UniqueConstraint(
                fields=["learner", "batch"],
                condition=~models.Q(status="replaced"),
                name="certificate_one_per_batch",
            ),
            # R-CRT-2: one full award per learner and qualification, however it was reached.
            models.UniqueConstraint(
                fields=["learner", "qualification"],
                condition=models.Q(kind="qualification") & ~models.Q(status="replaced"),
                name="certificate_one_award_per_qualification",
            ),
        ]
        indexes = [
            # The print page's due certificates: posted ones, not in a run yet, by centre.
            models.Index(
                fields=["centre", "dispatch_due_on"],
                condition=models.Q(delivery="post", print_run__isnull=True, status="valid"),
                name="certificate_awaiting_print",
            )
        ]

    def __str__(self) -> str:
        return f"Certificate {self.number}"

    @property
    def is_replaced(self) -> bool:
        return self.status == CertificateStatus.REPLACED

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    @property
    def is_full_award(self) -> bool:
        """A qualification certificate (the rule of combination met), not a unit certificate."""
        return self.kind == CertificateKind.QUALIFICATION

    @property
    def display_code(self) -> str:
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def short_token(self) -> str:
        """Number and code in one path segment, for the short verify address and the QR."""
        return normalise_code(self.number) + "-" + self.verification_code

    @property
    def total_credits(self) -> int:
        return sum(int(unit.get("credits") or 0) for unit in self.units)


class CertificateDispatch(models.Model):
    """A batch's (or a claim's) certificates on their way to the centre, and when they all got
    there.

    For a centre taking digital certificates this is the one "certificates are ready" email
    (a claim's award: its delivery on the hub); for the others ``dispatched_at`` is set when
    the last of the certificates is posted (R-CRT-1), so at-risk and late mean what they say.
    A claim's full awards (R-CRT-2) have the same 10-working-day clock, from processing.

    ``claimed_at`` is taken by a conditional UPDATE before sending, so two workers never both
    send; a worker killed after claiming leaves a stale claim that the beat sweep takes over
    once it is older than HUB_DISPATCH_CLAIM_MINUTES.
    """

    batch = models.OneToOneField(
        Batch, on_delete=models.PROTECT, related_name="dispatch", null=True, blank=True
    )
    claim = models.OneToOneField(
        "claims.Claim",
        on_delete=models.PROTECT,
        related_name="certificate_dispatch",
        null=True,
        blank=True,
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(db_index=True)
    certificate_count = models.PositiveIntegerField(default=0)
    # R-CRT-1: digital dispatches end with the "ready" email; posted ones when posted.
    method = models.CharField(max_length=10, choices=Delivery.choices, default="post")
    claimed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_to = models.TextField(blank=True, help_text="Who the email went to, comma-separated.")

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name_plural = "certificate dispatches"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(batch__isnull=False) & models.Q(claim__isnull=True))
                | (models.Q(batch__isnull=True) & models.Q(claim__isnull=False)),
                name="certificatedispatch_batch_or_claim",
            )
        ]

    def __str__(self) -> str:
        return f"Dispatch for {self.source}"

    @property
    def source(self) -> str:
        """What the certificates came from, in words: "batch 12" or "claim 10001-AB12"."""
        if self.batch_id is not None:
            return f"batch {self.batch_id}"
        return f"claim {self.claim.number if self.claim else self.claim_id}"


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
