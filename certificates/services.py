"""Issuing certificates and getting them to the centre (R-SLA-2, R-SLA-3, R-CRT-1..4).

Every function here can run twice, or in two workers at once, for the same batch and end
with one set of certificates and one email:

* certificates are created with ``bulk_create(ignore_conflicts=True)`` against the
  one-per-learner-per-batch constraint; their numbers are random (they reveal no volumes),
  and a learner whose number happened to be taken draws another;
* PDFs are drawn and stored outside any transaction, then attached with one conditional
  UPDATE (``pdf=""``); a file that lost the race is deleted;
* the email is sent only by the worker whose conditional UPDATE claimed the dispatch row.

A centre taking digital certificates gets that email and its clock ends there; for any other
centre the certificates wait for staff to gather them into a print run, which is printed
from one merged PDF and posted; posting ends the clock (R-CRT-1). Staff changes (print runs,
reissue, revoke) check their actor and write an audit row in their transaction.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from centres.audit import audit
from centres.models import Centre, Learner, Membership, Qualification, Registration, User
from hub import numbers, outbox
from hub.emails import send_templated_email
from hub.workdays import add_working_days
from moderation.models import Batch, BatchStatus, BatchUnit

from .models import (
    Certificate,
    CertificateDispatch,
    CertificateKind,
    CertificateStatus,
    Delivery,
    PrintRun,
    certificate_key,
    new_certificate_number,
    print_run_key,
)
from .pdf import render_certificate
from .selectors import awaiting_print, full_award_units, unit_entry

if TYPE_CHECKING:
    from claims.models import Claim  # claims sits beside certificates: for hints only

log = logging.getLogger(__name__)

DISPATCH_WORKING_DAYS = 10  # R-SLA-2


class CertificatesNotReady(Exception):
    """Some certificates of the batch have no PDF yet; the dispatch waits (and is retried)."""


def dispatch_due_on(batch: Batch) -> date:
    """R-SLA-2: ten working days after the day the batch became Complete."""
    completed = batch.completed_at or batch.outcome_at or timezone.now()
    return add_working_days(timezone.localdate(completed), DISPATCH_WORKING_DAYS)


def _delivery_for(centre: Centre) -> str:
    return Delivery.DIGITAL if centre.digital_certificates else Delivery.POST


def _insert_certificates(
    batch: Batch,
    units_by_learner: dict[int, list[dict]],
    *,
    due: date,
    awards: dict[int, list[dict]] | None = None,
    delivery: str = Delivery.POST,
) -> int:
    """Insert each learner's certificate unless it exists; return how many the batch has.

    Learners in ``awards`` get their qualification certificate (R-CRT-2), the others a unit
    certificate. Each gets a fresh random number. ``ignore_conflicts`` skips a learner who
    already has one for the batch (a repeat, a second worker), a full award another batch
    issued first (that learner then gets a unit certificate) and, rarely, a row whose random
    number is already taken; those learners draw again.
    """
    awards = dict(awards or {})
    pending = dict(units_by_learner)
    for _ in range(numbers.ATTEMPTS):
        Certificate.objects.bulk_create(
            [
                Certificate(
                    learner_id=learner_id,
                    qualification_id=batch.qualification_id,
                    centre_id=batch.centre_id,
                    batch_id=batch.pk,
                    kind=CertificateKind.QUALIFICATION
                    if learner_id in awards
                    else CertificateKind.UNIT,
                    units=awards.get(learner_id, units),
                    number=new_certificate_number(),
                    dispatch_due_on=due,
                    delivery=delivery,
                )
                for learner_id, units in pending.items()
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        issued = set(
            Certificate.objects.filter(batch_id=batch.pk)
            .exclude(status=CertificateStatus.REPLACED)
            .values_list("learner_id", flat=True)
        )
        pending = {learner: units for learner, units in pending.items() if learner not in issued}
        if not pending:
            return len(issued)
        if awards:
            holders = _award_holders(batch.qualification_id, set(pending) & set(awards))
            awards = {learner: units for learner, units in awards.items() if learner not in holders}
    raise RuntimeError(f"No free certificate number for {len(pending)} learners of {batch}.")


def _award_holders(qualification_id: int, learner_ids: Iterable[int]) -> set[int]:
    """Learners among ``learner_ids`` who already hold the qualification's full award."""
    return set(
        Certificate.objects.filter(
            qualification_id=qualification_id,
            kind=CertificateKind.QUALIFICATION,
            learner_id__in=list(learner_ids),
        )
        .exclude(status=CertificateStatus.REPLACED)
        .values_list("learner_id", flat=True)
    )


