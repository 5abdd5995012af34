"""Tell the PAR which unit selections a claim holds (R-PAR-3)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef

from par.locks import AnyOf
from par.models import UnitSelection

from .models import LINE_WITHDRAWN, ClaimLine, ClaimStatus


def claim_holds() -> Exists:
    """True for a UnitSelection row that a live claim line names (for set-wise queries)."""
    return Exists(
        ClaimLine.objects.filter(
            registration_id=OuterRef("registration_id"), unit_id=OuterRef("unit_id")
        )
        .exclude(claim__status=ClaimStatus.WITHDRAWN)
        .exclude(outcome=LINE_WITHDRAWN)
    )


def claimed_selections(selection_ids: list[int]) -> dict[int, str]:
    """Reasons, by selection id, for the selections a live claim line names; one query."""
    return dict.fromkeys(
        UnitSelection.objects.filter(AnyOf(F("pk"), selection_ids))
        .filter(claim_holds())
        .order_by()  # the model's ordering joined four tables to sort a set
        .values_list("pk", flat=True),
        "it is on a grade claim",
    )
