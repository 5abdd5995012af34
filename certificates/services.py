"""Issuing certificates for a Complete batch and telling the centre (R-SLA-2, R-SLA-3).

Every function here can run twice, or in two workers at once, for the same batch and end
with one set of certificates and one email:

* certificates are created with ``bulk_create(ignore_conflicts=True)`` against the
  one-per-learner-per-batch constraint; their numbers are random (they reveal no volumes),
  and a learner whose number happened to be taken draws another;
* PDFs are drawn and stored outside any transaction, then attached with one conditional
  UPDATE (``pdf=""``); a file that lost the race is deleted;
* the email is sent only by the worker whose conditional UPDATE claimed the dispatch row.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership
from hub import numbers
from hub.emails import send_templated_email
from hub.workdays import add_working_days
from moderation.models import Batch, BatchStatus, BatchUnit

from .models import Certificate, CertificateDispatch, certificate_key, new_certificate_number
from .pdf import render_certificate

log = logging.getLogger(__name__)

DISPATCH_WORKING_DAYS = 10  # R-SLA-2


class CertificatesNotReady(Exception):
    """Some certificates of the batch have no PDF yet; the dispatch waits (and is retried)."""


def dispatch_due_on(batch: Batch):
    """R-SLA-2: ten working days after the day the batch became Complete."""
    completed = batch.completed_at or batch.outcome_at or timezone.now()
    return add_working_days(timezone.localdate(completed), DISPATCH_WORKING_DAYS)


def _insert_certificates(batch: Batch, units_by_learner: dict[int, list[dict]], *, due) -> int:
    """Insert each learner's certificate unless it exists; return how many the batch has.

    Each gets a fresh random number. ``ignore_conflicts`` skips a learner who already has one
    (a repeat, a second worker) and, rarely, a row whose random number is already taken;
    those learners draw again.
    """
    pending = dict(units_by_learner)
    for _ in range(numbers.ATTEMPTS):
        Certificate.objects.bulk_create(
            [
                Certificate(
                    learner_id=learner_id,
                    qualification_id=batch.qualification_id,
                    centre_id=batch.centre_id,
                    batch_id=batch.pk,
                    units=units,
                    number=new_certificate_number(),
                    dispatch_due_on=due,
                )
                for learner_id, units in pending.items()
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        issued = set(
            Certificate.objects.filter(batch_id=batch.pk).values_list("learner_id", flat=True)
        )
        pending = {learner: units for learner, units in pending.items() if learner not in issued}
        if not pending:
            return len(issued)
    raise RuntimeError(f"No free certificate number for {len(pending)} learners of {batch}.")


@transaction.atomic
def _create_certificates(batch_id: int) -> int:
    """Create the batch's certificates and its dispatch row; return how many are new."""
    batch = (
        Batch.objects.select_for_update()
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
            "selection__result",
        )
    )
    units_by_learner: dict[int, list[dict]] = defaultdict(list)
    for learner_id, code, title, result in rows:
        units_by_learner[learner_id].append(
            {"code": code, "title": title, "result": result.capitalize()}
        )
    due = dispatch_due_on(batch)
    before = Certificate.objects.filter(batch_id=batch.pk).count()
    total = _insert_certificates(batch, units_by_learner, due=due)
    CertificateDispatch.objects.get_or_create(
        batch_id=batch.pk,
        defaults={"centre_id": batch.centre_id, "due_on": due, "certificate_count": total},
    )
    return total - before


def _render_missing_pdfs(batch_id: int) -> int:
    """Draw and store every certificate of the batch still without a PDF; return how many."""
    pending = list(
        Certificate.objects.filter(batch_id=batch_id, pdf="").select_related(
            "learner", "qualification"
        )
    )
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
    """The centre's generic address or, without one, its staff with Moderation access."""
    if dispatch.centre.contact_email:
        return [dispatch.centre.contact_email]
    return sorted(
        Membership.objects.active()
        .filter(centre_id=dispatch.centre_id, can_moderation=True)
        .values_list("user__email", flat=True)
    )


def certificates_dispatch_for_batch(*, batch_id: int) -> bool:
    """Email the centre once that the batch's certificates are ready; True if this call sent it.

    Raises ``CertificatesNotReady`` while a PDF is missing, so the task retries.
    """
    dispatch = (
        CertificateDispatch.objects.select_related("centre", "batch__qualification")
        .filter(batch_id=batch_id, dispatched_at__isnull=True)
        .first()
    )
    if dispatch is None:
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
                    "url": settings.HUB_SITE_URL.rstrip("/")
                    + reverse("certificates:batch", kwargs={"batch_pk": batch_id}),
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
        Certificate.objects.filter(batch_id=batch_id).update(dispatched_at=now)
    if not recipients and dispatch.certificate_count:
        log.warning("Batch %s: the centre has no address to send certificates to.", batch_id)
    return True


def certificates_to_heal(*, now=None) -> tuple[list[int], list[int]]:
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
    to_issue |= set(
        Certificate.objects.filter(pdf="", issued_at__lt=settled).values_list("batch_id", flat=True)
    )
    stale = now - timedelta(minutes=settings.HUB_DISPATCH_CLAIM_MINUTES)
    to_dispatch = set(
        CertificateDispatch.objects.filter(dispatched_at__isnull=True, created_at__lt=settled)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .exclude(batch_id__in=to_issue)
        .values_list("batch_id", flat=True)
    )
    return sorted(to_issue), sorted(to_dispatch)