@transaction.atomic
def _create_certificates(batch_id: int) -> int:
    """Create the batch's certificates and its dispatch row; return how many are new."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("qualification", "centre")
        .filter(pk=batch_id, status=BatchStatus.COMPLETE, deleted_at__isnull=True)
        .first()
    )
    if batch is None:
        return 0
    rows = (
        BatchUnit.objects.filter(batch_id=batch.pk, released_at__isnull=True)
        .exclude(selection__result="")
        .order_by("selection__registration__learner_id", "selection__unit__code")
        .values_list(
            "selection__registration__learner_id",
            "selection__unit__code",
            "selection__unit__title",
            "selection__unit__level",
            "selection__unit__credit",
            "selection__result",
        )
    )
    units_by_learner: dict[int, list[dict]] = defaultdict(list)
    for learner_id, code, title, level, credit, result in rows:
        units_by_learner[learner_id].append(unit_entry(code, title, level, credit, result))
    # R-CRT-2: a learner whose passed units, this batch's and earlier ones', now meet the
    # rule of combination gets the full award, once; everyone else a unit certificate.
    awards = full_award_units(qualification=batch.qualification, learner_ids=units_by_learner)
    if awards:
        holders = _award_holders(batch.qualification_id, awards)
        awards = {learner: units for learner, units in awards.items() if learner not in holders}
    due = dispatch_due_on(batch)
    delivery = _delivery_for(batch.centre)
    before = Certificate.objects.filter(batch_id=batch.pk).count()
    total = _insert_certificates(batch, units_by_learner, due=due, awards=awards, delivery=delivery)
    CertificateDispatch.objects.get_or_create(
        batch_id=batch.pk,
        defaults={
            "centre_id": batch.centre_id,
            "due_on": due,
            "certificate_count": total,
            "method": delivery,
        },
    )
    return total - before


def _render_missing_pdfs(batch_id: int) -> int:
    """Draw and store every certificate of the batch still without a PDF; return how many."""
    return _render_pdfs(Certificate.objects.filter(batch_id=batch_id))


def _render_pdfs(certificates: QuerySet[Certificate]) -> int:
    """Draw and store each of ``certificates`` still without a PDF; return how many."""
    pending = list(certificates.filter(pdf="").select_related("learner", "qualification", "centre"))
    if not pending:
        return 0
    storage = Certificate._meta.get_field("pdf").storage
    stored = {}
    for certificate in pending:
        name = storage.save(
            certificate_key(certificate, ""), ContentFile(render_certificate(certificate))
        )
        stored[certificate.pk] = name
    Certificate.objects.filter(pk__in=stored, pdf="").update(
        pdf=Case(*(When(pk=pk, then=Value(name)) for pk, name in stored.items()))
    )
    # Another worker may have attached its own file first: ours is then unreachable.
    attached = dict(Certificate.objects.filter(pk__in=stored).values_list("pk", "pdf"))
    orphans = [name for pk, name in stored.items() if attached.get(pk) != name]
    for name in orphans:
        storage.delete(name)
    return len(stored) - len(orphans)


def certificates_issue_for_batch(*, batch_id: int) -> int:
    """Create and render the certificates of Complete batch ``batch_id``; safe to repeat.

    Returns how many certificates this call created (0 on a repeat). The PDF drawing and
    storage happen after the creating transaction has committed, so no row lock is held
    while slow I/O runs.
    """
    created = _create_certificates(batch_id)
    _render_missing_pdfs(batch_id)
    return created


def _recipients(dispatch: CertificateDispatch) -> list[str]:
    return _centre_recipients(dispatch.centre)


def _centre_recipients(centre: Centre) -> list[str]:
    """The centre's generic address or, without one, its staff with Moderation access."""
    if centre.contact_email:
        return [centre.contact_email]
    return sorted(
        Membership.objects.active()
        .filter(centre_id=centre.pk, can_moderation=True)
        .values_list("user__email", flat=True)
    )


def _site_url(path: str) -> str:
    return settings.HUB_SITE_URL.rstrip("/") + path


