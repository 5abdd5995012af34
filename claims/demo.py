"""Demo data for claims: what the claims journey needs on top of ``centres.demo``."""

from __future__ import annotations

from django.db import transaction

from centres.demo import CLAIM_QUALIFICATION
from centres.models import Centre, Qualification, User

from .models import AssessorAssignment, CentreAssessor

DEMO_CENTRE = "10001"
DEMO_ASSESSOR = "assessor@demo.test"


@transaction.atomic
def seed_claims() -> bool:
    """Give Northgate a centre assessor on 05839 and its visiting assessor. Idempotent.

    Return False when there is no demo to extend or it was already extended.
    """
    centre = Centre.objects.filter(number=DEMO_CENTRE).first()
    qualification = Qualification.objects.filter(code=CLAIM_QUALIFICATION[0]).first()
    assessor = User.objects.filter(email=DEMO_ASSESSOR).first()
    if not (centre and qualification and assessor):
        return False
    _, made_assessor = CentreAssessor.objects.get_or_create(
        centre=centre,
        qualification=qualification,
        initials="HB",
        defaults={"name": "Hannah Brooks"},
    )
    _, made_assignment = AssessorAssignment.objects.get_or_create(assessor=assessor, centre=centre)
    return made_assessor or made_assignment
