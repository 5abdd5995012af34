"""Certificates after an "Outcome changed" review (R-REV-3, R-CRT-4), in a worker.

The decision changed PAR results in its own transaction and queued ``reviews.certificates``
in the outbox; this handler then brings the learners' certificates into line with the PAR
as it now stands, through certificates' services:

- a unit certificate of the reviewed batch whose units changed is reissued with the units
  the learner now has passed there (new number, the old one "replaced"), or revoked when
  none is left;
- a qualification certificate that carries a changed unit is reissued with the units of the
  full award when the learner still meets the rule of combination (R-CRT-2); when they no
  longer do, a batch's award becomes that batch's unit certificate (reissued) and a claim's,
  which has no unit certificates, is revoked;
- new certificates for results newly passed go through the normal award path: the batch's
  own issue (a Complete batch) and the full-award check for the learners affected.

Safe to run again (the outbox delivers at least once): a certificate that already matches
the PAR is left alone, and the award paths skip what exists.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from certificates.models import Certificate, CertificateKind, CertificateStatus
from certificates.selectors import full_award_units, unit_entry
from certificates.services import (
    certificate_amend_results,
    certificates_award_for_registrations,
    certificates_issue_for_batch,
)
from moderation.models import BatchStatus, BatchUnit

from .models import Review, ReviewStatus

log = logging.getLogger(__name__)


def _batch_units(batch_id: int, learner_ids: set[int]) -> dict[int, list[dict]]:
    """Each learner's units passed on the batch now, as a certificate carries them."""
    rows = (
        BatchUnit.objects.filter(
            batch_id=batch_id,
            released_at__isnull=True,
            selection__registration__learner_id__in=learner_ids,
        )
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
    units: dict[int, list[dict]] = defaultdict(list)
    for learner_id, code, title, level, credit, result in rows:
        units[learner_id].append(unit_entry(code, title, level, credit, result))
    return units


def review_certificates(*, review_id: int) -> int:
    """The outbox handler: amend, revoke and issue the certificates an "Outcome changed"
    review affects; returns how many certificates it changed or issued."""
    review = (
        Review.objects.select_related("batch", "claim", "reviewer")
        .filter(pk=review_id, status=ReviewStatus.OUTCOME_CHANGED)
        .first()
    )
    if review is None:
        return 0
    subject = review.batch if review.batch_id is not None else review.claim
    lines = list(
        review.lines.values_list(
            "selection__registration_id", "selection__registration__learner_id", "unit_code"
        )
    )
    if not lines:
        return 0
    registration_ids = sorted({r for r, _, _ in lines})
    learner_ids = {learner for _, learner, _ in lines}
    changed_codes = defaultdict(set)
    for _, learner_id, code in lines:
        changed_codes[learner_id].add(code)
    reason = f"Review {review.pk}: the outcome was changed on review (R-REV-3)."
    actor = review.reviewer
    awards = full_award_units(qualification=subject.qualification, learner_ids=learner_ids)
    batch_units = _batch_units(review.batch_id, learner_ids) if review.batch_id else {}
    certificates = Certificate.objects.filter(
        learner_id__in=learner_ids,
        qualification_id=subject.qualification_id,
        status=CertificateStatus.VALID,
    ).order_by("pk")
    changed = 0
    for certificate in certificates:
        learner_id = certificate.learner_id
        carried = {unit.get("code") for unit in certificate.units}
        if certificate.kind == CertificateKind.QUALIFICATION:
            if learner_id in awards:
                if not carried & changed_codes[learner_id]:
                    continue
                units, kind = awards[learner_id], None
            elif certificate.batch_id is not None:
                # The full award no longer holds: the batch's units on a unit certificate.
                units = (
                    batch_units.get(learner_id)
                    if certificate.batch_id == review.batch_id
                    else _batch_units(certificate.batch_id, {learner_id}).get(learner_id)
                ) or []
                kind = CertificateKind.UNIT
            else:
                units, kind = [], None
        elif certificate.batch_id is not None and certificate.batch_id == review.batch_id:
            units, kind = batch_units.get(learner_id, []), None
        else:
            continue
        if certificate_amend_results(
            actor=actor, certificate=certificate, units=units, kind=kind, reason=reason
        ):
            changed += 1
    # Results newly passed: the normal award paths, which skip what already exists.
    if review.batch_id is not None and review.batch.status == BatchStatus.COMPLETE:
        # (It counts the batch's certificates against those before, replaced ones included.)
        changed += max(0, certificates_issue_for_batch(batch_id=review.batch_id))
    changed += certificates_award_for_registrations(registration_ids=registration_ids)
    log.info("Review %s: %s certificate(s) changed or issued.", review.pk, changed)
    return changed
