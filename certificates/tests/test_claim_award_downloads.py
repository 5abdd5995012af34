"""A claim's full awards are downloaded from the claim's page by whoever runs the centre's
claims, without the Moderation grant (R-CRT-1, R-CRT-2); a batch's certificates stay
Moderation's, and another centre's answer 404 (R-ACC-2)."""

import re

import pytest
from django.urls import reverse

from centres.models import Role
from centres.tests.factories import MembershipFactory, UserFactory
from certificates.models import Certificate

from .factories import issued_certificate, processed_award_claim


def claims_only_member(centre, key="claims-only"):
    user = UserFactory(email=f"{key}@example.test")
    MembershipFactory(user=user, centre=centre, role=Role.CENTRE_ADMINISTRATOR, can_claims=True)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("digital", [False, True], ids=["posted", "digital"])
def test_claims_only_member_downloads_each_award_the_claim_page_links(world, client, digital):
    claim = processed_award_claim(world, digital=digital)
    awards = list(Certificate.objects.filter(claim=claim).select_related("learner"))
    assert len(awards) == 4 and all(award.pdf for award in awards)
    client.force_login(claims_only_member(world.centre))

    body = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    links = dict(re.findall(r'<a href="([^"]+)">Download certificate ([^<]+)</a>', body))
    assert sorted(links.values()) == sorted(award.number for award in awards)
    assert "Being prepared" not in body

    by_number = {award.number: award for award in awards}
    for url, number in links.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert f"certificate-{number}.pdf" in response["Content-Disposition"]
        pdf = b"".join(response.streaming_content)
        assert by_number[number].learner.membership_number.encode() in pdf


@pytest.mark.django_db
def test_claims_only_member_is_refused_a_batchs_certificate_and_its_page(world, client):
    certificate = issued_certificate(world)
    client.force_login(claims_only_member(world.centre))
    download = reverse("certificates:download", args=[certificate.pk])
    assert client.get(download).status_code == 403
    # Nowhere they can reach links it: the batch's certificate list is Moderation's.
    assert client.get(reverse("certificates:batch", args=[certificate.batch_id])).status_code == 403


@pytest.mark.django_db
def test_another_centres_claim_award_is_404(world, client):
    award = Certificate.objects.filter(claim=processed_award_claim(world)).first()
    url = reverse("certificates:download", args=[award.pk])
    client.force_login(claims_only_member(world.other_centre, key="elsewhere"))
    assert client.get(url).status_code == 404
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_neither_grant_is_403_and_moderation_still_downloads_a_claims_award(world, client):
    award = Certificate.objects.filter(claim=processed_award_claim(world)).first()
    url = reverse("certificates:download", args=[award.pk])
    client.force_login(world.tutor)
    assert client.get(url).status_code == 403
    moderation_only = UserFactory(email="moderation-only@example.test")
    MembershipFactory(user=moderation_only, centre=world.centre, can_moderation=True)
    client.force_login(moderation_only)
    assert client.get(url).status_code == 200
