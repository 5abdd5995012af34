"""Accounts, centres, the catalogue and learners: what every section stands on."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from hub.tallies import Tally


class Section(models.TextChoices):
    """The centre-side sections on the home grid, each granted per membership (R-ACC-1)."""

    PAR = "par", "ADD Optional Units (Formerly PAR)"
    MODERATION = "moderation", "Moderation"
    CLAIMS = "claims", "Claims"
    LEARNERS = "learners", "Learners"
    STAFF = "staff", "Staff access"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class BodyRole(models.TextChoices):
    """Roles on the awarding body's side; centre roles live on Membership."""

    NONE = "", "None (centre user)"
    MODERATOR = "moderator", "Moderator"
    ASSESSOR = "assessor", "Assessor"
    DATA_ADMIN = "data_admin", "Customer Data Administrator"


class User(AbstractUser):
    """A person who logs in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    body_role = models.CharField(
        "awarding-body role", max_length=20, choices=BodyRole.choices, blank=True, default=""
    )
    # The centre picked under "Available Centres"; kept across sessions.
    current_centre = models.ForeignKey(
        "centres.Centre", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_data_admin(self) -> bool:
        return self.is_staff or self.body_role == BodyRole.DATA_ADMIN


class Centre(models.Model):
    number = models.CharField(max_length=10, unique=True, help_text="The centre number.")
    name = models.CharField(max_length=200)
    contact_email = models.EmailField(
        "generic contact email", blank=True, help_text="A shared address, not a person's."
    )
    is_active = models.BooleanField(default=True)
    # R-CRT-1: a centre that takes digital certificates gets them when issued (the dispatch
    # clock ends there); any other centre's wait for a print run and the post.
    digital_certificates = models.BooleanField(
        "takes digital certificates",
        default=False,
        help_text="Certificates are delivered as PDFs when issued instead of printed and posted.",
    )
    qualifications = models.ManyToManyField(
        "centres.Qualification", through="centres.Approval", related_name="centres", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Role(models.TextChoices):
    PROGRAMME_DIRECTOR = "programme_director", "Programme Director"
    CENTRE_ADMINISTRATOR = "centre_administrator", "Centre Administrator"
    TUTOR = "tutor", "Tutor"
    QUALITY_MANAGER = "quality_manager", "Quality Manager"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, centre__is_active=True)


class Membership(models.Model):
    """A user's place at one centre: their role and the sections they are granted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    can_par = models.BooleanField("PAR", default=False)
    can_moderation = models.BooleanField("Moderation", default=False)
    can_claims = models.BooleanField("Claims", default=False)
    can_learners = models.BooleanField("Learners", default=False)
    can_staff = models.BooleanField("Staff", default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    GRANT_FIELDS = {
        Section.PAR: "can_par",
        Section.MODERATION: "can_moderation",
        Section.CLAIMS: "can_claims",
        Section.LEARNERS: "can_learners",
        Section.STAFF: "can_staff",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "centre"], name="membership_unique_user_centre")
        ]
        ordering = ["centre__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} at {self.centre} ({self.get_role_display()})"

    def grants(self, section: Section | str) -> bool:
        return bool(getattr(self, self.GRANT_FIELDS[Section(section)]))

    @property
    def granted_sections(self) -> list[Section]:
        return [s for s in Section if self.grants(s)]

    @property
    def is_programme_director(self) -> bool:
        return self.role == Role.PROGRAMME_DIRECTOR

    @property
    def is_quality_manager(self) -> bool:
        return self.role == Role.QUALITY_MANAGER


class Route(models.TextChoices):
    BATCH = "batch", "Moderation batch"
    CLAIM = "claim", "Grade claim"


class Grading(models.TextChoices):
    PASS_ONLY = "pass", "Pass only"
    PMD = "pmd", "Pass / Merit / Distinction"


class Qualification(models.Model):
    code = models.CharField("entry code", max_length=20, unique=True)
    title = models.CharField(max_length=255)
    level = models.PositiveSmallIntegerField()
    route = models.CharField(max_length=10, choices=Route.choices)
    grading = models.CharField(max_length=10, choices=Grading.choices)
    is_active = models.BooleanField(default=True)
    # R-CRT-2: the rule of combination is the mandatory units plus this many credits in all;
    # blank means no rule is set, so only unit certificates are issued.
    min_credits = models.PositiveSmallIntegerField(
        "minimum credits",
        null=True,
        blank=True,
        help_text="Credits needed for the full award, mandatory units included. "
        "Blank: unit certificates only.",
    )
    units = models.ManyToManyField(
        "centres.Unit", through="centres.QualificationUnit", related_name="qualifications"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class Unit(models.Model):
    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=255)
    level = models.PositiveSmallIntegerField()
    credit = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class QualificationUnit(models.Model):
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="qualification_units"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="qualification_units")
    mandatory = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["qualification", "unit"], name="qualunit_unique")
        ]
        ordering = ["qualification", "position", "unit__code"]

    def __str__(self) -> str:
        kind = "mandatory" if self.mandatory else "optional"
        return f"{self.unit.code} in {self.qualification.code} ({kind})"


