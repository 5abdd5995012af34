"""R-CLM-1 and R-CLM-3: starting a claim."""

import pytest
from django.db import IntegrityError, transaction

from claims import services
from claims.models import Claim, ClaimStatus

from .conftest import start_claim, submitted_claim
from .factories import ClaimFactory


def test_r_clm_3_start_makes_one_unsubmitted_claim_with_history(cw):
    claim = start_claim(cw)
    assert claim.status == ClaimStatus.UNSUBMITTED
    assert claim.contact_email == cw.centre.contact_email
    assert list(claim.history.values_list("from_status", "to_status")) == [
        ("", ClaimStatus.UNSUBMITTED)
    ]


def test_r_clm_3_starting_again_returns_the_same_claim(cw):
    """A second "Create" (or a double click) lands on the claim already started."""
    assert start_claim(cw) == start_claim(cw)
    assert Claim.objects.count() == 1


def test_r_clm_3_database_refuses_a_second_unsubmitted_claim(cw):
    ClaimFactory(centre=cw.centre, qualification=cw.qualification)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(centre=cw.centre, qualification=cw.qualification)


def test_r_clm_3_new_claim_once_the_earlier_one_is_submitted(cw):
    first = submitted_claim(cw)
    second = start_claim(cw)
    assert second != first
    assert second.status == ClaimStatus.UNSUBMITTED


def test_r_clm_1_no_claim_without_a_centre_assessor(cw):
    cw.assessor.is_active = False
    cw.assessor.save()
    with pytest.raises(services.ClaimError, match="centre assessor"):
        start_claim(cw)
    assert not Claim.objects.exists()


def test_start_refused_for_a_qualification_not_approved(cw):
    from .factories import ClaimQualificationFactory

    with pytest.raises(services.ClaimError):
        services.claim_start(
            actor=cw.world.admin, centre=cw.centre, qualification=ClaimQualificationFactory()
        )


def test_start_refused_for_a_batch_route_qualification(cw):
    with pytest.raises(services.ClaimError):
        services.claim_start(
            actor=cw.world.admin, centre=cw.centre, qualification=cw.world.qualification
        )
