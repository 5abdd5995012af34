"""Moderation batches: the learner-units a centre claims, its evidence, and the outcome.

The state machine (R-BAT-7) is declared once, on ``Batch``, with django-fsm-2: each
transition names its source, target, guard and who may fire it. ``moderation.services``
is the only caller; it locks the row, re-checks and writes the history row.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django_fsm import transition

from centres.models import BodyRole, Centre, Membership, Qualification
from hub.fsm import StatusField, StatusModelMixin
from hub.tallies import Tally
from hub.workdays import add_working_days

DELETION_WORKING_DAYS = 5
SLA_DAYS = 28  # R-SLA-1: four weeks from With Moderator, restarted at Centre re-submitted
DEFAULT_SAMPLE_PERCENT = 15  # R-BAT-6
FIRST_SUBMISSION_SAMPLE_PERCENT = 100


class BatchStatus(models.TextChoices):
    # Before the first "Submit" the batch is the centre's draft: documents and units are
    # being chosen, nothing is claimed and nobody else sees it. The six statuses after it
    # are R-BAT-7's, named as centre staff know them.
    DRAFT = "draft", "Not yet submitted"
    CENTRE_COMPLETING = "centre_completing", "Centre Completing"
    WITH_MODERATOR = "with_moderator", "With Moderator"
    RETURNED = "returned", "Returned for editing"
    INSUFFICIENT_SAMPLE = "insufficient_sample", "Insufficient sample"
    RESUBMITTED = "resubmitted", "Centre re-submitted"
    COMPLETE = "complete", "Complete"


S = BatchStatus
OUTCOMES = (S.RETURNED, S.INSUFFICIENT_SAMPLE, S.COMPLETE)
# The moderator's outcome (a form's choice) -> the transition on Batch that records it.
OUTCOME_TRANSITIONS = {
    S.RETURNED: "return_for_editing",
    S.INSUFFICIENT_SAMPLE: "mark_insufficient_sample",
    S.COMPLETE: "complete",
}
AWAITING_MODERATOR = (S.WITH_MODERATOR, S.RESUBMITTED)
# The statuses below are the only place views, templates and services learn what may be
# changed besides the transitions themselves (which they ask through hub.fsm).
# What the centre may change in each status (R-BAT-5, R-BAT-8); services refuse the rest.
UNITS_EDITABLE = (S.DRAFT,)  # the draft: units are ticked, nothing is claimed yet
OVERRIDE_CHANGEABLE = (S.DRAFT, S.CENTRE_COMPLETING)  # R-BAT-3, until the batch is submitted
DOCUMENTS_EDITABLE = (S.DRAFT, S.CENTRE_COMPLETING, S.RETURNED, S.INSUFFICIENT_SAMPLE)
SAMPLES_ADDABLE = (S.CENTRE_COMPLETING, S.INSUFFICIENT_SAMPLE)
SAMPLES_REMOVABLE = (S.CENTRE_COMPLETING,)
# R-SMP-1: while the centre completes the batch it may accept a suggested sample as the
# slots it means to fill, change that choice, or ignore it.
SAMPLE_PLANNABLE = (S.CENTRE_COMPLETING,)
# Before "Submit Batch" a learner-unit that does not reconcile with the registrations (a
# learner no longer current, say) can be taken off the batch (R-NEW-2), as the whole batch
# could be deleted (R-BAT-9).
UNITS_REMOVABLE = (S.CENTRE_COMPLETING,)
CENTRE_DELETABLE = (S.DRAFT, S.CENTRE_COMPLETING)
DELETION_REQUESTABLE = (S.WITH_MODERATOR, S.RETURNED, S.INSUFFICIENT_SAMPLE, S.RESUBMITTED)


def is_centre_member(batch: Batch, user) -> bool:
    """Whether ``user`` works in the batch's centre with the Moderation grant."""
    return (
        Membership.objects.active()
        .filter(user_id=user.pk, centre_id=batch.centre_id, can_moderation=True)
        .exists()
    )


