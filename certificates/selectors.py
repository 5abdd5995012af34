"""Reads for certificates: the centre's lists, the print queue, the rule of combination."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from centres.models import Learner, Qualification, QualificationUnit
from hub.paging import short_date, url_maker
from hub.workdays import add_working_days
from moderation.models import Batch
from par.models import UnitSelection

from .models import (
    Certificate,
    CertificateDispatch,
    CertificateKind,
    CertificateStatus,
    Delivery,
    FailedJob,
    PrintRun,
)


def unit_entry(code: str, title: str, level: int, credits: int, result: str) -> dict:
    """One unit as a certificate carries it (R-CRT-3)."""
    return {
        "code": code,
        "title": title,
        "level": level,
        "credits": credits,
        "result": result.capitalize(),
    }


def full_award_units(
    *, qualification: Qualification, learner_ids: Iterable[int]
) -> dict[int, list[dict]]:
    """R-CRT-2: each learner whose passed units meet the rule of combination, with those units.

    The rule is every mandatory unit plus ``min_credits`` in all; passed units count from any
    source (batches and claims both post their results to the PAR's selections). A
    qualification with no minimum set has no full award. Two queries, whatever the count.
    """
    ids = list(learner_ids)
    if qualification.min_credits is None or not ids:
        return {}
    mandatory = set(
        QualificationUnit.objects.filter(qualification=qualification, mandatory=True).values_list(
            "unit_id", flat=True
        )
    )
    rows = (
        UnitSelection.objects.filter(
            registration__learner_id__in=ids,
            registration__qualification=qualification,
            unit__qualification_units__qualification=qualification,
        )
        .exclude(result="")
        .order_by("registration__learner_id", "unit__code", "pk")
        .values_list(
            "registration__learner_id",
            "unit_id",
            "unit__code",
            "unit__title",
            "unit__level",
            "unit__credit",
            "result",
        )
    )
    passed: dict[int, dict[int, dict]] = {}
    for learner_id, unit_id, code, title, level, credit, result in rows:
        passed.setdefault(learner_id, {}).setdefault(
            unit_id, unit_entry(code, title, level, credit, result)
        )
    return {
        learner_id: list(units.values())
        for learner_id, units in passed.items()
        if mandatory <= units.keys()
        and sum(unit["credits"] for unit in units.values()) >= qualification.min_credits
    }


def awaiting_print() -> QuerySet[Certificate]:
    """R-CRT-1: drawn certificates for posting that no print run has taken yet."""
    return Certificate.objects.filter(
        delivery=Delivery.POST,
        print_run__isnull=True,
        status=CertificateStatus.VALID,
        dispatched_at__isnull=True,
    ).exclude(pdf="")


def print_queue_by_centre() -> QuerySet:
    """Centres with certificates waiting for print: how many, and the earliest due date."""
    return (
        awaiting_print()
        .values("centre_id", "centre__number", "centre__name")
        .annotate(waiting=Count("pk"), due=Min("dispatch_due_on"))
        .order_by("due", "centre__number")
    )


def certificates_of_batch(certificates: QuerySet[Certificate], *, batch: Batch) -> QuerySet:
    """A batch's certificates by the learner's name."""
    return (
        certificates.filter(batch=batch)
        .select_related("learner", "print_run", "replaced_by")
        .order_by("learner__last_name", "learner__first_name", "learner_id")
    )


def certificates_of_learner(certificates: QuerySet[Certificate], *, learner: Learner) -> QuerySet:
    """A learner's certificates, oldest batch first."""
    return (
        certificates.filter(learner=learner)
        .select_related("qualification", "print_run", "replaced_by")
        .order_by("batch_id", "pk")
    )


def batch_print_runs(*, batch: Batch) -> list[PrintRun]:
    """The print runs that carried a batch's certificates, newest first (one query)."""
    return list(PrintRun.objects.filter(certificates__batch=batch).distinct().order_by("-pk"))


def delivery_text(certificate: Certificate) -> str:
    """Where a certificate stands on its way to the centre, in the centre's words (R-CRT-1)."""
    if certificate.status == CertificateStatus.REVOKED:
        return f"Revoked {short_date(certificate.status_changed_at)}"
    if certificate.status == CertificateStatus.REPLACED:
        replacement = certificate.replaced_by.number if certificate.replaced_by else ""
        return f"Replaced by {replacement}".strip()
    if certificate.dispatched_at and certificate.delivery == Delivery.DIGITAL:
        return f"Delivered digitally {short_date(certificate.dispatched_at)}"
    run = certificate.print_run
    if run is not None and run.posted_at:
        return (
            f"Posted {short_date(run.posted_at)} by {run.carrier}, "
            f"tracking {run.tracking_reference}"
        )
    due = short_date(certificate.dispatch_due_on)
    if run is not None and run.printed_at:
        return f"Printed {short_date(run.printed_at)}, to be posted by {due}"
    if certificate.delivery == Delivery.DIGITAL:
        return f"To be delivered digitally by {due}"
    return f"Waiting to be printed, due by {due}"


@dataclass(frozen=True)
class CertificateRow:
    number: str
    awarded_to: str  # the learner on a batch's list, the qualification on a learner's
    units: str
    issued_at: str
    download_url: str  # blank while the PDF is being drawn
    kind: str = ""
    delivery: str = ""


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
            kind="Qualification" if c.kind == CertificateKind.QUALIFICATION else "Units",
            delivery=delivery_text(c),
        )
        for c in certificates
    ]


