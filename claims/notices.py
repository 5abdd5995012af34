"""Claim steps listed in the hub for the people concerned (R-NTF-1).

The claim emails go to addresses as before (claims/emails.py: the address given at
submission or the centre's, the visiting assessors); these notices put the same step in
"Your notices" for the users behind them: the claim's creator (or, once they have left, the
centre's Programme Directors with the Claims grant) and the centre's visiting assessors.
"""

from __future__ import annotations

from django.urls import reverse

from centres.models import Membership, Role
from notices.services import Recipient, list_in_hub

from .models import AssessorAssignment, Claim

TEMPLATES = "claims/notices"


def _centre_users(claim: Claim) -> list[Recipient]:
    members = Membership.objects.active().filter(centre_id=claim.centre_id, can_claims=True)
    chosen = members.filter(user_id=claim.created_by_id) if claim.created_by_id else members.none()
    if not chosen.exists():
        chosen = members.filter(role=Role.PROGRAMME_DIRECTOR)
    return [Recipient(user=m.user) for m in chosen.select_related("user")]


def _assessors(claim: Claim) -> list[Recipient]:
    assignments = AssessorAssignment.objects.filter(centre_id=claim.centre_id)
    return [Recipient(user=a.assessor) for a in assignments.select_related("assessor")]


def claim_step(*, claim: Claim, step: str) -> None:
    """``step``: submitted (to the assessors), sampled, finalised or withdrawn (the centre)."""
    if step == "submitted":
        recipients = _assessors(claim)
        link = reverse("claims:assessor-claim", args=[claim.pk])
    else:
        recipients = _centre_users(claim)
        link = reverse("claims:claim-detail", args=[claim.pk])
    list_in_hub(
        kind=f"claim.{step}",
        template=f"{TEMPLATES}/{step}",
        context={"claim": claim},
        link=link,
        recipients=recipients,
    )
