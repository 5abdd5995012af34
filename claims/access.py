"""The one way in to claims data (R-ACC-2).

Centre pages take every claim, centre assessor, candidate and unit through these helpers,
scoped to the request's current centre; assessor pages take claims through
``get_claim_for_assessor``, scoped to the centres the assessor is assigned to. Anything
else answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from centres.access import ensure_section, has_section
from centres.models import (
    BodyRole,
    Qualification,
    QualificationUnit,
    Registration,
    Route,
    Section,
    Unit,
)
from hub.prepared import Prepared

from .models import AssessorAssignment, CentreAssessor, Claim, ClaimStatus
from .selectors import eligible_registrations

# --- Who may act: the rules the views apply to a request, for services and the FSM ------


def is_claims_member(user, centre_id: int) -> bool:
    """A member of the centre with the Claims grant (what ``section_required`` checks)."""
    return has_section(user, centre_id, Section.CLAIMS)


def ensure_claims_member(actor, centre_id: int) -> None:
    """Refuse anyone but the centre's staff with the Claims grant (R-ACC-1)."""
    ensure_section(actor, centre_id, Section.CLAIMS)


def is_assigned_assessor(user, centre_id: int) -> bool:
    """An awarding-body assessor assigned to visit the centre (what ``claims_for_assessor``
    scopes the assessor pages by)."""
    return (
        user is not None
        and user.is_authenticated
        and user.body_role == BodyRole.ASSESSOR
        and AssessorAssignment.objects.filter(assessor_id=user.pk, centre_id=centre_id).exists()
    )


def ensure_assigned_assessor(actor, centre_id: int) -> None:
    """Refuse anyone but an assessor assigned to the centre (R-ACC-2)."""
    if not is_assigned_assessor(actor, centre_id):
        raise PermissionDenied("Only an assessor assigned to this centre can do this.")


# --- The one way in for requests ----------------------------------------------------------


def claim_qualifications_for(request: HttpRequest) -> QuerySet[Qualification]:
    """Claim-route qualifications the current centre is approved for."""
    if request.centre is None:
        return Qualification.objects.none()
    return Qualification.objects.filter(route=Route.CLAIM, approvals__centre=request.centre)


def get_qualification_for_request(request: HttpRequest, pk: int) -> Qualification:
    return get_object_or_404(claim_qualifications_for(request), pk=pk)


def claims_for(request: HttpRequest) -> QuerySet[Claim]:
    if request.centre is None:
        return Claim.objects.none()
    return Claim.objects.filter(centre=request.centre).select_related("centre", "qualification")


_CLAIM_FIELDS = [f.attname for f in Claim._meta.concrete_fields]
_QUALIFICATION_FIELDS = [f.attname for f in Qualification._meta.concrete_fields]
# The claim with its qualification, by centre and key: what ``claims_for(request)`` with
# ``select_related`` read, compiled once (hub.prepared); the centre is the request's own.
_claim_of_centre = Prepared(
    lambda centre_id, pk: Claim.objects.filter(centre_id=centre_id, pk=pk).values_list(
        *_CLAIM_FIELDS, *(f"qualification__{name}" for name in _QUALIFICATION_FIELDS)
    ),
    "int",
    "int",
)


def get_claim_for_request(request: HttpRequest, pk: int) -> Claim:
    """The claim ``pk`` of the current centre, or 404; its qualification and centre loaded."""
    if request.centre is None:
        raise Http404("No claim of this centre has that number.")
    db = router.db_for_read(Claim)
    rows = _claim_of_centre.rows(request.centre.pk, int(pk), db=db)
    if not rows:
        raise Http404("No claim of this centre has that number.")
    row, split = rows[0], len(_CLAIM_FIELDS)
    claim = Claim.from_db(db, _CLAIM_FIELDS, row[:split])
    claim.qualification = Qualification.from_db(db, _QUALIFICATION_FIELDS, row[split:])
    claim.centre = request.centre
    return claim


def get_centre_assessor_for_request(request: HttpRequest, pk: int) -> CentreAssessor:
    if request.centre is None:
        return get_object_or_404(CentreAssessor.objects.none(), pk=pk)
    return get_object_or_404(
        CentreAssessor.objects.filter(centre=request.centre).select_related(
            "centre", "qualification"
        ),
        pk=pk,
    )


def get_registration_for_claim(claim: Claim, pk: int) -> Registration:
    """A candidate eligible for the claim (current, at its centre, on its qualification)."""
    return get_object_or_404(eligible_registrations(claim), pk=pk)


def get_unit_for_claim(claim: Claim, pk: int) -> Unit:
    return get_object_or_404(
        QualificationUnit.objects.filter(qualification_id=claim.qualification_id).select_related(
            "unit"
        ),
        unit_id=pk,
    ).unit


def claims_for_assessor(user) -> QuerySet[Claim]:
    """Submitted claims of the centres the assessor visits; unsubmitted ones stay private."""
    return (
        Claim.objects.filter(centre__assessor_assignments__assessor=user)
        .exclude(status=ClaimStatus.UNSUBMITTED)
        .select_related("centre", "qualification")
        .distinct()
    )


def get_claim_for_assessor(request: HttpRequest, pk: int) -> Claim:
    return get_object_or_404(claims_for_assessor(request.user), pk=pk)
