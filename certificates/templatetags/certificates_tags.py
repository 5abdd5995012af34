"""The certificates a claim's processed grades earned, shown on the claim's page (R-CRT-1)."""

from __future__ import annotations

from django import template

from ..models import Certificate, CertificateDispatch
from ..selectors import certificate_rows

register = template.Library()


@register.inclusion_tag("certificates/_claim_certificates.html")
def claim_certificates(claim) -> dict:
    """A processed claim's qualification certificates, with their dispatch: issued, due,
    printed, posted with tracking, or delivered digitally. Two queries; none before the
    claim is processed."""
    if claim.processed_at is None:
        return {"rows": []}
    certificates = list(
        Certificate.objects.filter(claim=claim)
        .select_related("learner", "qualification", "print_run", "replaced_by")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    if not certificates:
        return {"rows": []}
    return {
        "rows": certificate_rows(certificates, show_learner=True),
        "dispatch": CertificateDispatch.objects.filter(claim=claim).first(),
    }
