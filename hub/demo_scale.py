"""Demo data at the size of a real awarding body, for `make bench` and performance work.

It fills every app's tables (centres, PAR, moderation, claims), so it lives here in the top
layer with the ``seed_demo`` command (hub/management/commands), not in ``centres``.

``seed_demo --learners N --selected-units U --open-batches M --big-batch K --big-claim L``
calls these on top of ``centres.demo.seed``. Everything is written with ``bulk_create`` in a
handful of queries per thousand rows, the same on SQLite and PostgreSQL, and deterministic:
the same options always give the same rows (only timestamps follow the clock). Never loaded
in production (the command refuses there).

The rows are what the services would have written, set directly: a batch is created in the
status a test or a measurement needs, with its documents, learner-units, sample files and a
history row, but no e-mails and no audit trail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from centres.demo import BATCH_QUALIFICATION, CENTRES, CLAIM_QUALIFICATION, add_learners
from centres.models import Centre, Learner, Qualification, Registration, User
from claims.demo import seed_claims
from claims.models import CentreAssessor, Claim, ClaimLine, ClaimStatus, Grade
from moderation.models import (
    Batch,
    BatchDocument,
    BatchHistory,
    BatchStatus,
    BatchUnit,
    DocumentKind,
    HistoryEvent,
)
from par.models import UnitSelection

NORTHGATE = CENTRES[0][0]
DEMO_ADMIN = "admin@demo.test"
DEMO_MODERATOR = "moderator@demo.test"
# A small valid PDF: every seeded document row points at this one stored file.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BATCH_SIZE = 2000
# Learner-units per learner on the big batches and per open batch: a realistic cohort
# claims a few units at a time, not the whole qualification.
UNITS_PER_OPEN_BATCH = 2
UNITS_PER_CLAIM_CANDIDATE = 3
SAMPLE_PERCENT = 15  # R-BAT-6's standard minimum: the big batches meet it


@dataclass(frozen=True)
class BigBatches:
    """The three Northgate batches the bench measures, by page."""

    draft_pk: int  # Select Units to Pass on Batch
    completing_pk: int  # the batch page: Centre Completing with K learner-units
    review_pk: int  # the moderator's review: With Moderator, assigned to the demo moderator


def _northgate() -> Centre:
    return Centre.objects.get(number=NORTHGATE)


def _stored_pdf(name: str) -> str:
    """Store the one seeded PDF (once per call) and return its storage key."""
    return default_storage.save(f"moderation/demo/{name}", ContentFile(PDF_BYTES))


def select_units(*, registrations: list[Registration], unit_ids: list[int]) -> int:
    """Select ``unit_ids`` for each registration on the PAR (bulk); return rows written."""

    now = timezone.now()
    rows = [
        UnitSelection(registration_id=r.pk, unit_id=unit_id, selected_at=now)
        for r in registrations
        for unit_id in unit_ids
    ]
    UnitSelection.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


def add_selected_learners(
    *, count: int, selected_units: int, seed: int, centre: Centre | None = None
) -> list[Learner]:
    """``count`` learners at Northgate on the moderation qualification, first units selected."""
    centre = centre or _northgate()
    qualification = Qualification.objects.get(code=BATCH_QUALIFICATION[0])
    learners = add_learners(centre, qualification, count, rng=random.Random(seed))
    if selected_units:
        unit_ids = _unit_ids(qualification)[:selected_units]
        registrations = _registrations(learners, qualification)
        select_units(registrations=registrations, unit_ids=unit_ids)
    return learners


def _registrations(learners: list[Learner], qualification: Qualification) -> list[Registration]:
    """The learners' registrations on ``qualification`` by pk, in chunks SQLite accepts."""
    ids = [learner.pk for learner in learners]
    found: list[Registration] = []
    for start in range(0, len(ids), BATCH_SIZE):
        found += Registration.objects.filter(
            learner_id__in=ids[start : start + BATCH_SIZE], qualification=qualification
        ).order_by("pk")
    return sorted(found, key=lambda r: r.pk)