def is_assigned_moderator(batch: Batch, user) -> bool:
    return user.body_role == BodyRole.MODERATOR and batch.moderator_id == user.pk


def _documents_ready(batch: Batch) -> bool:
    return batch.override_documents or batch.missing_documents() == []


def _has_units(batch: Batch) -> bool:
    return batch.units.filter(released_at__isnull=True).exists()


def _sample_met(batch: Batch) -> bool:
    return batch.sample_rule().shortfall == 0


class BatchQuerySet(models.QuerySet):
    def live(self):
        """Batches not deleted (a centre never sees deleted ones)."""
        return self.filter(deleted_at__isnull=True)

    def for_centre(self, centre: Centre):
        return self.live().filter(centre=centre)

    def deleted_by_body(self):
        """Batches an awarding-body admin deleted: the centre still sees their tombstone."""
        return self.filter(deleted_at__isnull=False, files_purged_at__isnull=False)

    def submitted(self):
        return self.exclude(status=S.DRAFT)


class Batch(StatusModelMixin, models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="batches")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="batches"
    )
    # Changed only by the transitions below (assigning it raises), safely under threads.
    status = StatusField(max_length=30, choices=BatchStatus.choices, default=S.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # R-BAT-3: the Quality Manager's "Override IV Feedback and Assessment Brief Upload".
    override_documents = models.BooleanField(default=False)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    override_at = models.DateTimeField(null=True, blank=True)

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderated_batches",
        limit_choices_to={"body_role": BodyRole.MODERATOR},
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    units_submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the centre chose the units (Centre Completing)."
    )
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="First 'Submit Batch' (With Moderator)."
    )
    sample_required = models.PositiveIntegerField(
        null=True, blank=True, help_text="The R-BAT-6 minimum when the batch was submitted."
    )
    # The SLA clock (R-SLA-1): started at With Moderator, restarted at Centre re-submitted,
    # stopped (due cleared) at any outcome. The background-work issue sweeps sla_due_at.
    sla_started_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    deletion_requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deletion_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deletion_reason = models.TextField(blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    files_purged_at = models.DateTimeField(null=True, blank=True)
    # The tombstone the centre sees (R-BAT-9): who deleted it by role, never by name, and why.
    deleted_by_role = models.CharField(max_length=60, blank=True)
    deleted_reason = models.TextField(blank=True)
    # An awarding-body admin's extension of the SLA (R-SLA-1), shown to both sides; cleared
    # when the clock restarts.
    sla_extended_at = models.DateTimeField(null=True, blank=True)
    sla_extension_reason = models.TextField(blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "batches"
        indexes = [
            models.Index(fields=["centre", "qualification", "submitted_at"]),
            # The lists' sort orders, so a page is read off an index (issue 9): the centre's
            # open and completed batches, the moderator's own queue, and the batches
            # waiting for any moderator (10,000 of them at an awarding body's size).
            models.Index(fields=["centre", "created_at", "id"], name="batch_centre_created_idx"),
            models.Index(
                fields=["centre", "completed_at", "id"], name="batch_centre_completed_idx"
            ),
            models.Index(fields=["moderator", "sla_due_at", "id"], name="batch_moderator_sla_idx"),
            models.Index(
                fields=["sla_due_at", "id"],
                condition=Q(moderator__isnull=True, deleted_at__isnull=True),
                name="batch_unassigned_sla_idx",
            ),
            # The queue's "Recently decided": a moderator's latest outcomes. Without it the
            # query read every batch awaiting them (5,001 at the bench) to find none decided.
            models.Index(
                fields=["moderator", "-outcome_at", "-id"],
                condition=Q(deleted_at__isnull=True) & ~Q(status__in=AWAITING_MODERATOR),
                name="batch_moderator_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.get_status_display()})"

    # --- R-BAT-7: the only arrows there are -------------------------------------------
    @transition(
        field=status,
        source=S.DRAFT,
        target=S.CENTRE_COMPLETING,
        conditions=[_documents_ready, _has_units],
        permission=is_centre_member,
    )
    def submit_units(self) -> None:
        self.units_submitted_at = timezone.now()

    @transition(
        field=status,
        source=S.CENTRE_COMPLETING,
        target=S.WITH_MODERATOR,
        conditions=[_documents_ready, _sample_met],
        permission=is_centre_member,
    )
    def submit(self) -> None:
        now = timezone.now()
        self.submitted_at = now
        self.sample_required = self.sample_rule().required
        self._start_sla(now)

    @transition(
        field=status,
        source=AWAITING_MODERATOR,
        target=S.RETURNED,
        permission=is_assigned_moderator,
    )
    def return_for_editing(self) -> None:
        self._record_outcome()

    @transition(
        field=status,
        source=AWAITING_MODERATOR,
        target=S.INSUFFICIENT_SAMPLE,
        permission=is_assigned_moderator,
    )
    def mark_insufficient_sample(self) -> None:
        self._record_outcome()

    @transition(
        field=status,
        source=AWAITING_MODERATOR,
        target=S.COMPLETE,
        permission=is_assigned_moderator,
    )
    def complete(self) -> None:
        self._record_outcome()
        self.completed_at = self.outcome_at

    @transition(
        field=status,
        source=[S.RETURNED, S.INSUFFICIENT_SAMPLE],
        target=S.RESUBMITTED,
        conditions=[_documents_ready],
        permission=is_centre_member,
    )
    def resubmit(self) -> None:
        self._start_sla(timezone.now())

    def _start_sla(self, now) -> None:
        self.sla_started_at = now
        self.sla_due_at = now + timedelta(days=SLA_DAYS)
        self.sla_extended_at = None
        self.sla_extension_reason = ""

    def _record_outcome(self) -> None:
        self.outcome_at = timezone.now()
        self.sla_due_at = None

    # --- reading ----------------------------------------------------------------------
    @property
    def is_draft(self) -> bool:
        """Not submitted yet: the centre is still choosing documents and units."""
        return self.status in UNITS_EDITABLE

    @property
    def is_complete(self) -> bool:
        """Moderated and passed: its results are on the PAR and its certificates issued."""
        return self.status == S.COMPLETE

    @property
    def is_returned_for_editing(self) -> bool:
        return self.status == S.RETURNED

    @property
    def is_insufficient_sample(self) -> bool:
        return self.status == S.INSUFFICIENT_SAMPLE

    @property
    def deletion_target_date(self):
        """R-BAT-9: a requested deletion is carried out within 5 working days."""
        if self.deletion_requested_at is None:
            return None
        requested = timezone.localdate(self.deletion_requested_at)
        return add_working_days(requested, DELETION_WORKING_DAYS)

    @property
    def is_overdue(self) -> bool:
        return self.sla_due_at is not None and self.sla_due_at < timezone.now()

    @property
    def sla_days_left(self) -> int | None:
        """Calendar days until the SLA is due (negative once overdue); None when no clock runs."""
        if self.sla_due_at is None:
            return None
        return (timezone.localdate(self.sla_due_at) - timezone.localdate()).days

    @property
    def sla_days_overdue(self) -> int:
        days = self.sla_days_left
        return -days if days is not None and days < 0 else 0

    def missing_documents(self) -> list[str]:
        """Labels of the R-BAT-1 documents not uploaded yet."""
        present = set(
            self.documents.current()
            .filter(kind__in=[DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF])
            .values_list("kind", flat=True)
        )
        return [
            kind.label
            for kind in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF)
            if kind not in present
        ]

    def sample_rule(
        self,
        *,
        claimed: int | None = None,
        uploaded: int | None = None,
        basis: tuple[int | None, bool] | None = None,
    ) -> SampleRule:
        """The R-BAT-6 requirement as it stands; pass what is already known to save queries.

        ``basis``: the centre's own rate (None when it has none) and whether an earlier
        submission exists (``earlier_submissions``), read with the page's counts.
        """
        if claimed is None:
            claimed = self.units.filter(released_at__isnull=True).count()
        if uploaded is None:
            uploaded = (
                self.documents.current()
                .filter(kind=DocumentKind.SAMPLE)
                .values("batch_unit")
                .distinct()
                .count()
            )
        if basis is None:
            rate = (
                CentreSampleRate.objects.filter(centre_id=self.centre_id)
                .values_list("percent", flat=True)
                .first()
            )
            earlier = None
        else:
            rate, earlier = basis
        if rate is not None:
            percent, reason = rate, "the rate the awarding body set for your centre"
        elif not (self.earlier_submissions().exists() if earlier is None else earlier):
            percent = FIRST_SUBMISSION_SAMPLE_PERCENT
            reason = "your centre's first submission for this qualification"
        else:
            percent, reason = DEFAULT_SAMPLE_PERCENT, "the standard minimum sample"
        return SampleRule(claimed=claimed, uploaded=uploaded, percent=percent, reason=reason)

    def earlier_submissions(self) -> models.QuerySet:
        """Other live batches of this centre and qualification submitted before this one."""
        if self.submitted_at is not None:
            earlier = Q(submitted_at__lt=self.submitted_at)
        else:
            earlier = Q(submitted_at__isnull=False)
        return (
            Batch.objects.live()
            .filter(earlier, centre_id=self.centre_id, qualification_id=self.qualification_id)
            .exclude(pk=self.pk)
        )

    def is_first_submission(self) -> bool:
        """True when no other live batch of this centre and qualification was submitted."""
        return not self.earlier_submissions().exists()


class SampleRule:
    """R-BAT-6: at least ``percent`` % of the claimed learner-units, rounded up, at least 1."""

    def __init__(self, *, claimed: int, uploaded: int, percent: int, reason: str) -> None:
        self.claimed = claimed
        self.uploaded = uploaded
        self.percent = percent
        self.reason = reason

    @property
    def required(self) -> int:
        if self.claimed == 0:
            return 0
        return min(self.claimed, max(1, math.ceil(self.claimed * self.percent / 100)))

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.uploaded)

    @property
    def met(self) -> bool:
        return self.shortfall == 0


# BatchUnit's copy of what orders the slot list, and where each comes from on UnitSelection.
SLOT_ORDER_SOURCES = {
    "order_last_name": "registration__learner__last_name",
    "order_first_name": "registration__learner__first_name",
    "order_p_number": "registration__learner__membership_number",
    "order_unit_code": "unit__code",
}


class BatchTally(models.Model):
    """How many live batches (not deleted) each centre has in each status with each moderator
    (0: nobody), kept exact by the database: triggers on Batch (hub.tallies, migration 0009)
    add and take away in the writing statement's transaction, whatever writes. The moderation
    queue's and the batch list's page counts read a few rows here instead of counting 10,000
    open batches on every page view (issue 9). Read through ``moderation.selectors``.
    """

    TALLY = Tally(
        name="batch",
        source="moderation_batch",
        table="moderation_batchtally",
        keys=("centre_id", "status", "moderator_id"),
        where="deleted_at IS NULL",
        watched=("deleted_at",),
        nullable=("moderator_id",),
    )

    centre_id = models.BigIntegerField()
    status = models.CharField(max_length=30)
    moderator_id = models.BigIntegerField()  # 0: no moderator
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["centre_id", "status", "moderator_id"], name="batch_tally_key"
            )
        ]
        # The queue's counts: a moderator's batches awaiting them, and nobody's.
        indexes = [models.Index(fields=["moderator_id", "status"], name="batch_tally_queue_idx")]

    def __str__(self) -> str:
        return f"{self.n} {self.status} at centre {self.centre_id}, moderator {self.moderator_id}"