def certificates_dispatch_for_batch(*, batch_id: int) -> bool:
    """Email the centre once that the batch's certificates are ready; True if this call sent it.

    Only for a centre taking digital certificates (the email is the delivery); posted ones
    wait for a print run (R-CRT-1). Raises ``CertificatesNotReady`` while a PDF is missing,
    so the task retries.
    """
    dispatch = (
        CertificateDispatch.objects.select_related("centre", "batch__qualification")
        .filter(batch_id=batch_id, dispatched_at__isnull=True)
        .first()
    )
    if dispatch is None or dispatch.method != Delivery.DIGITAL:
        return False
    if Certificate.objects.filter(batch_id=batch_id, pdf="").exists():
        raise CertificatesNotReady(f"Batch {batch_id} has certificates without a PDF yet.")
    now = timezone.now()
    stale = now - timedelta(minutes=settings.HUB_DISPATCH_CLAIM_MINUTES)
    claimed = (
        CertificateDispatch.objects.filter(pk=dispatch.pk, dispatched_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    if claimed != 1:
        return False
    recipients = _recipients(dispatch) if dispatch.certificate_count else []
    try:
        if recipients:
            send_templated_email(
                to=recipients,
                template="certificates/email/certificates_ready",
                context={
                    "dispatch": dispatch,
                    "batch": dispatch.batch,
                    "url": _site_url(reverse("certificates:batch", kwargs={"batch_pk": batch_id})),
                    "verify_url": _site_url(reverse("certificates:verify")),
                },
            )
    except Exception:
        # Give the claim back so the retry (or the sweep) can send it.
        CertificateDispatch.objects.filter(pk=dispatch.pk, claimed_at=now).update(claimed_at=None)
        raise
    with transaction.atomic():
        CertificateDispatch.objects.filter(pk=dispatch.pk).update(
            dispatched_at=now, sent_to=", ".join(recipients)
        )
        Certificate.objects.filter(batch_id=batch_id, dispatched_at__isnull=True).update(
            dispatched_at=now
        )
    if not recipients and dispatch.certificate_count:
        log.warning("Batch %s: the centre has no address to send certificates to.", batch_id)
    return True


def certificates_to_heal(*, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Batches to issue again and batches to dispatch again, after a lost message (R-SLA-3).

    Only work older than HUB_HEAL_AFTER_MINUTES: younger work is still in the normal path.
    """
    now = now or timezone.now()
    settled = now - timedelta(minutes=settings.HUB_HEAL_AFTER_MINUTES)
    to_issue = set(
        Batch.objects.live()
        .filter(status=BatchStatus.COMPLETE, dispatch__isnull=True)
        .filter(Q(completed_at__lt=settled) | Q(completed_at__isnull=True))
        .values_list("pk", flat=True)
    )
    # Certificates without a batch (a claim's full award, a reissue) are the outbox's to retry.
    to_issue |= set(
        Certificate.objects.filter(pdf="", issued_at__lt=settled, batch__isnull=False).values_list(
            "batch_id", flat=True
        )
    )
    stale = now - timedelta(minutes=settings.HUB_DISPATCH_CLAIM_MINUTES)
    # Posted dispatches end at the print run, not here.
    to_dispatch = set(
        CertificateDispatch.objects.filter(
            dispatched_at__isnull=True,
            created_at__lt=settled,
            method=Delivery.DIGITAL,
            batch__isnull=False,
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .exclude(batch_id__in=to_issue)
        .values_list("batch_id", flat=True)
    )
    return sorted(to_issue), sorted(to_dispatch)


def _deliver_digital(certificates: QuerySet[Certificate]) -> int:
    """Mark drawn certificates of digital centres delivered: the PDF on the hub is theirs."""
    return (
        certificates.filter(delivery=Delivery.DIGITAL, dispatched_at__isnull=True)
        .exclude(pdf="")
        .update(dispatched_at=timezone.now())
    )


def certificates_award_for_registrations(
    *, registration_ids: list[int], claim_id: int | None = None
) -> int:
    """R-CRT-2 for results a claim posted: full awards the learners now meet; safe to repeat.

    Returns how many qualification certificates this call issued. A claim's unit results are
    not certificated one by one (as before); only a completed rule of combination is. With
    ``claim_id`` (the claim that posted the results) the awards carry the claim and get the
    batches' dispatch clock (R-SLA-2, R-CRT-1): ten working days from processing to posted,
    or delivered at once to a centre taking digital certificates.
    """
    pairs = set(
        Registration.objects.filter(pk__in=registration_ids).values_list(
            "qualification_id", "learner_id"
        )
    )
    by_qualification: dict[int, set[int]] = defaultdict(set)
    for qualification_id, learner_id in pairs:
        by_qualification[qualification_id].add(learner_id)
    claim = _processed_claim(claim_id)
    due = add_working_days(
        timezone.localdate(claim.processed_at if claim else timezone.now()),
        DISPATCH_WORKING_DAYS,
    )
    issued: list[int] = []
    for qualification_id, learner_ids in sorted(by_qualification.items()):
        issued += _award_qualification(qualification_id, learner_ids, due=due, claim=claim)
    if claim is not None:
        _claim_dispatch(claim, due=due)
    # A repeat (a retried message) draws what an earlier run created but could not draw.
    certificates = Certificate.objects.filter(
        Q(pk__in=issued) | Q(claim_id=claim.pk) if claim else Q(pk__in=issued)
    )
    _render_pdfs(certificates)
    _deliver_digital(certificates)
    if claim is not None:
        _close_claim_dispatches([claim.pk], at=timezone.now())
    return len(issued)


def _processed_claim(claim_id: int | None) -> Claim | None:
    if claim_id is None:
        return None
    from claims.models import Claim  # claims sits beside certificates; only its row is read

    return Claim.objects.select_related("centre").filter(pk=claim_id).first()


def _claim_dispatch(claim: Claim, *, due: date) -> None:
    """One dispatch row for a claim's full awards, made once (a repeat finds it)."""
    count = (
        Certificate.objects.filter(claim_id=claim.pk)
        .exclude(status=CertificateStatus.REPLACED)
        .count()
    )
    if not count:
        return
    CertificateDispatch.objects.get_or_create(
        claim_id=claim.pk,
        defaults={
            "centre_id": claim.centre_id,
            "due_on": due,
            "certificate_count": count,
            "method": _delivery_for(claim.centre),
        },
    )


def _close_claim_dispatches(claim_ids: Iterable[int], *, at: datetime, sent_to: str = "") -> int:
    """End the clock of each claim dispatch none of whose valid certificates still waits."""
    claim_ids = set(claim_ids)
    waiting = set(
        Certificate.objects.filter(
            claim_id__in=claim_ids, status=CertificateStatus.VALID, dispatched_at__isnull=True
        ).values_list("claim_id", flat=True)
    )
    return CertificateDispatch.objects.filter(
        claim_id__in=claim_ids - waiting, dispatched_at__isnull=True
    ).update(dispatched_at=at, sent_to=sent_to)


@transaction.atomic
def _award_qualification(
    qualification_id: int, learner_ids: set[int], *, due: date, claim: Claim | None
) -> list[int]:
    qualification = Qualification.objects.get(pk=qualification_id)
    awards = full_award_units(qualification=qualification, learner_ids=learner_ids)
    if not awards:
        return []
    centres = {
        learner_id: (centre_id, digital)
        for learner_id, centre_id, digital in Learner.objects.filter(pk__in=awards).values_list(
            "pk", "centre_id", "centre__digital_certificates"
        )
    }
    created: list[int] = []
    for _ in range(numbers.ATTEMPTS):
        pending = set(awards) - _award_holders(qualification_id, awards)
        if not pending:
            return created
        made = Certificate.objects.bulk_create(
            [
                Certificate(
                    learner_id=learner_id,
                    qualification_id=qualification_id,
                    centre_id=centres[learner_id][0],
                    claim_id=claim.pk if claim else None,
                    kind=CertificateKind.QUALIFICATION,
                    units=awards[learner_id],
                    number=new_certificate_number(),
                    dispatch_due_on=due,
                    delivery=Delivery.DIGITAL if centres[learner_id][1] else Delivery.POST,
                )
                for learner_id in sorted(pending)
            ],
            ignore_conflicts=True,
        )
        numbers_drawn = [c.number for c in made]
        created += list(
            Certificate.objects.filter(number__in=numbers_drawn, learner_id__in=pending)
            .filter(kind=CertificateKind.QUALIFICATION, qualification_id=qualification_id)
            .values_list("pk", flat=True)
        )
    raise RuntimeError(f"No free certificate number for the awards of {qualification}.")


def certificate_render(*, certificate_id: int) -> None:
    """The outbox handler for one certificate (a reissue): draw it, deliver it if digital."""
    certificates = Certificate.objects.filter(pk=certificate_id)
    _render_pdfs(certificates)
    _deliver_digital(certificates)


# --- Staff: print runs, reissue and revoke (R-CRT-1, R-CRT-4) -----------------------------


class NothingToPrint(Exception):
    """No certificate of the centre is waiting for a print run (another run took them)."""


class AlreadyDone(Exception):
    """The run is already posted, or the certificate already replaced or revoked."""


def _require_staff(actor: User | None) -> None:
    if not (actor is not None and actor.is_staff):
        raise PermissionDenied("Only the awarding body's administrators can do this.")


def _required(value: str, *, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "This field is required."})
    return value


@transaction.atomic
def print_run_create(*, actor: User, centre: Centre) -> PrintRun:
    """Gather every certificate of ``centre`` waiting for print into one run (one parcel).

    The certificates are taken with one conditional UPDATE: two clicks at once give one run,
    and the second raises ``NothingToPrint`` (rolling back its empty run).
    """
    _require_staff(actor)
    run = PrintRun.objects.create(centre=centre, created_by=actor)
    count = awaiting_print().filter(centre=centre).update(print_run=run)
    if not count:
        raise NothingToPrint(f"No certificates of {centre} are waiting to be printed.")
    PrintRun.objects.filter(pk=run.pk).update(certificate_count=count)
    run.certificate_count = count
    audit(
        actor=actor,
        action="certificates.print_run_create",
        subject=f"Print run {run.pk}",
        centre=centre,
        certificates=count,
    )
    outbox.enqueue("certificates.print_run_build", run_id=run.pk)
    return run


def print_run_build(*, run_id: int) -> bool:
    """The outbox handler: merge the run's certificates into one PDF to print; safe to repeat.

    The stored PDFs are merged as they are (pypdf), so the paper is exactly what was issued.
    """
    from pypdf import PdfWriter

    if not PrintRun.objects.filter(pk=run_id, pdf="").exists():
        return False
    names = list(_run_pdf_names(run_id))
    if not names:
        return False  # every certificate of the run was revoked or replaced: nothing to print
    if any(not name for name in names):
        raise CertificatesNotReady(f"Print run {run_id} has a certificate without a PDF yet.")
    storage = Certificate._meta.get_field("pdf").storage
    writer = PdfWriter()
    for name in names:
        with storage.open(name, "rb") as handle:
            writer.append(io.BytesIO(handle.read()))
    merged = io.BytesIO()
    writer.write(merged)
    run_storage = PrintRun._meta.get_field("pdf").storage
    stored = run_storage.save(print_run_key(None, ""), ContentFile(merged.getvalue()))
    if PrintRun.objects.filter(pk=run_id, pdf="").update(pdf=stored) != 1:
        run_storage.delete(stored)  # another worker attached its file first
        return False
    # A certificate revoked while this ran left the run (and queued another build): this
    # file has it, so it gives way.
    if list(_run_pdf_names(run_id)) != names:
        PrintRun.objects.filter(pk=run_id, pdf=stored).update(pdf="")
        run_storage.delete(stored)
        return False
    return True


def _run_pdf_names(run_id: int) -> QuerySet:
    return (
        Certificate.objects.filter(print_run_id=run_id)
        .order_by("batch_id", "learner__last_name", "learner__first_name", "pk")
        .values_list("pdf", flat=True)
    )


def print_run_mark_printed(*, run: PrintRun) -> None:
    """The first download of the merged PDF is the printing; later ones change nothing."""
    PrintRun.objects.filter(pk=run.pk, printed_at__isnull=True).update(printed_at=timezone.now())


@transaction.atomic
def print_run_mark_posted(
    *, actor: User, run: PrintRun, carrier: str, tracking_reference: str
) -> PrintRun:
    """R-CRT-1: the run's parcel went; its certificates' clock ends now, the centre is told."""
    _require_staff(actor)
    carrier = _required(carrier, field="carrier")
    tracking_reference = _required(tracking_reference, field="tracking_reference")
    now = timezone.now()
    posted = PrintRun.objects.filter(pk=run.pk, posted_at__isnull=True).update(
        posted_at=now,
        posted_by=actor,
        carrier=carrier,
        tracking_reference=tracking_reference,
        printed_at=Coalesce(F("printed_at"), Value(now, output_field=DateTimeField())),
    )
    if posted != 1:
        raise AlreadyDone(f"Print run {run.pk} is already posted.")
    Certificate.objects.filter(print_run_id=run.pk, dispatched_at__isnull=True).update(
        dispatched_at=now
    )
    # A batch is dispatched when none of its valid certificates is still waiting.
    batch_ids = set(
        Certificate.objects.filter(print_run_id=run.pk, batch__isnull=False).values_list(
            "batch_id", flat=True
        )
    )
    waiting = set(
        Certificate.objects.filter(
            batch_id__in=batch_ids, status=CertificateStatus.VALID, dispatched_at__isnull=True
        ).values_list("batch_id", flat=True)
    )
    CertificateDispatch.objects.filter(
        batch_id__in=batch_ids - waiting, dispatched_at__isnull=True
    ).update(dispatched_at=now, sent_to=f"Posted: {carrier}, {tracking_reference}")
    # A claim's full awards end their clock the same way (R-SLA-2).
    _close_claim_dispatches(
        Certificate.objects.filter(print_run_id=run.pk, claim__isnull=False).values_list(
            "claim_id", flat=True
        ),
        at=now,
        sent_to=f"Posted: {carrier}, {tracking_reference}",
    )
    audit(
        actor=actor,
        action="certificates.print_run_posted",
        subject=f"Print run {run.pk}",
        centre=run.centre,
        carrier=carrier,
        tracking_reference=tracking_reference,
    )
    outbox.enqueue("certificates.email_posted", run_id=run.pk)
    run.refresh_from_db()
    return run


def print_run_email_posted(*, run_id: int) -> None:
    """The outbox handler: tell the centre its certificates are in the post, with tracking."""
    run = PrintRun.objects.select_related("centre").get(pk=run_id)
    recipients = _centre_recipients(run.centre)
    if not recipients:
        log.warning("Print run %s: the centre has no address to tell.", run_id)
        return
    batch_ids = sorted(
        set(
            Certificate.objects.filter(print_run=run, batch__isnull=False).values_list(
                "batch_id", flat=True
            )
        )
    )
    send_templated_email(
        to=recipients,
        template="certificates/email/certificates_posted",
        context={
            "run": run,
            "batches": [
                (pk, _site_url(reverse("certificates:batch", kwargs={"batch_pk": pk})))
                for pk in batch_ids
            ],
            "verify_url": _site_url(reverse("certificates:verify")),
        },
    )


def _drop_from_unposted_run(certificate: Certificate, *, actor: User) -> PrintRun | None:
    """Take a certificate that no longer stands out of its print run, if not posted yet.

    The run's count goes down by one and its merged PDF is made again without it (the
    outbox), so the paper printed from it never carries a revoked or replaced certificate.
    A posted run keeps it: that parcel has gone. Returns the run it left, if any.
    """
    if certificate.print_run_id is None:
        return None
    run = (
        PrintRun.objects.select_for_update()
        .filter(pk=certificate.print_run_id, posted_at__isnull=True)
        .first()
    )
    if run is None:
        return None
    Certificate.objects.filter(pk=certificate.pk).update(print_run=None)
    stale = run.pdf.name
    remaining = Certificate.objects.filter(print_run_id=run.pk).count()
    PrintRun.objects.filter(pk=run.pk).update(certificate_count=remaining, pdf="")
    if stale:
        storage = PrintRun._meta.get_field("pdf").storage
        transaction.on_commit(lambda: storage.delete(stale))
    if remaining:
        outbox.enqueue("certificates.print_run_build", run_id=run.pk)
    audit(
        actor=actor,
        action="certificates.print_run_remove",
        subject=f"Print run {run.pk}",
        centre=run.centre,
        certificate=certificate.number,
        certificates=remaining,
    )
    return run


def _lock_valid(certificate: Certificate) -> Certificate:
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status != CertificateStatus.VALID:
        raise AlreadyDone(f"Certificate {locked.number} is already {locked.status}.")
    return locked


@transaction.atomic
def certificate_reissue(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """R-CRT-4: a new certificate with a new number; the old one is marked replaced by it.

    For a correction (the learner's name put right) or a lost original. The new one is
    drawn from the learner's record as it is now, and goes to the centre as any other does.
    """
    _require_staff(actor)
    reason = _required(reason, field="reason")
    return _reissue(_lock_valid(certificate), actor=actor, reason=reason)


def _reissue(
    old: Certificate,
    *,
    actor: User,
    reason: str,
    units: list[dict] | None = None,
    kind: str | None = None,
) -> Certificate:
    """Replace the locked, valid ``old`` by a new certificate (the same units and kind
    unless given); inside the caller's transaction."""
    centre = Centre.objects.get(pk=old.centre_id)
    now = timezone.now()
    # Replaced first: the one-per-batch and one-award rules then let the new one in.
    Certificate.objects.filter(pk=old.pk).update(
        status=CertificateStatus.REPLACED, status_changed_at=now, status_reason=reason
    )
    _drop_from_unposted_run(old, actor=actor)
    for _ in range(numbers.ATTEMPTS):
        try:
            with transaction.atomic():
                new = Certificate.objects.create(
                    learner_id=old.learner_id,
                    qualification_id=old.qualification_id,
                    centre_id=old.centre_id,
                    batch_id=old.batch_id,
                    claim_id=old.claim_id,
                    kind=kind or old.kind,
                    units=old.units if units is None else units,
                    number=new_certificate_number(),
                    issued_at=now,
                    dispatch_due_on=add_working_days(
                        timezone.localdate(now), DISPATCH_WORKING_DAYS
                    ),
                    delivery=_delivery_for(centre),
                )
            break
        except IntegrityError:
            continue  # the random number was taken: draw again
    else:
        raise RuntimeError(f"No free certificate number to reissue {old.number}.")
    Certificate.objects.filter(pk=old.pk).update(replaced_by=new)
    audit(
        actor=actor,
        action="certificates.reissue",
        subject=f"Certificate {old.number}",
        centre=centre,
        reason=reason,
        replaced_by=new.number,
    )
    outbox.enqueue("certificates.render", certificate_id=new.pk)
    return new


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """R-CRT-4: the certificate no longer stands; the verify page says it was revoked."""
    _require_staff(actor)
    reason = _required(reason, field="reason")
    return _revoke(_lock_valid(certificate), actor=actor, reason=reason)


def _revoke(locked: Certificate, *, actor: User, reason: str) -> Certificate:
    """Mark the locked, valid certificate revoked; inside the caller's transaction."""
    now = timezone.now()
    Certificate.objects.filter(pk=locked.pk).update(
        status=CertificateStatus.REVOKED, status_changed_at=now, status_reason=reason
    )
    _drop_from_unposted_run(locked, actor=actor)
    audit(
        actor=actor,
        action="certificates.revoke",
        subject=f"Certificate {locked.number}",
        centre=locked.centre,
        reason=reason,
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def certificate_amend_results(
    *,
    actor: User | None,
    certificate: Certificate,
    units: list[dict],
    kind: str | None = None,
    reason: str,
) -> Certificate | None:
    """R-CRT-4 for results changed on review (R-REV-3): the certificate carries ``units``
    (and ``kind``) from now on.

    No units left: it is revoked. Units (or kind) unchanged: left alone, so a repeat does
    nothing. Otherwise it is reissued with a new number and the old one marked replaced;
    the verify page says which. Called by the review's certificate work (reviews/
    certificates.py) for a review its assigned reviewer decided, with that reviewer as the
    actor: the decision, not a staff action, is what changed the results. Returns the new
    certificate, the revoked one, or None when nothing changed.
    """
    reason = _required(reason, field="reason")
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status != CertificateStatus.VALID:
        return None
    if not units:
        return _revoke(locked, actor=actor, reason=reason)
    if _same_units(locked.units, units) and (kind is None or kind == locked.kind):
        return None
    return _reissue(locked, actor=actor, reason=reason, units=units, kind=kind)


def _same_units(a: list[dict], b: list[dict]) -> bool:
    def key(units: list[dict]) -> list[tuple]:
        return sorted((u.get("code"), u.get("result")) for u in units)

    return key(a) == key(b)