# --- Staff pages ---------------------------------------------------------------------------


def dispatch_deadlines(
    *, today: date, horizon: date, show: str = ""
) -> QuerySet[CertificateDispatch]:
    """R-SLA-2: batches (and claims' full awards) whose certificates are not yet posted or
    delivered, late or at risk.

    Late is past the due date; at risk is due within the at-risk working days (``horizon``),
    the same crossings the alerts are sent for.
    """
    pending = CertificateDispatch.objects.filter(dispatched_at__isnull=True).select_related(
        "centre", "batch__qualification", "claim__qualification"
    )
    if show == "late":
        pending = pending.filter(due_on__lt=today)
    elif show == "at-risk":
        pending = pending.filter(due_on__gte=today, due_on__lte=horizon)
    else:
        pending = pending.filter(due_on__lte=horizon)
    return pending.order_by("due_on", "pk")


def staff_certificate_search(query: str) -> QuerySet[Certificate]:
    """Certificates by number (however typed) or the learner's membership number."""
    from .models import certificate_number_variants

    certificates = Certificate.objects.select_related(
        "learner", "qualification", "centre", "print_run", "replaced_by"
    ).order_by("-issued_at", "-pk")
    query = query.strip()
    if not query:
        return certificates
    return certificates.filter(
        Q(number__in=certificate_number_variants(query))
        | Q(learner__membership_number=query.upper())
    )


def dispatches_late(*, today: date) -> QuerySet[CertificateDispatch]:
    """Dispatches not sent whose due day has passed (R-SLA-2)."""
    return CertificateDispatch.objects.filter(dispatched_at__isnull=True, due_on__lt=today)


def dispatches_at_risk(*, today: date) -> QuerySet[CertificateDispatch]:
    """Dispatches not sent, due within HUB_DISPATCH_AT_RISK_WORKING_DAYS working days."""
    return CertificateDispatch.objects.filter(
        dispatched_at__isnull=True,
        due_on__gte=today,
        due_on__lte=add_working_days(today, settings.HUB_DISPATCH_AT_RISK_WORKING_DAYS),
    )


def dashboard_figures(now: datetime) -> dict[str, object]:
    """The moderation dashboard's certificates panel (R-SLA-2): dispatches at risk or late,
    and background jobs that failed for good."""
    today = timezone.localdate(now)
    return {
        "certificates_at_risk": dispatches_at_risk(today=today).count(),
        "certificates_late": dispatches_late(today=today).count(),
        "failed_jobs": FailedJob.objects.filter(rerun_at__isnull=True).count(),
    }


def dashboard_links() -> dict[str, str]:
    dispatches = reverse("admin:certificates_certificatedispatch_changelist")
    return {
        "certificates_at_risk": f"{dispatches}?due=at_risk",
        "certificates_late": f"{dispatches}?due=late",
        "failed_jobs": reverse("admin:certificates_failedjob_changelist") + "?rerun_at__isempty=1",
    }
