"""Grade claims: the second route to certification, moderated by a visiting assessor.

A centre builds a claim for one claim-route qualification out of lines (a registration, a
unit, a grade and the centre assessor who marked it), submits it to the awarding body's
assessor, who samples it, visits, and finalises the agreed grades; processing then posts
them to the PAR. The claim's statuses and the only arrows between them (R-CLM-10) are
declared once, on ``Claim``, with django-fsm; services in ``claims.services`` are the only
callers.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django_fsm import transition

from centres.models import BodyRole, Centre, Qualification, Registration, Unit
from hub.fsm import StatusField, StatusModelMixin

# The qualification-level state shown when a centre has no claim for it (R-CLM-10).
NO_CLAIMS_SUBMITTED = "No claims submitted"

# R-CLM-12: how long before the planned moderation visit entries and submissions are due.
ENTRY_LEAD = timedelta(weeks=4)
SUBMISSION_LEAD = timedelta(weeks=2)
# The warning shows this long before a deadline passes ("warn early").
WARNING_WINDOW = timedelta(weeks=2)
# R-CLM-11: processed and withdrawn claims stay in the history this long.
HISTORY_RETENTION = timedelta(days=365)


class ClaimStatus(models.TextChoices):
    UNSUBMITTED = "unsubmitted", "Unsubmitted"
    SUBMITTED = "submitted", "Submitted"
    SAMPLED = "sampled", "Sampled"
    FINALISED = "finalised", "Finalised"
    PROCESSED = "processed", "Processed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The statuses after the visit, when each line carries the assessor's agreed outcome.
OUTCOMES_AGREED = (ClaimStatus.FINALISED, ClaimStatus.PROCESSED)


class ClaimQuerySet(models.QuerySet):
    def unsubmitted(self):
        """The claims still being written (R-CLM-3: at most one per centre and qualification)."""
        return self.filter(status=ClaimStatus.UNSUBMITTED)


class Grade(models.TextChoices):
    """A claimed grade; the values match ``par.models.Result`` so they post unchanged."""

    PASS = "pass", "Pass"
    MERIT = "merit", "Merit"
    DISTINCTION = "distinction", "Distinction"


# The assessor's outcome for a line after the visit: an agreed grade, or withdrawn.
LINE_WITHDRAWN = "withdrawn"
OUTCOME_CHOICES = [*Grade.choices, (LINE_WITHDRAWN, "Withdrawn")]

# Which side may move a claim along each arrow.
CENTRE = "centre"
ASSESSOR = "assessor"
SYSTEM = "system"


def _is_centre_user(claim: Claim, user) -> bool:
    # The rules live with the views' access helpers; imported here to avoid a cycle.
    from .access import is_claims_member

    return is_claims_member(user, claim.centre_id)


def _is_assessor(claim: Claim, user) -> bool:
    from .access import is_assigned_assessor

    return is_assigned_assessor(user, claim.centre_id)


def _is_system(claim: Claim, user) -> bool:
    # Processing runs in a background task, never on a person's request.
    return user is None


def _has_lines(claim: Claim) -> bool:
    return claim.lines.exists()


def _has_agreed_lines(claim: Claim) -> bool:
    return claim.lines.exclude(outcome=LINE_WITHDRAWN).exists()


def _has_sample(claim: Claim) -> bool:
    return claim.lines.filter(sampled=True).exists()


def _is_declared(claim: Claim) -> bool:
    return claim.declared_at is not None


class Claim(StatusModelMixin, models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="claims")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="claims"
    )
    # Changed only by the transitions below (assigning it raises), safely under threads.
    status = StatusField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNSUBMITTED, db_index=True
    )
    number = models.CharField(
        "claim number", max_length=30, unique=True, null=True, blank=True, editable=False
    )
    reference = models.CharField(max_length=30, unique=True, null=True, blank=True, editable=False)
    contact_email = models.EmailField(
        blank=True, help_text="Where the sample and completion emails go; a generic address."
    )
    visit_date = models.DateField(
        "planned moderation visit", null=True, blank=True, help_text="R-CLM-12 deadlines."
    )
    late_allowed = models.BooleanField(
        "allow late entries and submission",
        default=False,
        help_text="Set by the awarding body to lift R-CLM-12's deadlines for this claim.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True, editable=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    sampled_at = models.DateTimeField(null=True, blank=True, editable=False)
    finalised_at = models.DateTimeField(null=True, blank=True, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        constraints = [
            # R-CLM-3 in the database: a second Unsubmitted claim cannot exist, whatever
            # the UI or a double click does.
            models.UniqueConstraint(
                fields=["centre", "qualification"],
                condition=Q(status="unsubmitted"),
                name="claim_one_unsubmitted_per_centre_qualification",
            )
        ]
        # The claim history, newest first, read a page at a time for one centre.
        indexes = [
            models.Index(fields=["centre", "created_at", "id"], name="claim_centre_created_idx")
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number or f"Unsubmitted claim {self.pk} for {self.qualification.code}"

    @property
    def is_editable(self) -> bool:
        return self.status == ClaimStatus.UNSUBMITTED

    @property
    def has_outcomes(self) -> bool:
        """Whether the lines carry the grades agreed at the visit."""
        return self.status in OUTCOMES_AGREED

    @property
    def is_sampled(self) -> bool:
        return self.status == ClaimStatus.SAMPLED

    # --- R-CLM-10: the only arrows. Each names who may take it; guards are conditions. ---

    @transition(
        field=status,
        source=ClaimStatus.UNSUBMITTED,
        target=ClaimStatus.SUBMITTED,
        conditions=[_has_lines, _is_declared],
        permission=_is_centre_user,
        custom={"by": CENTRE},
    )
    def submit(self) -> None:
        """Send the claim to the assessor; no edits after this."""

    @transition(
        field=status,
        source=ClaimStatus.SUBMITTED,
        target=ClaimStatus.SAMPLED,
        conditions=[_has_sample],
        permission=_is_assessor,
        custom={"by": ASSESSOR},
    )
    def sample(self) -> None:
        """Record the assessor's sample."""

    @transition(
        field=status,
        source=ClaimStatus.SAMPLED,
        target=ClaimStatus.FINALISED,
        permission=_is_assessor,
        custom={"by": ASSESSOR},
    )
    def finalise(self) -> None:
        """Record the grades agreed at the visit."""

    @transition(
        field=status,
        source=ClaimStatus.FINALISED,
        target=ClaimStatus.PROCESSED,
        conditions=[_has_agreed_lines],
        permission=_is_system,
        custom={"by": SYSTEM},
    )
    def process(self) -> None:
        """Mark the agreed grades as posted to the PAR."""

    @transition(
        field=status,
        source=[ClaimStatus.SUBMITTED, ClaimStatus.SAMPLED],
        target=ClaimStatus.WITHDRAWN,
        permission=_is_assessor,
        custom={"by": ASSESSOR},
    )
    def withdraw(self) -> None:
        """Withdraw the whole claim."""

    # --- R-CLM-12 ---

    @property
    def entry_deadline(self):
        return self.visit_date - ENTRY_LEAD if self.visit_date else None

    @property
    def submission_deadline(self):
        return self.visit_date - SUBMISSION_LEAD if self.visit_date else None

    def submission_is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        deadline = self.submission_deadline
        return bool(deadline and today > deadline and not self.late_allowed)

    def entry_is_late(self, registration: Registration) -> bool:
        deadline = self.entry_deadline
        return bool(deadline and registration.registered_on > deadline and not self.late_allowed)


