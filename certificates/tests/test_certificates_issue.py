"""R-SLA-2, R-SLA-3: one certificate per learner per batch, issued once however often asked."""

import io
import re
from datetime import date

import pytest
from django.utils import timezone

from certificates.models import Certificate, CertificateDispatch
from certificates.services import certificates_issue_for_batch
from hub.numbers import is_valid_code
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from par.models import UnitSelection

from .factories import complete_batch


def pdf_text(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_r_sla_2_one_certificate_per_learner_listing_the_passed_units(world):
    batch = complete_batch(world)
    assert certificates_issue_for_batch(batch_id=batch.pk) == 1
    certificate = Certificate.objects.get()
    assert certificate.learner == world.learner
    assert certificate.centre == world.centre
    codes = sorted(world.qualification.units.values_list("code", flat=True))
    assert [u["code"] for u in certificate.units] == codes
    assert {u["result"] for u in certificate.units} == {"Pass"}
    # Random, so it reveals no volumes; the last character checks the rest (hub.numbers).
    assert re.fullmatch(r"C-[A-Z2-9]{5}-[A-Z2-9]{5}", certificate.number)
    assert is_valid_code(certificate.number[2:])
    assert len(certificate.verification_code) == 12
    assert certificate.pdf.name.startswith("certificates/")
    assert world.learner.membership_number not in certificate.pdf.name
    body = pdf_text(certificate)
    assert body.startswith(b"%PDF")
    for text in (
        world.learner.full_name,
        world.learner.membership_number,
        world.qualification.code,
        certificate.number,
        certificate.display_code,
    ):
        assert text.encode() in body


def test_r_sla_3_issuing_twice_creates_nothing_more(world):
    batch = complete_batch(world, learners=3)
    assert certificates_issue_for_batch(batch_id=batch.pk) == 3
    first = dict(Certificate.objects.values_list("pk", "verification_code"))
    files = set(Certificate.objects.values_list("pdf", flat=True))
    assert certificates_issue_for_batch(batch_id=batch.pk) == 0
    assert dict(Certificate.objects.values_list("pk", "verification_code")) == first
    assert set(Certificate.objects.values_list("pdf", flat=True)) == files
    assert CertificateDispatch.objects.count() == 1


def test_units_not_passed_get_no_certificate(world):
    batch = complete_batch(world, learners=2)
    learner_ids = sorted(
        UnitSelection.objects.filter(batch_units__batch=batch).values_list(
            "registration__learner_id", flat=True
        )
    )
    UnitSelection.objects.filter(
        batch_units__batch=batch, registration__learner_id=learner_ids[0]
    ).update(result="")
    certificates_issue_for_batch(batch_id=batch.pk)
    assert list(Certificate.objects.values_list("learner_id", flat=True)) == [learner_ids[-1]]


@pytest.mark.parametrize("status", [BatchStatus.WITH_MODERATOR, BatchStatus.RETURNED])
def test_only_complete_batches_get_certificates(world, status):
    batch = make_batch(world, status, moderator=world.moderator)
    assert certificates_issue_for_batch(batch_id=batch.pk) == 0
    assert not Certificate.objects.exists()
    assert not CertificateDispatch.objects.exists()


def test_r_sla_2_dispatch_due_ten_working_days_after_complete(world):
    completed = timezone.make_aware(timezone.datetime(2026, 12, 18, 15, 0))
    batch = complete_batch(world, completed_at=completed)
    certificates_issue_for_batch(batch_id=batch.pk)
    assert Certificate.objects.get().dispatch_due_on == date(2027, 1, 6)
    assert CertificateDispatch.objects.get().due_on == date(2027, 1, 6)


def test_a_lost_race_leaves_no_orphan_file(world, settings, tmp_path):
    """Two workers render the same certificate: one file is attached, the other deleted."""
    from certificates import services

    batch = complete_batch(world)
    services._create_certificates(batch.pk)
    certificate = Certificate.objects.get()
    storage = Certificate._meta.get_field("pdf").storage
    winner = storage.save("certificates/winner.pdf", io.BytesIO(b"%PDF-1.4 other worker"))
    original = services.render_certificate

    def render_then_lose(cert):
        # The other worker attaches its file while this one is drawing.
        Certificate.objects.filter(pk=cert.pk).update(pdf=winner)
        return original(cert)

    services.render_certificate = render_then_lose
    try:
        assert services._render_missing_pdfs(batch.pk) == 0
    finally:
        services.render_certificate = original
    certificate.refresh_from_db()
    assert certificate.pdf.name == winner
    stored = list(storage.listdir("certificates")[1])
    assert stored == ["winner.pdf"]
    subfolders = storage.listdir("certificates")[0]
    assert all(not storage.listdir(f"certificates/{d}")[1] for d in subfolders)


@pytest.mark.parametrize("learners", [5, 50])
def test_issue_query_count_does_not_grow_with_learners(
    world, learners, django_assert_max_num_queries
):
    batch = complete_batch(world, learners=learners)
    with django_assert_max_num_queries(14):
        certificates_issue_for_batch(batch_id=batch.pk)
    assert Certificate.objects.exclude(pdf="").count() == learners
