"""Demo data for `make run` and for performance work. Never loaded in production."""

from __future__ import annotations

import random
import re
from contextlib import contextmanager
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import (
    Approval,
    BodyRole,
    Centre,
    EntryType,
    Grading,
    Learner,
    Membership,
    Qualification,
    QualificationUnit,
    Registration,
    Role,
    Route,
    Unit,
    User,
)

DEMO_PASSWORD = "demo-pass-123"

ALL_GRANTS = dict(
    can_par=True, can_moderation=True, can_claims=True, can_learners=True, can_staff=True
)

# (email, first, last, centre number or None, role, grants, body role, is_staff, what they do)
DEMO_USERS = [
    (
        "director@demo.test",
        "Dana",
        "Director",
        "10001",
        Role.PROGRAMME_DIRECTOR,
        ALL_GRANTS,
        "",
        False,
        "Programme Director, all sections (also at Eastfield, to try Available Centres)",
    ),
    (
        "admin@demo.test",
        "Adam",
        "Administrator",
        "10001",
        Role.CENTRE_ADMINISTRATOR,
        dict(can_par=True, can_moderation=True, can_claims=True, can_learners=True),
        "",
        False,
        "Centre Administrator: PAR, Moderation, Claims, Learners",
    ),
    (
        "tutor@demo.test",
        "Tara",
        "Tutor",
        "10001",
        Role.TUTOR,
        dict(can_par=True),
        "",
        False,
        "Tutor: PAR only",
    ),
    (
        "quality@demo.test",
        "Quinn",
        "Quality",
        "10001",
        Role.QUALITY_MANAGER,
        dict(can_par=True, can_moderation=True, can_claims=True, can_learners=True),
        "",
        False,
        "Quality Manager",
    ),
    (
        "other@demo.test",
        "Olive",
        "Other",
        "10002",
        Role.PROGRAMME_DIRECTOR,
        ALL_GRANTS,
        "",
        False,
        "Programme Director of the second centre",
    ),
    (
        "moderator@demo.test",
        "Morgan",
        "Moderator",
        None,
        None,
        {},
        BodyRole.MODERATOR,
        False,
        "Moderator (awarding body)",
    ),
    (
        "assessor@demo.test",
        "Ash",
        "Assessor",
        None,
        None,
        {},
        BodyRole.ASSESSOR,
        False,
        "Visiting assessor (awarding body)",
    ),
    (
        "reviewer@demo.test",
        "Rowan",
        "Reviewer",
        None,
        None,
        {},
        BodyRole.MODERATOR,
        False,
        "Reviewer (awarding body): reviews of moderation given to them, one under way",
    ),
    (
        "data@demo.test",
        "Dev",
        "Data",
        None,
        None,
        {},
        BodyRole.DATA_ADMIN,
        False,
        "Customer Data Administrator (awarding body)",
    ),
    (
        "staff@demo.test",
        "Sam",
        "Staff",
        None,
        None,
        {},
        "",
        True,
        "Awarding-body admin (Django admin at /admin/)",
    ),
]

FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Sophia",
    "Jack",
    "Grace",
    "Theo",
    "Evie",
    "Finley",
    "Ruby",
    "Alfie",
    "Priya",
    "Mohammed",
    "Zara",
    "Kofi",
    "Aisha",
    "Tomasz",
    "Niamh",
    "Rhys",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Hughes",
    "Edwards",
    "Lewis",
    "Morgan",
    "Okafor",
    "Nowak",
    "Murphy",
    "Price",
]