class ClaimHistory(models.Model):
    """One status change of a claim: who, when, from, to, why (R-NEW-3). Append-only."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Blank for the row that records the claim being started.
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "claim history"

    def __str__(self) -> str:
        return f"{self.claim}: {self.from_status} -> {self.to_status}"


initials_validator = RegexValidator(
    r"^[A-Za-z0-9]{1,4}$", "Use up to 4 letters or digits: initials or a teacher code."
)


class CentreAssessor(models.Model):
    """A person at the centre who marked the work, named on claim lines (R-CLM-1).

    Not the awarding body's visiting assessor. Set up per qualification; the initials (or a
    teacher code) identify one person within the centre.
    """

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="centre_assessors")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="centre_assessors"
    )
    name = models.CharField("full name", max_length=150)
    initials = models.CharField(
        "initials or teacher code", max_length=4, validators=[initials_validator]
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "centre",
                "qualification",
                Upper("initials"),
                name="centreassessor_unique_initials",
            )
        ]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.initials})"


class ClaimLine(models.Model):
    """One unit claimed for one candidate, with its grade and centre assessor."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="claim_lines"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="claim_lines")
    grade = models.CharField(max_length=20, choices=Grade.choices)
    assessor = models.ForeignKey(
        CentreAssessor, on_delete=models.PROTECT, related_name="claim_lines"
    )
    other_awarding_body = models.CharField(
        "awarding body", max_length=150, blank=True, help_text="Only for units achieved elsewhere."
    )
    sampled = models.BooleanField(default=False)
    # The assessor's outcome after the visit: the agreed grade, or withdrawn.
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "registration", "unit"], name="claimline_unique"
            )
        ]
        indexes = [models.Index(fields=["registration", "unit"])]
        ordering = ["registration__learner__last_name", "registration_id", "unit__code"]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.grade} for {self.registration}"


class AssessorAssignment(models.Model):
    """Which awarding-body assessor visits which centre; scopes what they see (R-ACC-2)."""

    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="claim_assignments",
        limit_choices_to={"body_role": BodyRole.ASSESSOR},
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="assessor_assignments"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessor", "centre"], name="assessorassignment_unique")
        ]
        ordering = ["centre__number", "assessor__email"]

    def __str__(self) -> str:
        return f"{self.assessor} visits {self.centre}"