class BatchSlotTally(models.Model):
    """How many live slots (learner-units not released) each batch has, by whether they are
    slots to fill (R-SMP-1) and top-ups (R-SMP-3), kept exact by the database: triggers on
    BatchUnit (hub.tallies, migration 0011) add and take away in the writing statement's
    transaction, whatever writes. The batch page's and the review's counts read a few rows
    here instead of counting a batch's 2,000 learner-units on every view (issue 9). Read
    through ``moderation.selectors.batch_slot_counts``.
    """

    TALLY = Tally(
        name="batchslot",
        source="moderation_batchunit",
        table="moderation_batchslottally",
        keys=("batch_id", "to_fill", "top_up"),
        where="released_at IS NULL",
        watched=("released_at",),
    )

    batch_id = models.BigIntegerField()
    to_fill = models.BooleanField()
    top_up = models.BooleanField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch_id", "to_fill", "top_up"], name="batchslot_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.n} slots of batch {self.batch_id} (to fill {self.to_fill}, top-up {self.top_up})"


class BatchUnitQuerySet(models.QuerySet):
    def fill_slot_order(self) -> int:
        """Copy the slot order from the learners and units, for rows bulk-created without it."""
        from par.models import UnitSelection

        return self.update(
            **{
                name: Subquery(
                    UnitSelection.objects.filter(pk=OuterRef("selection_id")).values(source)[:1]
                )
                for name, source in SLOT_ORDER_SOURCES.items()
            }
        )


