"""The centre's certificate pages and downloads, and the public verify page (R-SLA-2)."""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import _create_certificates, certificates_issue_for_batch

from .factories import complete_batch, issued_certificate


@pytest.fixture
def certificate(world):
    return issued_certificate(world)


def test_batch_page_lists_the_certificates_with_download_links(member_client, certificate):
    response = member_client.get(reverse("certificates:batch", args=[certificate.batch_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert certificate.number in body
    assert certificate.learner.full_name in body
    assert reverse("certificates:download", args=[certificate.pk]) in body
    # The verification code is for the paper certificate, not for listing pages.
    assert certificate.verification_code not in body


def test_learner_page_lists_their_certificates(member_client, certificate):
    response = member_client.get(reverse("certificates:learner", args=[certificate.learner_id]))
    assert certificate.number in response.content.decode()


def test_download_gives_the_pdf(member_client, certificate):
    response = member_client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"certificate-{certificate.number}.pdf" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert certificate.learner.membership_number.encode() in body


def test_r_acc_2_another_centres_certificate_is_404(client, world, certificate):
    client.force_login(world.outsider)
    for url in (
        reverse("certificates:download", args=[certificate.pk]),
        reverse("certificates:batch", args=[certificate.batch_id]),
    ):
        assert client.get(url).status_code == 404


def test_without_the_moderation_grant_is_403(client, world, certificate):
    client.force_login(world.tutor)
    assert client.get(reverse("certificates:download", args=[certificate.pk])).status_code == 403


def test_download_is_get_only(member_client, certificate):
    url = reverse("certificates:download", args=[certificate.pk])
    assert member_client.post(url).status_code == 405


def test_a_pdf_not_yet_drawn_is_404(member_client, world):
    batch = complete_batch(world)
    _create_certificates(batch.pk)
    pending = Certificate.objects.get(batch=batch)
    assert member_client.get(reverse("certificates:download", args=[pending.pk])).status_code == 404


def test_verify_shows_the_certificate_and_nothing_else(client, certificate):
    response = client.post(
        reverse("certificates:verify"),
        {"number": certificate.number.lower(), "code": certificate.display_code.lower()},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is genuine" in body
    assert certificate.learner.full_name in body
    assert certificate.qualification.title in body
    for unit in certificate.units:
        assert unit["code"] in body
    for private in (
        certificate.learner.membership_number,
        str(certificate.learner.date_of_birth.year),
        certificate.centre.name,
    ):
        assert private not in body


def test_verify_wrong_code_is_not_found(client, certificate):
    response = client.post(
        reverse("certificates:verify"), {"number": certificate.number, "code": "AAAA-AAAA-AAAA"}
    )
    body = response.content.decode()
    assert "Not found" in body
    assert certificate.learner.full_name not in body


def test_verify_is_rate_limited_per_address(client, certificate, settings):
    settings.HUB_VERIFY_ATTEMPTS_PER_MINUTE = 3
    url = reverse("certificates:verify")
    wrong = {"number": certificate.number, "code": "AAAA-AAAA-AAAA"}
    statuses = [client.post(url, wrong).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    right = {"number": certificate.number, "code": certificate.verification_code}
    limited = client.post(url, right)
    assert limited.status_code == 429
    assert certificate.learner.full_name not in limited.content.decode()
    # Another address is not held back by this one's attempts.
    other = client.post(url, right, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200
    assert certificate.learner.full_name in other.content.decode()


@pytest.mark.parametrize("learners", [5, 50])
def test_batch_page_query_count(member_client, world, learners, django_assert_max_num_queries):
    batch = complete_batch(world, learners=learners)
    certificates_issue_for_batch(batch_id=batch.pk)
    with django_assert_max_num_queries(12):
        response = member_client.get(reverse("certificates:batch", args=[batch.pk]))
    assert response.content.decode().count("Download certificate") == learners
