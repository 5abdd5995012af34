"""Reads for the centre's certificate lists: a page of prepared rows at a time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from centres.models import Learner
from hub.paging import short_date, url_maker
from moderation.models import Batch

from .models import Certificate


def certificates_of_batch(certificates: QuerySet[Certificate], *, batch: Batch) -> QuerySet:
    """A batch's certificates by the learner's name."""
    return (
        certificates.filter(batch=batch)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "learner_id")
    )


def certificates_of_learner(certificates: QuerySet[Certificate], *, learner: Learner) -> QuerySet:
    """A learner's certificates, oldest batch first."""
    return (
        certificates.filter(learner=learner)
        .select_related("qualification")
        .order_by("batch_id", "pk")
    )


@dataclass(frozen=True)
class CertificateRow:
    number: str
    awarded_to: str  # the learner on a batch's list, the qualification on a learner's
    units: str
    issued_at: str
    download_url: str  # blank while the PDF is being drawn


def certificate_rows(
    certificates: list[Certificate], *, show_learner: bool
) -> list[CertificateRow]:
    download_url = url_maker("certificates:download")
    return [
        CertificateRow(
            number=c.number,
            awarded_to=(
                f"{c.learner.full_name} ({c.learner.membership_number})"
                if show_learner
                else f"{c.qualification.code}: {c.qualification.title}"
            ),
            units=", ".join(unit["code"] for unit in c.units),
            issued_at=short_date(c.issued_at),
            download_url=download_url(c.pk) if c.pdf else "",
        )
        for c in certificates
    ]
