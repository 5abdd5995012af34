"""Reviews of moderation (appeals): a centre asks the awarding body to look again at a batch's
moderation outcome or a finalised claim (R-REV-1..3).

The state machine (R-REV-2) is declared once, on ``Review``, with django-fsm-2: Requested ->
Under review -> Upheld | Outcome changed. ``reviews.services`` is the only caller, through
``hub.fsm.transition`` (lock, check, move, history row); assigning a reviewer is not a
status change but writes a history row too. A decision that changes the outcome keeps one
``ReviewLine`` per learner-unit it changed, the before and after both sides see.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import transition

from centres.models import Centre
from hub.fsm import StatusField, StatusModelMixin


class ReviewStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UNDER_REVIEW = "under_review", "Under review"
    UPHELD = "upheld", "Upheld"
    OUTCOME_CHANGED = "outcome_changed", "Outcome changed"


S = ReviewStatus
OPEN = (S.REQUESTED, S.UNDER_REVIEW)
DECIDED = (S.UPHELD, S.OUTCOME_CHANGED)
# The staff may (re)assign a reviewer until the review is decided.
ASSIGNABLE = OPEN


def is_assigned_reviewer(review: Review, user) -> bool:
    """R-REV-2: only the reviewer the awarding body assigned moves the review."""
    return review.reviewer_id is not None and review.reviewer_id == getattr(user, "pk", None)


def _has_reviewer(review: Review) -> bool:
    return review.reviewer_id is not None


def evidence_key(instance: Review, filename: str) -> str:
    """A random storage key: neither the centre, the learner nor the file name shows."""
    key = uuid.uuid4().hex
    return f"reviews/{key[:2]}/{key}"


class Review(StatusModelMixin, models.Model):
    """One request to review one outcome: a batch's moderation outcome or a claim's
    finalised grades. Exactly one of ``batch`` and ``claim`` is set."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="reviews")
    batch = models.ForeignKey(
        "moderation.Batch",
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="reviews", null=True, blank=True
    )
    # Changed only by the transitions below (assigning it raises), safely under threads.
    status = StatusField(
        max_length=20, choices=ReviewStatus.choices, default=S.REQUESTED, db_index=True
    )
    reasons = models.TextField(help_text="Why the centre asks for a review.")
    evidence = models.FileField(upload_to=evidence_key, max_length=200, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_size = models.PositiveBigIntegerField(default=0)
    # The type the content checks found: the download is named and sent as that type.
    evidence_content_type = models.CharField(max_length=120, blank=True)
    # What was reviewed, as it stood when asked: the batch's or claim's status and the date
    # of the outcome (moderation outcome, or finalisation) the window counted from.
    outcome_status = models.CharField(max_length=30)
    outcome_at = models.DateTimeField()
    # The original moderator (a batch) or assessor (a claim): never its reviewer (R-REV-2).
    original_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews_assigned",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True, help_text="The reviewer's comments on the decision.")
    # R-REV-2's SLA clock: from Requested, HUB_REVIEW_SLA_WEEKS; cleared at the decision.
    sla_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(batch__isnull=False) & Q(claim__isnull=True))
                | (Q(batch__isnull=True) & Q(claim__isnull=False)),
                name="review_batch_xor_claim",
            ),
            # R-REV-1: one open review per batch and per claim, even under a double click.
            models.UniqueConstraint(
                fields=["batch"],
                condition=Q(batch__isnull=False, status__in=["requested", "under_review"]),
                name="review_one_open_per_batch",
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(claim__isnull=False, status__in=["requested", "under_review"]),
                name="review_one_open_per_claim",
            ),
        ]
        indexes = [
            # The centre's list and the reviewer's, newest first, a page at a time.
            models.Index(fields=["centre", "-requested_at", "-id"], name="review_centre_idx"),
            models.Index(fields=["reviewer", "-requested_at", "-id"], name="review_reviewer_idx"),
            # The SLA sweep reads only the open reviews' clocks.
            models.Index(
                fields=["sla_due_at"],
                condition=Q(sla_due_at__isnull=False),
                name="review_sla_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.subject_label}"

    # --- R-REV-2: the state machine ---

    @transition(
        field=status,
        source=S.REQUESTED,
        target=S.UNDER_REVIEW,
        conditions=[_has_reviewer],
        permission=is_assigned_reviewer,
    )
    def start(self) -> None:
        self.started_at = timezone.now()

    @transition(
        field=status,
        source=S.UNDER_REVIEW,
        target=S.UPHELD,
        permission=is_assigned_reviewer,
    )
    def uphold(self, *, comments: str = "") -> None:
        self._record_decision(comments)

    @transition(
        field=status,
        source=S.UNDER_REVIEW,
        target=S.OUTCOME_CHANGED,
        permission=is_assigned_reviewer,
    )
    def change_outcome(self, *, comments: str = "") -> None:
        self._record_decision(comments)

    def _record_decision(self, comments: str) -> None:
        # The clock stops at the decision (R-REV-2).
        self.comments = comments
        self.decided_at = timezone.now()
        self.sla_due_at = None

    # --- what pages read ---

    @property
    def subject(self):
        """The batch or claim under review."""
        return self.batch if self.batch_id is not None else self.claim

    @property
    def is_batch(self) -> bool:
        return self.batch_id is not None

    @property
    def subject_label(self) -> str:
        if self.batch_id is not None:
            return f"Batch {self.batch_id}"
        number = getattr(self.claim, "number", None) if self.claim_id else None
        return f"Claim {number or self.claim_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence)

    @property
    def is_overdue(self) -> bool:
        return self.sla_due_at is not None and self.sla_due_at < timezone.now()

    @property
    def sla_days_left(self) -> int | None:
        """Days until the SLA ends (negative once overdue); None once decided."""
        if self.sla_due_at is None:
            return None
        return (timezone.localdate(self.sla_due_at) - timezone.localdate()).days


class ResultLabel:
    """How a result reads on a review: the grade, or that there is none."""

    LABELS = {"pass": "Pass", "merit": "Merit", "distinction": "Distinction"}

    @classmethod
    def of(cls, value: str, *, is_batch: bool) -> str:
        if value in cls.LABELS:
            return cls.LABELS[value]
        return "Not passed" if is_batch else "Not achieved"


class ReviewLine(models.Model):
    """One learner-unit whose result an "Outcome changed" decision changed (R-REV-3).

    The names are copied at the decision, so the record reads the same if a learner is
    renamed later; ``before`` and ``after`` are PAR results ("" for none).
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lines")
    selection = models.ForeignKey(
        "par.UnitSelection", on_delete=models.PROTECT, related_name="review_lines"
    )
    batch_unit = models.ForeignKey(
        "moderation.BatchUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claim_line = models.ForeignKey(
        "claims.ClaimLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    learner_name = models.CharField(max_length=200)
    p_number = models.CharField(max_length=10)
    unit_code = models.CharField(max_length=20)
    unit_title = models.CharField(max_length=255, blank=True)
    before = models.CharField(max_length=20, blank=True)
    after = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["learner_name", "p_number", "unit_code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "selection"], name="reviewline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.p_number} {self.unit_code}: {self.before or '-'} -> {self.after or '-'}"

    @property
    def before_label(self) -> str:
        return ResultLabel.of(self.before, is_batch=self.batch_unit_id is not None)

    @property
    def after_label(self) -> str:
        return ResultLabel.of(self.after, is_batch=self.batch_unit_id is not None)


class HistoryEvent(models.TextChoices):
    REQUESTED = "requested", "Review requested"
    ASSIGNED = "assigned", "Reviewer assigned"
    TRANSITION = "transition", "Status changed"


class ReviewHistory(models.Model):
    """Append-only: who did what to the review, when, from which status to which, and why
    (R-NEW-3). The centre and the reviewer see the same rows."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=20, choices=HistoryEvent.choices)
    from_status = models.CharField(max_length=20, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReviewStatus.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "review history"
        indexes = [models.Index(fields=["review", "at", "id"], name="reviewhistory_review_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} review {self.review_id} {self.event}"
