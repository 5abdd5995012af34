"""R-CLM-2, R-CLM-3: the qualification list with each one's claim status."""

from django.urls import reverse

from claims.models import Claim, ClaimStatus

from .conftest import start_claim, submitted_claim
from .factories import ClaimQualificationFactory

URL = reverse("claims:index")
CREATE = ">Create<span"


def test_r_clm_2_lists_claim_route_qualifications_with_no_claims_submitted(cw, member_client):
    response = member_client.get(URL)
    body = response.content.decode()
    assert cw.qualification.code in body
    assert cw.world.qualification.code not in body  # batch route: not claimed
    assert "No claims submitted" in body
    assert ">Create<" in body


def test_r_clm_2_search_by_entry_code_title_or_part_title(cw, member_client):
    from centres.tests.factories import ApprovalFactory

    other = ClaimQualificationFactory(title="Cambridge Technical Diploma in Sport")
    ApprovalFactory(centre=cw.centre, qualification=other)

    def codes(term):
        body = member_client.get(URL, {"q": term}).content.decode()
        return {q.code for q in (cw.qualification, other) if f"<td>{q.code}</td>" in body}

    assert codes("SPORT") == {other.code}
    assert codes("0583") == {cw.qualification.code}
    assert codes("diploma") == {other.code}
    assert codes("") == {cw.qualification.code, other.code}


def test_r_clm_3_create_becomes_edit_once_started(cw, member_client):
    claim = start_claim(cw)
    body = member_client.get(URL).content.decode()
    assert "Unsubmitted" in body
    assert reverse("claims:claim-detail", args=[claim.pk]) in body
    assert CREATE not in body


def test_r_clm_3_create_after_submission_shows_latest_status(cw, member_client):
    submitted_claim(cw)
    body = member_client.get(URL).content.decode()
    assert "Submitted" in body and CREATE in body


def test_r_clm_3_create_starts_one_claim_however_often_it_is_pressed(cw, member_client):
    url = reverse("claims:claim-create", args=[cw.qualification.pk])
    first = member_client.post(url)
    second = member_client.post(url)
    claim = Claim.objects.get()
    assert (
        first["Location"] == second["Location"] == reverse("claims:claim-detail", args=[claim.pk])
    )
    assert claim.status == ClaimStatus.UNSUBMITTED


def test_r_clm_1_create_without_centre_assessor_sends_to_set_one_up(cw, member_client):
    cw.assessor.is_active = False
    cw.assessor.save()
    response = member_client.post(
        reverse("claims:claim-create", args=[cw.qualification.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "claims:centre-assessor-list", args=[cw.qualification.pk]
    )
    assert "At least one centre assessor must be set up" in response.content.decode()
    assert not Claim.objects.exists()


def test_outsider_cannot_create_for_our_qualification_404(cw, client):
    client.force_login(cw.world.outsider)
    # The outsider's centre is approved too, but nobody there has a centre assessor.
    response = client.post(reverse("claims:claim-create", args=[cw.qualification.pk]))
    assert response.status_code == 302
    assert not Claim.objects.filter(centre=cw.centre).exists()