BATCH_QUALIFICATION = (
    "CMI-L5-DML",
    "CMI Level 5 Diploma in Management and Leadership",
    5,
    Route.BATCH,
    Grading.PASS_ONLY,
    [
        ("CMI501", "Principles of management and leadership in an organisational context", True, 6),
        ("CMI502", "Developing, managing and leading individuals and teams", True, 6),
        ("CMI503", "Managing performance", False, 5),
        ("CMI504", "Managing projects to achieve results", False, 6),
        ("CMI505", "Managing finance", False, 6),
        ("CMI506", "Managing stakeholder relationships", False, 5),
        ("CMI507", "Developing and leading change", False, 6),
        ("CMI508", "Managing quality and continuous improvement", False, 5),
        ("CMI509", "Managing conflict", False, 5),
        ("CMI510", "Managing the customer experience", False, 5),
        ("CMI511", "Managing recruitment, selection and induction", False, 5),
        ("CMI512", "Developing a coaching culture", False, 6),
    ],
)
CLAIM_QUALIFICATION = (
    "05839",
    "OCR Level 3 Cambridge Technical Extended Diploma in IT",
    3,
    Route.CLAIM,
    Grading.PMD,
    [
        ("IT01", "Fundamentals of IT", True, 10),
        ("IT02", "Global information", True, 10),
        ("IT03", "Cyber security", True, 10),
        ("IT04", "Computer systems", False, 10),
        ("IT05", "Virtual and augmented reality", False, 10),
        ("IT06", "Application design", False, 10),
        ("IT07", "Data analysis and design", False, 10),
        ("IT08", "Project management", False, 10),
        ("IT09", "Product development", False, 10),
        ("IT10", "Business computing", False, 10),
        ("IT11", "Systems analysis and design", False, 10),
        ("IT12", "Mobile technology", False, 10),
    ],
)
# R-CRT-2: the rule of combination, mandatory units included (the units carry their credits
# above): the diploma is 37 credits, so both mandatory units and at least five optional ones.
MIN_CREDITS = {BATCH_QUALIFICATION[0]: 37, CLAIM_QUALIFICATION[0]: 60}

CENTRES = [
    ("10001", "Northgate College", "exams@northgate.test"),
    ("10002", "Riverside Training", "quality@riverside.test"),
    ("10003", "Eastfield Academy", "office@eastfield.test"),
]


def _qualification(spec) -> Qualification:
    code, title, level, route, grading, units = spec
    qualification, _ = Qualification.objects.get_or_create(
        code=code,
        defaults=dict(
            title=title,
            level=level,
            route=route,
            grading=grading,
            min_credits=MIN_CREDITS[code],
        ),
    )
    for position, (unit_code, unit_title, mandatory, credit) in enumerate(units):
        unit, _ = Unit.objects.get_or_create(
            code=unit_code, defaults=dict(title=unit_title, level=level, credit=credit)
        )
        QualificationUnit.objects.get_or_create(
            qualification=qualification,
            unit=unit,
            defaults=dict(mandatory=mandatory, position=position),
        )
    return qualification


def _next_membership_number() -> int:
    last = (
        Learner.objects.filter(membership_number__startswith="P")
        .order_by("-membership_number")
        .first()
    )
    return int(last.membership_number[1:]) + 1 if last else 1000001