class Approval(models.Model):
    """A centre's approval to deliver a qualification."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="approvals")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="approvals"
    )
    approved_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "qualification"], name="approval_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre} approved for {self.qualification.code}"


membership_number_validator = RegexValidator(
    r"^P\d{4,9}$", "A membership number is a capital P followed by 4 to 9 digits, e.g. P123456."
)


class Learner(models.Model):
    membership_number = models.CharField(
        "membership number", max_length=10, unique=True, validators=[membership_number_validator]
    )
    candidate_number = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField("surname", max_length=100)
    date_of_birth = models.DateField()
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="learners")

    class Meta:
        ordering = ["last_name", "first_name", "membership_number"]
        indexes = [
            models.Index(Lower("last_name"), "centre", name="learner_surname_idx"),
            # The long lists' sorts (Learners, claims By Candidate): a page is read off the
            # index in order instead of sorting every learner of a large centre.
            models.Index(
                fields=["centre", "last_name", "first_name", "id"], name="learner_centre_name_idx"
            ),
            models.Index(
                fields=["centre", "candidate_number", "id"], name="learner_centre_number_idx"
            ),
            models.Index(fields=["centre", "date_of_birth", "id"], name="learner_centre_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.membership_number})"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:
            # Registrations carry their learner's centre (Registration.centre).
            self.registrations.exclude(centre_id=self.centre_id).update(centre_id=self.centre_id)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EntryType(models.TextChoices):
    FULL = "full", "Full award"
    UNIT = "unit", "Unit entries"


class Registration(models.Model):
    """A learner registered on a qualification; unit entries name their units."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="registrations")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="registrations"
    )
    is_current = models.BooleanField("current", default=True)
    entry_type = models.CharField(max_length=10, choices=EntryType.choices, default=EntryType.FULL)
    entered_units = models.ManyToManyField(
        Unit, blank=True, related_name="unit_entries", help_text="Only for unit entries."
    )
    registered_on = models.DateField(default=timezone.localdate)
    # The learner's centre, copied so that a centre's registrations are counted and found in
    # one index (registration_centre_idx) instead of by joining every learner of the centre:
    # that join was 30-90 ms a page at 20,000 learners. save() copies it from the learner,
    # bulk writers set it themselves (NOT NULL catches one that forgets), and Learner.save()
    # carries a change of centre (the hub never makes one; the admin could).
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "qualification"], name="registration_unique")
        ]
        indexes = [
            models.Index(fields=["qualification", "is_current"]),
            # PAR's lists walk a centre's learners by name and probe this for each one's
            # current registration on a qualification, without reading the table (par
            # selectors.RegistrationPages).
            models.Index(
                fields=["learner", "qualification", "id"],
                condition=models.Q(is_current=True),
                name="registration_current_idx",
            ),
            # A centre's current registrations by qualification: PAR's counts read only this
            # index, and "does the centre have learners on this qualification" is one probe.
            models.Index(
                fields=["centre", "qualification", "entry_type", "id"],
                condition=models.Q(is_current=True),
                name="registration_centre_idx",
            ),
        ]
        ordering = ["learner__last_name", "qualification__code"]

    def __str__(self) -> str:
        return f"{self.learner.membership_number} on {self.qualification.code}"

    def save(self, *args, **kwargs):
        self.centre_id = self.learner.centre_id
        super().save(*args, **kwargs)


class RegistrationTally(models.Model):
    """How many current registrations a centre has on a qualification, kept exact by the
    database: triggers on Registration (hub.tallies, migration 0009) add and take away in the
    writing statement's transaction, whatever writes (imports' bulk writes, the admin, a
    learner's deletion). PAR and Select Units read "of 23,708" from one row here instead of
    counting 23,708 registrations on every page view (1.5-3 ms of PostgreSQL each; issue 9).
    Read through ``centres.selectors.current_registration_counts``; never written by the hub.
    """

    TALLY = Tally(
        name="registration",
        source="centres_registration",
        table="centres_registrationtally",
        keys=("centre_id", "qualification_id"),
        where="is_current",
        watched=("is_current",),
    )

    centre_id = models.BigIntegerField()
    qualification_id = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["centre_id", "qualification_id"], name="registration_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.n} current at centre {self.centre_id} on {self.qualification_id}"


class AuditEvent(models.Model):
    """An append-only record of a change made by a person: who, when, what, to whom."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    action = models.CharField(max_length=60, db_index=True)
    subject = models.CharField(max_length=255, help_text="What the change was made to.")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject}"


class ImportJob(models.Model):
    """One learner import file, run by a worker (centres.import_jobs) rather than the request.

    A file of up to the size limit takes longer than a web server waits; the upload is kept
    here and the job page follows it. All or nothing as before: ``errors`` lists problems by
    line when nothing was imported, ``counts`` what a finished import did.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Import complete"
        FAILED = "failed", "Nothing was imported"

    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="import_jobs")
    # Set when the import finishes and every row was for one centre (the audit row's centre).
    centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    file = models.FileField(upload_to="learner-imports/%Y/%m/")
    file_name = models.CharField(max_length=255, help_text="The name the file was uploaded as.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_error = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[[line, problem], ...]")
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Learner import {self.file_name} ({self.get_status_display()})"

    @property
    def is_queued(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
