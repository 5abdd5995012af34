"""Batches in any state, and files that pass (or fail) the content checks."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from centres.models import Learner, Registration
from moderation.models import Batch, BatchDocument, BatchStatus, BatchUnit, DocumentKind
from par.models import UnitSelection

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored_pdf() -> str:
    """Save a small PDF in the (test) storage and return its key."""
    return default_storage.save(f"moderation/test/{uuid.uuid4().hex}", ContentFile(PDF_BYTES))


def pdf(name: str = "document.pdf", size: int = 0) -> SimpleUploadedFile:
    body = PDF_BYTES + b"0" * max(0, size - len(PDF_BYTES))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def zip_upload(name: str, members: dict[str, bytes], **kwargs) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", **kwargs) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def selections_for(learner: Learner, qualification) -> list[UnitSelection]:
    registration = Registration.objects.get(learner=learner, qualification=qualification)
    return [
        UnitSelection.objects.get_or_create(registration=registration, unit=unit)[0]
        for unit in qualification.units.order_by("code")
    ]


def bulk_learner_units(centre, qualification, learners: int) -> list[UnitSelection]:
    """``learners`` registered learners, each with every unit selected; a few bulk queries."""
    start = Learner.objects.count()
    created = Learner.objects.bulk_create(
        [
            Learner(
                membership_number=f"P{7000000 + start + i}",
                first_name="Bulk",
                last_name=f"Learner{i:05d}",
                date_of_birth=date(2001, 1, 1),
                centre=centre,
            )
            for i in range(learners)
        ]
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(learner=learner, centre_id=learner.centre_id, qualification=qualification)
            for learner in created
        ]
    )
    units = list(qualification.units.order_by("code"))
    return UnitSelection.objects.bulk_create(
        [UnitSelection(registration=r, unit=u) for r in registrations for u in units]
    )


def make_batch(
    world,
    status: str = BatchStatus.DRAFT,
    *,
    selections: list[UnitSelection] | None = None,
    samples: int = 0,
    documents: bool = True,
    moderator=None,
    centre=None,
    qualification=None,
    submitted: bool | None = None,
) -> Batch:
    """A batch forced into ``status`` with its documents, units and ``samples`` files.

    Tests of services build the state here directly; only services move a real batch.
    """
    centre = centre or world.centre
    qualification = qualification or world.qualification
    batch = Batch.objects.create(centre=centre, qualification=qualification, created_by=world.admin)
    now = timezone.now()
    if documents:
        BatchDocument.objects.bulk_create(
            [
                BatchDocument(
                    batch=batch,
                    kind=kind,
                    file=stored_pdf(),
                    original_name=f"{kind}.pdf",
                    size=len(PDF_BYTES),
                    content_type="application/pdf",
                    uploaded_by=world.admin,
                )
                for kind in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF)
            ]
        )
    if status != BatchStatus.DRAFT:
        if selections is None:
            selections = selections_for(world.learner, qualification)
        units = BatchUnit.objects.bulk_create(
            [BatchUnit(batch=batch, selection=s) for s in selections], batch_size=500
        )
        BatchUnit.objects.filter(batch=batch).fill_slot_order()
        if samples:
            shared = stored_pdf()  # one stored file is enough however many rows point at it
            BatchDocument.objects.bulk_create(
                [
                    BatchDocument(
                        batch=batch,
                        kind=DocumentKind.SAMPLE,
                        batch_unit=unit,
                        file=shared,
                        original_name=f"work-{unit.pk}.pdf",
                        size=len(PDF_BYTES),
                        content_type="application/pdf",
                        uploaded_by=world.admin,
                    )
                    for unit in units[:samples]
                ],
                batch_size=500,
            )
    fields = {"status": status}
    if submitted or (submitted is None and status not in ("draft", "centre_completing")):
        fields["submitted_at"] = now
    if status in ("with_moderator", "resubmitted"):
        fields["sla_started_at"] = now
        fields["sla_due_at"] = now + timezone.timedelta(days=28)
    if moderator is not None:
        fields["moderator"] = moderator
    Batch.objects.filter(pk=batch.pk).update(**fields)
    batch.refresh_from_db()
    return batch