def _unit_ids(qualification: Qualification) -> list[int]:
    return list(
        qualification.qualification_units.order_by("position").values_list("unit_id", flat=True)
    )


def _free_selections(centre: Centre, qualification: Qualification, count: int) -> list[int]:
    """Up to ``count`` selections at ``centre`` with no result and in no live batch, by pk."""

    claimed = BatchUnit.objects.filter(selection=OuterRef("pk"), released_at__isnull=True)
    return list(
        UnitSelection.objects.filter(
            registration__learner__centre=centre,
            registration__qualification=qualification,
            registration__is_current=True,
            result="",
        )
        .exclude(Exists(claimed))
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def _selections_for(centre: Centre, qualification: Qualification, count: int, seed: int):
    """``count`` free selections, selecting units for new learners when too few exist."""
    free = _free_selections(centre, qualification, count)
    missing = count - len(free)
    if missing > 0:
        per_learner = len(_unit_ids(qualification))
        learners = -(-missing // per_learner)
        add_selected_learners(count=learners, selected_units=per_learner, seed=seed, centre=centre)
        free = _free_selections(centre, qualification, count)
    return free


def _documents(batch, *, key: str, uploader, samples: list | None = None) -> list:
    """The two R-BAT-1 documents and a sample file for each BatchUnit in ``samples``."""

    rows = [
        BatchDocument(
            batch=batch,
            kind=kind,
            file=key,
            original_name=f"{kind}.pdf",
            size=len(PDF_BYTES),
            content_type="application/pdf",
            uploaded_by=uploader,
        )
        for kind in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF)
    ]
    for unit in samples or []:
        rows.append(
            BatchDocument(
                batch=batch,
                kind=DocumentKind.SAMPLE,
                batch_unit=unit,
                file=key,
                original_name=f"learner-work-{unit.selection_id}.pdf",
                size=len(PDF_BYTES),
                content_type="application/pdf",
                uploaded_by=uploader,
            )
        )
    return rows


@transaction.atomic
def seed_big_batches(*, learner_units: int, seed: int = 9) -> BigBatches:
    """Three Northgate batches on the moderation qualification, for the pages at scale.

    - a Draft batch with its documents: "Select Units to Pass on Batch" lists every free
      learner-unit of the centre;
    - a Centre Completing batch with ``learner_units`` learner-units, 15 % with their work;
    - a With Moderator batch with ``learner_units`` learner-units, the sample met, assigned to
      the demo moderator, for the review page.
    """

    centre = _northgate()
    qualification = Qualification.objects.get(code=BATCH_QUALIFICATION[0])
    admin = User.objects.get(email=DEMO_ADMIN)
    moderator = User.objects.get(email=DEMO_MODERATOR)
    key = _stored_pdf("big-batch.pdf")
    now = timezone.now()
    selections = _selections_for(centre, qualification, 2 * learner_units, seed)
    sample = max(1, -(-learner_units * SAMPLE_PERCENT // 100))

    draft = Batch.objects.create(
        centre=centre, qualification=qualification, created_by=admin, created_at=now
    )
    completing = Batch.objects.create(
        centre=centre,
        qualification=qualification,
        created_by=admin,
        created_at=now - timedelta(days=3),
        status=BatchStatus.CENTRE_COMPLETING,
        units_submitted_at=now - timedelta(days=2),
    )
    review = Batch.objects.create(
        centre=centre,
        qualification=qualification,
        created_by=admin,
        created_at=now - timedelta(days=20),
        status=BatchStatus.WITH_MODERATOR,
        units_submitted_at=now - timedelta(days=19),
        submitted_at=now - timedelta(days=14),
        sample_required=sample,
        sla_started_at=now - timedelta(days=14),
        sla_due_at=now + timedelta(days=14),
        moderator=moderator,
        assigned_at=now - timedelta(days=10),
    )
    units: dict[int, list] = {}
    for batch, chosen in (
        (completing, selections[:learner_units]),
        (review, selections[learner_units : 2 * learner_units]),
    ):
        units[batch.pk] = BatchUnit.objects.bulk_create(
            [BatchUnit(batch=batch, selection_id=pk, claimed_at=now) for pk in chosen],
            batch_size=BATCH_SIZE,
        )
    BatchUnit.objects.filter(batch__in=[completing, review]).fill_slot_order()
    documents = (
        _documents(draft, key=key, uploader=admin)
        + _documents(completing, key=key, uploader=admin, samples=units[completing.pk][:sample])
        + _documents(review, key=key, uploader=admin, samples=units[review.pk][:sample])
    )
    BatchDocument.objects.bulk_create(documents, batch_size=BATCH_SIZE)
    history = [
        BatchHistory(batch=b, actor=admin, event=HistoryEvent.CREATED, at=b.created_at)
        for b in (draft, completing, review)
    ] + [
        BatchHistory(
            batch=completing,
            actor=admin,
            event=HistoryEvent.TRANSITION,
            from_status=BatchStatus.DRAFT,
            to_status=BatchStatus.CENTRE_COMPLETING,
            at=completing.units_submitted_at,
        ),
        BatchHistory(
            batch=review,
            actor=admin,
            event=HistoryEvent.TRANSITION,
            from_status=BatchStatus.CENTRE_COMPLETING,
            to_status=BatchStatus.WITH_MODERATOR,
            at=review.submitted_at,
        ),
        BatchHistory(
            batch=review, actor=moderator, event=HistoryEvent.ASSIGNED, at=review.assigned_at
        ),
    ]
    BatchHistory.objects.bulk_create(history)
    return BigBatches(draft_pk=draft.pk, completing_pk=completing.pk, review_pk=review.pk)


@transaction.atomic
def seed_open_batches(*, count: int, seed: int = 7) -> int:
    """``count`` batches waiting on the awarding body, spread over the demo centres.

    Each belongs to a cohort learner of its own with two learner-units, one with its work
    uploaded, so nothing is shared with the big batches. Statuses cycle so the moderator's
    queue shows all of them: With Moderator and Centre re-submitted, about half nobody has
    taken yet and half assigned to the demo moderator; SLA due dates run from a week
    overdue to four weeks ahead. Return the number of batches written.
    """

    if count <= 0:
        return 0
    rng = random.Random(seed)
    centres = list(Centre.objects.filter(number__in=[c[0] for c in CENTRES]).order_by("number"))
    qualification = Qualification.objects.get(code=BATCH_QUALIFICATION[0])
    unit_ids = _unit_ids(qualification)[:UNITS_PER_OPEN_BATCH]
    admin = User.objects.get(email=DEMO_ADMIN)
    moderator = User.objects.get(email=DEMO_MODERATOR)
    key = _stored_pdf("open-batch.pdf")
    now = timezone.now()

    # One learner per batch, created centre by centre so each batch claims its own.
    per_centre = {
        c.pk: (count - i + len(centres) - 1) // len(centres) for i, c in enumerate(centres)
    }
    registrations: dict[int, list[Registration]] = {}
    for centre in centres:
        learners = add_learners(
            centre, qualification, per_centre[centre.pk], rng=random.Random(rng.random())
        )
        registrations[centre.pk] = _registrations(learners, qualification)
        select_units(registrations=registrations[centre.pk], unit_ids=unit_ids)

    batches = []
    owners: list[Registration] = []
    for i in range(count):
        centre = centres[i % len(centres)]
        owners.append(registrations[centre.pk][i // len(centres)])
        status = BatchStatus.RESUBMITTED if i % 5 == 4 else BatchStatus.WITH_MODERATOR
        assigned = i % 2 == 1
        submitted = now - timedelta(days=rng.randint(1, 35), minutes=i % 1440)
        started = submitted + timedelta(days=1) if status == BatchStatus.RESUBMITTED else submitted
        batches.append(
            Batch(
                centre=centre,
                qualification=qualification,
                status=status,
                created_at=submitted - timedelta(days=2),
                created_by=admin,
                units_submitted_at=submitted - timedelta(days=1),
                submitted_at=submitted,
                sample_required=1,
                sla_started_at=started,
                sla_due_at=started + timedelta(days=28),
                moderator=moderator if assigned else None,
                assigned_at=submitted + timedelta(hours=2) if assigned else None,
            )
        )
    batches = Batch.objects.bulk_create(batches, batch_size=BATCH_SIZE)

    selections: dict[int, list[int]] = {}
    owner_ids = [owner.pk for owner in owners]
    for start in range(0, len(owner_ids), BATCH_SIZE):
        for registration_id, selection_id in (
            UnitSelection.objects.filter(registration_id__in=owner_ids[start : start + BATCH_SIZE])
            .order_by("registration_id", "unit_id")
            .values_list("registration_id", "pk")
        ):
            selections.setdefault(registration_id, []).append(selection_id)
    units = BatchUnit.objects.bulk_create(
        [
            BatchUnit(batch=batch, selection_id=selection_id, claimed_at=batch.units_submitted_at)
            for batch, owner in zip(batches, owners, strict=True)
            for selection_id in selections[owner.pk]
        ],
        batch_size=BATCH_SIZE,
    )
    BatchUnit.objects.filter(batch__in=batches).fill_slot_order()
    first_unit = {}
    for unit in units:
        first_unit.setdefault(unit.batch_id, unit)
    documents = []
    for batch in batches:
        documents += _documents(batch, key=key, uploader=admin, samples=[first_unit[batch.pk]])
    BatchDocument.objects.bulk_create(documents, batch_size=BATCH_SIZE)
    BatchHistory.objects.bulk_create(
        [
            BatchHistory(
                batch=batch,
                actor=admin,
                event=HistoryEvent.TRANSITION,
                from_status=BatchStatus.CENTRE_COMPLETING,
                to_status=BatchStatus.WITH_MODERATOR,
                at=batch.submitted_at,
            )
            for batch in batches
        ],
        batch_size=BATCH_SIZE,
    )
    return len(batches)


@transaction.atomic
def seed_big_claim(*, lines: int, seed: int = 11) -> int:
    """Northgate's Unsubmitted claim on the claims qualification with ``lines`` lines.

    Three units per candidate on learners registered for it here (new ones), graded in turn
    Pass, Merit and Distinction by the demo centre assessor. Return the claim's pk.
    """

    seed_claims()
    centre = _northgate()
    qualification = Qualification.objects.get(code=CLAIM_QUALIFICATION[0])
    assessor = CentreAssessor.objects.filter(centre=centre, qualification=qualification).first()
    admin = User.objects.get(email=DEMO_ADMIN)
    claim = Claim.objects.filter(
        centre=centre, qualification=qualification, status=ClaimStatus.UNSUBMITTED
    ).first() or Claim.objects.create(centre=centre, qualification=qualification, created_by=admin)
    candidates = -(-lines // UNITS_PER_CLAIM_CANDIDATE)
    learners = add_learners(centre, qualification, candidates, rng=random.Random(seed))
    registrations = _registrations(learners, qualification)
    unit_ids = _unit_ids(qualification)[:UNITS_PER_CLAIM_CANDIDATE]
    grades = [Grade.PASS, Grade.MERIT, Grade.DISTINCTION]
    rows = [
        ClaimLine(
            claim=claim,
            registration=registration,
            unit_id=unit_id,
            grade=grades[(i + j) % len(grades)],
            assessor=assessor,
        )
        for i, registration in enumerate(registrations)
        for j, unit_id in enumerate(unit_ids)
    ][:lines]
    ClaimLine.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return claim.pk
