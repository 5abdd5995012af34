"""Emails about claims, each rendered from a subject and a text template.

Each is an outbox handler (registered in ``ClaimsConfig.ready``): claims.services queues it
in the change's transaction and a worker sends it after the commit, retrying while the mail
server refuses, so a rolled-back change never sends mail and no request waits on SMTP.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from hub.emails import send_templated_email

from .models import AssessorAssignment, Claim


def _send(*, to: list[str], template: str, context: dict) -> None:
    send_templated_email(to=to, template=f"claims/email/{template}", context=context)


def _claim(claim_pk: int) -> Claim:
    return Claim.objects.select_related("centre", "qualification").get(pk=claim_pk)


def centre_recipients(claim: Claim) -> list[str]:
    """The address given at submission, else the centre's generic one."""
    address = claim.contact_email or claim.centre.contact_email
    return [address] if address else []


def assessor_recipients(claim: Claim) -> list[str]:
    """The assessors who visit the centre; the moderation team when none is assigned yet."""
    emails = sorted(
        AssessorAssignment.objects.filter(centre_id=claim.centre_id).values_list(
            "assessor__email", flat=True
        )
    )
    return emails or [settings.HUB_MODERATION_TEAM_EMAIL]


def claim_submitted(*, claim_pk: int) -> None:
    claim = _claim(claim_pk)
    # The assessor's page for this claim, where the sample is selected.
    url = settings.HUB_SITE_URL.rstrip("/") + reverse("claims:assessor-claim", args=[claim.pk])
    _send(
        to=assessor_recipients(claim),
        template="claim_submitted",
        context={"claim": claim, "url": url},
    )


def _centre_url(claim: Claim) -> str:
    # The centre's page for this claim (the sample is ticked there; the grades once final).
    return settings.HUB_SITE_URL.rstrip("/") + reverse("claims:claim-detail", args=[claim.pk])


def claim_sampled(*, claim_pk: int) -> None:
    claim = _claim(claim_pk)
    if to := centre_recipients(claim):
        _send(to=to, template="claim_sampled", context={"claim": claim, "url": _centre_url(claim)})


def claim_finalised(*, claim_pk: int) -> None:
    claim = _claim(claim_pk)
    if to := centre_recipients(claim):
        _send(
            to=to, template="claim_finalised", context={"claim": claim, "url": _centre_url(claim)}
        )


def claim_withdrawn(*, claim_pk: int) -> None:
    claim = _claim(claim_pk)
    note = claim.history.filter(to_status=claim.status).values_list("note", flat=True).first()
    if to := centre_recipients(claim):
        _send(
            to=to,
            template="claim_withdrawn",
            context={"claim": claim, "note": note or "", "url": _centre_url(claim)},
        )