class BatchUnit(models.Model):
    """One learner-unit claimed on a batch; pins its PAR selection until the batch is deleted."""

    # "Tick all matching" inserts 100,000 of these in one statement, so each per-row cost
    # counts: four indexes, no more (batchunit_slot_order_idx serves the batch's lookups,
    # batchunit_unique the selection's). Neither key is a database constraint: PostgreSQL
    # checks those with a query per inserted row (half the statement's time). Rows are only
    # written by moderation.services, which locks the batch row and the chosen selections'
    # rows (as the checks would) before it inserts them; on_delete still runs in Django.
    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="units", db_index=False, db_constraint=False
    )
    selection = models.ForeignKey(
        "par.UnitSelection",
        on_delete=models.PROTECT,
        related_name="batch_units",
        db_index=False,
        db_constraint=False,
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    # Set when the batch is deleted, or the learner-unit taken off it before "Submit Batch"
    # (UNITS_REMOVABLE): the learner-unit may then be claimed again.
    released_at = models.DateTimeField(null=True, blank=True)
    # The slot list's order (surname, first name, P number, unit code; SLOT_ORDER_SOURCES),
    # copied when the unit is claimed, so a page of a 2,000-slot batch is read off
    # batchunit_slot_order_idx instead of joining and sorting every slot for each page.
    # The page shows the learner's current name; a learner renamed since keeps their place.
    order_last_name = models.CharField(max_length=100, blank=True)
    order_first_name = models.CharField(max_length=100, blank=True)
    order_p_number = models.CharField(max_length=10, blank=True)
    order_unit_code = models.CharField(max_length=20, blank=True)
    # R-SMP-1: one of the slots the centre chose to fill (an accepted, perhaps changed,
    # "Suggest a sample"); the batch page highlights it. A plain column, no index: the
    # batch's slots are read by batchunit_slot_order_idx and filtered there.
    to_fill = models.BooleanField(default=False)
    # R-SMP-3: the moderator asked for this learner-unit's work with "Insufficient sample"
    # (a top-up); "Resubmit" is refused until it has a file.
    top_up = models.BooleanField(default=False)

    objects = BatchUnitQuerySet.as_manager()

    class Meta:
        constraints = [
            # The selection first: it also serves the lookups by selection (PAR's PROTECT).
            models.UniqueConstraint(fields=["selection", "batch"], name="batchunit_unique"),
            # A learner-unit is in at most one batch that is not deleted (R-BAT-4), even
            # when two colleagues submit at the same moment.
            models.UniqueConstraint(
                fields=["selection"],
                condition=Q(released_at__isnull=True),
                name="batchunit_one_live_batch",
            ),
        ]
        indexes = [
            models.Index(
                fields=[
                    "batch",
                    "order_last_name",
                    "order_first_name",
                    "order_p_number",
                    "order_unit_code",
                    "id",
                ],
                name="batchunit_slot_order_idx",
            ),
            # The slots to fill and top-ups still counted per view (those without a file,
            # which the tally cannot know): only they, not the batch's every learner-unit.
            models.Index(
                fields=["batch"],
                condition=Q(released_at__isnull=True) & (Q(to_fill=True) | Q(top_up=True)),
                name="batchunit_marked_idx",
            ),
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.selection_id} in batch {self.batch_id}"


class DocumentKind(models.TextChoices):
    IV_FEEDBACK = "iv_feedback", "IV Feedback"
    BRIEF = "brief", "Assessment Brief"
    SAMPLE = "sample", "Learner work"
    COMMENTS = "comments", "Moderator's comments"


def document_key(instance: BatchDocument, filename: str) -> str:
    """A random storage key: neither the centre, the learner nor the file name shows."""
    key = uuid.uuid4().hex
    return f"moderation/{key[:2]}/{key}"


class BatchDocumentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)


