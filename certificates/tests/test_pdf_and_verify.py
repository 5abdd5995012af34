"""R-CRT-3, R-CRT-4: a certificate worth keeping, and what the verify page says of it."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from centres.models import AuditEvent, Centre
from certificates import services
from certificates.models import Certificate, CertificateStatus, Delivery
from certificates.pdf import verify_url
from certificates.selectors import awaiting_print
from certificates.services import certificate_reissue, certificate_revoke
from hub.models import OutboxMessage

from .factories import full_award_qualification, issued_certificate


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.fixture
def certificate(world):
    return issued_certificate(world)


def test_r_crt_3_the_pdf_carries_every_field(world, certificate, settings):
    text, _ = pdf_text(certificate)
    issued = timezone.localdate(certificate.issued_at)
    for expected in (
        settings.HUB_AWARDING_BODY_NAME.upper(),
        world.centre.name,
        world.centre.number,
        world.learner.full_name,
        world.learner.membership_number,
        world.qualification.title,
        world.qualification.code,
        f"{issued.day} {issued:%B %Y}",
        certificate.number,
        certificate.display_code,
        "Total credits",
        verify_url(certificate).split("://", 1)[1],
    ):
        assert expected in text, expected
    for unit in certificate.units:
        assert f"{unit['code']}" in text and unit["title"] in text
        # One table row: the cells come out a line each.
        row = "\n".join([unit["code"], unit["title"], str(unit["level"]), str(unit["credits"])])
        assert f"{row}\n{unit['result']}" in text


def test_r_crt_3_the_font_is_embedded(certificate):
    _, reader = pdf_text(certificate)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object().get("/FontDescriptor") for font in fonts.values()]
    # Every font named is a TrueType subset carried in the file: none left to the viewer.
    assert descriptors and all(
        d is not None and "/FontFile2" in d.get_object() for d in descriptors
    )


def test_r_crt_2_a_full_award_says_so_on_paper(world):
    full_award_qualification(world.qualification, min_credits=24)
    text, _ = pdf_text(issued_certificate(world))
    assert "Certificate of Achievement" in text and "has been awarded" in text


def test_r_crt_3_the_short_address_opens_the_verify_page_with_the_code(client, certificate):
    response = client.get(reverse("certificates:verify-short", args=[certificate.short_token]))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code"] == [certificate.verification_code]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "is genuine" in body and certificate.learner.full_name in body
    assert f'value="{certificate.verification_code}"' in body  # filled in


def test_verify_page_prefilled_from_the_query_string(client, certificate):
    response = client.get(
        reverse("certificates:verify"),
        {"number": certificate.number, "code": certificate.display_code},
    )
    assert "is genuine" in response.content.decode()


def test_r_crt_4_reissue_gives_a_new_number_and_verify_says_replaced(client, world, certificate):
    new = certificate_reissue(
        actor=world.staff, certificate=certificate, reason="Surname misspelt."
    )
    certificate.refresh_from_db()
    assert new.number != certificate.number
    assert new.verification_code != certificate.verification_code
    assert (certificate.status, certificate.replaced_by, certificate.status_reason) == (
        CertificateStatus.REPLACED,
        new,
        "Surname misspelt.",
    )
    assert (new.learner, new.batch, new.units) == (
        certificate.learner,
        certificate.batch,
        certificate.units,
    )
    audit = AuditEvent.objects.get(action="certificates.reissue")
    assert audit.actor == world.staff and audit.detail["reason"] == "Surname misspelt."
    assert audit.detail["replaced_by"] == new.number
    # The outbox draws the new one.
    message = OutboxMessage.objects.get(kind="certificates.render")
    services.certificate_render(**message.payload)
    new.refresh_from_db()
    assert new.pdf
    old = client.post(
        reverse("certificates:verify"),
        {"number": certificate.number, "code": certificate.verification_code},
    ).content.decode()
    assert "has been replaced" in old and f"replaced by certificate {new.number}" in old
    assert "is genuine" not in old
    fresh = client.post(
        reverse("certificates:verify"), {"number": new.number, "code": new.verification_code}
    ).content.decode()
    assert "is genuine" in fresh


def test_r_crt_4_a_reissue_for_a_posted_centre_waits_for_print(world, certificate):
    assert Centre.objects.get(pk=world.centre.pk).digital_certificates is False
    new = certificate_reissue(actor=world.staff, certificate=certificate, reason="Lost.")
    services.certificate_render(certificate_id=new.pk)
    assert list(awaiting_print().filter(pk=new.pk)) == [new]


def test_r_crt_4_a_reissue_for_a_digital_centre_is_delivered_when_drawn(world, certificate):
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    new = certificate_reissue(actor=world.staff, certificate=certificate, reason="Lost.")
    services.certificate_render(certificate_id=new.pk)
    new.refresh_from_db()
    assert new.delivery == Delivery.DIGITAL and new.dispatched_at is not None


def test_r_crt_4_revoke_and_verify_says_revoked(client, world, certificate):
    certificate_revoke(actor=world.staff, certificate=certificate, reason="Malpractice found.")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert AuditEvent.objects.get(action="certificates.revoke").detail == {
        "reason": "Malpractice found."
    }
    body = client.post(
        reverse("certificates:verify"),
        {"number": certificate.number, "code": certificate.verification_code},
    ).content.decode()
    assert "has been revoked" in body and "is genuine" not in body
    with pytest.raises(services.AlreadyDone):
        certificate_reissue(actor=world.staff, certificate=certificate, reason="Again.")


def test_reissue_and_revoke_need_staff_and_a_reason(world, certificate):
    for user in (world.director, world.moderator):
        with pytest.raises(PermissionDenied):
            certificate_revoke(actor=user, certificate=certificate, reason="No.")
    with pytest.raises(ValidationError):
        certificate_reissue(actor=world.staff, certificate=certificate, reason="  ")
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
    assert Certificate.objects.count() == 1


def test_staff_pages_reissue_and_revoke(client, world, certificate):
    client.force_login(world.staff)
    found = client.get(reverse("certificates:staff-list"), {"q": certificate.number.lower()})
    assert reverse("certificates:staff-detail", args=[certificate.pk]) in found.content.decode()
    detail = client.get(reverse("certificates:staff-detail", args=[certificate.pk]))
    assert "Reissue certificate" in detail.content.decode()
    response = client.post(
        reverse("certificates:staff-reissue", args=[certificate.pk]), {"reason": "Lost."}
    )
    new = Certificate.objects.get(status=CertificateStatus.VALID)
    assert response["Location"] == reverse("certificates:staff-detail", args=[new.pk])
    page = client.get(response["Location"]).content.decode()
    assert f"Certificate {certificate.number} reissued as {new.number}." in page
    assert "Replaces" in page
    # No reason: nothing changes.
    client.post(reverse("certificates:staff-revoke", args=[new.pk]), {"reason": ""})
    assert Certificate.objects.get(pk=new.pk).status == CertificateStatus.VALID
    client.post(reverse("certificates:staff-revoke", args=[new.pk]), {"reason": "Withdrawn."})
    assert Certificate.objects.get(pk=new.pk).status == CertificateStatus.REVOKED


def test_centre_sees_a_replaced_certificate_marked(member_client, world, certificate):
    new = certificate_reissue(actor=world.staff, certificate=certificate, reason="Lost.")
    body = member_client.get(
        reverse("certificates:batch", args=[certificate.batch_id])
    ).content.decode()
    assert f"Replaced by {new.number}" in body


def test_verify_is_linked_from_the_login_page(client):
    body = client.get(reverse("login")).content.decode()
    assert reverse("certificates:verify") in body