def add_learners(
    centre: Centre,
    qualification: Qualification,
    count: int,
    *,
    rng: random.Random,
    unit_entry_every: int = 0,
    not_current_every: int = 0,
) -> list[Learner]:
    """Bulk-create ``count`` learners registered on ``qualification``."""
    start = _next_membership_number()
    learners = [
        Learner(
            membership_number=f"P{start + i:07d}",
            candidate_number=f"{start + i:07d}"[-4:],
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(SURNAMES),
            date_of_birth=date(1985, 1, 1) + timedelta(days=rng.randint(0, 7000)),
            centre=centre,
        )
        for i in range(count)
    ]
    learners = Learner.objects.bulk_create(learners, batch_size=1000)
    if not learners or learners[0].pk is None:  # backends that do not return keys
        learners = list(
            Learner.objects.filter(membership_number__in=[lr.membership_number for lr in learners])
        )
    registrations = [
        Registration(
            learner=learner,
            centre=centre,
            qualification=qualification,
            is_current=not (not_current_every and i % not_current_every == not_current_every - 1),
            entry_type=(
                EntryType.UNIT if unit_entry_every and i % unit_entry_every == 0 else EntryType.FULL
            ),
        )
        for i, learner in enumerate(learners)
    ]
    registrations = Registration.objects.bulk_create(registrations, batch_size=1000)
    unit_ids = list(qualification.qualification_units.values_list("unit_id", flat=True))
    through = Registration.entered_units.through
    entries = []
    for registration in registrations:
        if registration.entry_type == EntryType.UNIT:
            registration.pk = (
                registration.pk
                or Registration.objects.get(
                    learner=registration.learner, qualification=qualification
                ).pk
            )
            for unit_id in unit_ids[: len(unit_ids) // 2]:
                entries.append(through(registration_id=registration.pk, unit_id=unit_id))
    through.objects.bulk_create(entries, batch_size=1000)
    return learners


@transaction.atomic
def seed(*, stdout=None) -> bool:
    """Load the demo once. Return False when it was already there."""
    if Centre.objects.filter(number=CENTRES[0][0]).exists():
        return False
    rng = random.Random(20261123)
    centres = {
        number: Centre.objects.create(number=number, name=name, contact_email=email)
        for number, name, email in CENTRES
    }
    batch_q = _qualification(BATCH_QUALIFICATION)
    claim_q = _qualification(CLAIM_QUALIFICATION)
    for centre in centres.values():
        for qualification in (batch_q, claim_q):
            Approval.objects.create(centre=centre, qualification=qualification)

    # Every login shares one published password: hashed once (a hash costs about half a
    # second of CPU by design), not once per login.
    hashed = make_password(DEMO_PASSWORD)
    for email, first, last, centre_number, role, grants, body_role, is_staff, _ in DEMO_USERS:
        user = User.objects.create_user(
            email=email,
            password=None,
            first_name=first,
            last_name=last,
            body_role=body_role,
            is_staff=is_staff,
            is_superuser=is_staff,
        )
        User.objects.filter(pk=user.pk).update(password=hashed)
        if centre_number:
            Membership.objects.create(user=user, centre=centres[centre_number], role=role, **grants)
            user.current_centre = centres[centre_number]
            user.save(update_fields=["current_centre"])
    director = User.objects.get(email="director@demo.test")
    Membership.objects.create(
        user=director, centre=centres["10003"], role=Role.PROGRAMME_DIRECTOR, **ALL_GRANTS
    )

    # R-CRT-1: Northgate's certificates are printed and posted; Eastfield takes them digitally.
    Centre.objects.filter(pk=centres["10003"].pk).update(digital_certificates=True)
    northgate = centres["10001"]
    add_learners(northgate, batch_q, 40, rng=rng, not_current_every=10)
    add_learners(northgate, claim_q, 24, rng=rng, unit_entry_every=4, not_current_every=12)
    add_learners(centres["10002"], batch_q, 8, rng=rng)
    add_learners(centres["10002"], claim_q, 6, rng=rng)
    add_learners(centres["10003"], batch_q, 5, rng=rng)
    return True


# --- The demo's clock ------------------------------------------------------------------------
# The lived-in demo (moderation, claims and certificates) is played through the real services
# at today's time, one step at a time; after each step everything that step wrote is moved
# back to the day the story gives it, so overdue batches, turnaround and late dispatches are
# real figures on first login. The project's own apps only: sessions and the like stay.
DEMO_APPS = ("centres", "par", "moderation", "claims", "certificates", "notices", "hub", "reviews")


def _datetime_fields() -> list[tuple[type, list[str]]]:
    from django.apps import apps
    from django.db import models

    found = []
    for app in DEMO_APPS:
        for model in apps.get_app_config(app).get_models():
            names = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, models.DateTimeField)
            ]
            if names:
                found.append((model, names))
    return found


def backdate_since(start, *, to, tables: set[str] | None = None) -> None:
    """Move every time the project stored from ``start`` until now back, so ``start`` is ``to``.

    One UPDATE per model (only those whose ``tables`` were written, when given); the step's
    times keep their order and spacing. Times the step set in the future (a due date) are
    left for the caller to recompute from the moved start, as the services would have.
    """
    from django.db.models import Case, F, Q, When
    from django.utils import timezone

    window = (start, timezone.now())
    delta = to - start
    for model, names in _datetime_fields():
        if tables is not None and model._meta.db_table not in tables:
            continue
        touched = Q()
        for name in names:
            touched |= Q(**{f"{name}__range": window})
        model.objects.filter(touched).update(
            **{
                name: Case(
                    When(**{f"{name}__range": window}, then=F(name) + delta), default=F(name)
                )
                for name in names
            }
        )


_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def days_ago(days: float):
    """Play a step now, then move what it wrote back ``days`` days (the demo's clock)."""
    from django.db import connection
    from django.utils import timezone

    written: set[str] = set()

    def record(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match:
            written.add(match.group(1))
        return execute(sql, params, many, context)

    start = timezone.now()
    with connection.execute_wrapper(record):
        yield
    backdate_since(start, to=start - timedelta(days=days), tables=written)