class BatchDocument(models.Model):
    """One uploaded file. Replacing one keeps the old row as an earlier version (R-NEW-4)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    batch_unit = models.ForeignKey(
        BatchUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(upload_to=document_key, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BatchDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        # The batch page counts the slots with a file from this alone (no learner-unit read).
        indexes = [
            models.Index(
                fields=["batch"],
                condition=Q(kind="sample", superseded_at__isnull=True),
                name="batchdoc_current_sample_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "kind"],
                condition=Q(superseded_at__isnull=True, kind__in=["iv_feedback", "brief"]),
                name="batchdocument_one_current_document",
            ),
            models.UniqueConstraint(
                fields=["batch_unit"],
                condition=Q(superseded_at__isnull=True, kind="sample"),
                name="batchdocument_one_current_sample",
            ),
            models.CheckConstraint(
                condition=Q(kind="sample", batch_unit__isnull=False)
                | (~Q(kind="sample") & Q(batch_unit__isnull=True)),
                name="batchdocument_sample_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class HistoryEvent(models.TextChoices):
    CREATED = "created", "Batch started"
    TRANSITION = "transition", "Status changed"
    DOCUMENT = "document", "File uploaded"
    DOCUMENT_REMOVED = "document_removed", "File removed"
    UNIT_REMOVED = "unit_removed", "Learner-unit removed"
    OVERRIDE = "override", "Document upload overridden"
    ASSIGNED = "assigned", "Moderator assigned"
    DELETION_REQUESTED = "deletion_requested", "Deletion requested"
    DELETED = "deleted", "Batch deleted"
    SLA_EXTENDED = "sla_extended", "SLA due date changed"
    SAMPLE_PLANNED = "sample_planned", "Slots to fill chosen"
    TOP_UP = "top_up", "Top-up asked for"


class BatchHistory(models.Model):
    """Append-only: who did what to the batch, when, from which status to which (R-NEW-3)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=30, choices=HistoryEvent.choices)
    from_status = models.CharField(max_length=30, choices=BatchStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=BatchStatus.choices, blank=True)
    note = models.TextField(blank=True)
    document = models.ForeignKey(
        BatchDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "batch history"
        # The batch page shows the newest page of a history that grows with every upload.
        indexes = [models.Index(fields=["batch", "at", "id"], name="batchhistory_batch_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} batch {self.batch_id} {self.event}"


class CentreSampleRate(models.Model):
    """An awarding-body admin's sample rate for one centre, replacing R-BAT-6's default."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="sample_rate")
    percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    note = models.CharField(max_length=255, blank=True, help_text="Why this centre's rate differs.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["centre__name"]

    def __str__(self) -> str:
        return f"{self.centre}: {self.percent}%"
