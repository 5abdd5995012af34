"""Certificate numbers reveal no volumes, stay unique, and are found however they are typed."""

import pytest
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, certificate_number_variants
from certificates.services import certificates_issue_for_batch

from .factories import complete_batch, issued_certificate


def test_numbers_of_one_batch_are_unrelated(world):
    batch = complete_batch(world, learners=20)
    certificates_issue_for_batch(batch_id=batch.pk)
    numbers = sorted(Certificate.objects.filter(batch=batch).values_list("number", flat=True))
    assert len(set(numbers)) == 20
    # Neither the batch's nor a learner's id shows in any number.
    assert not any(f"{batch.pk:06d}" in number for number in numbers)


def test_a_number_already_taken_is_drawn_again(world, monkeypatch):
    taken = issued_certificate(world)
    draws = iter([taken.number, taken.number, "C-AAAAA-AAAAJ"])
    monkeypatch.setattr(services, "new_certificate_number", lambda: next(draws))
    batch = complete_batch(world, learners=1)

    assert certificates_issue_for_batch(batch_id=batch.pk) == 1

    fresh = Certificate.objects.get(batch=batch)
    assert fresh.number == "C-AAAAA-AAAAJ"
    assert Certificate.objects.filter(number=taken.number).count() == 1


def test_issuing_twice_keeps_the_first_numbers(world):
    batch = complete_batch(world, learners=3)
    certificates_issue_for_batch(batch_id=batch.pk)
    first = dict(Certificate.objects.filter(batch=batch).values_list("learner_id", "number"))
    assert certificates_issue_for_batch(batch_id=batch.pk) == 0
    assert dict(Certificate.objects.filter(batch=batch).values_list("learner_id", "number")) == (
        first
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("c-7kqm4-xpar9", "C-7KQM4-XPAR9"),
        (" C7KQM4XPAR9 ", "C-7KQM4-XPAR9"),
        ("C 7KQM4 XPAR9", "C-7KQM4-XPAR9"),
        ("c000012-0000345", "C000012-0000345"),  # issued before random numbering
    ],
)
def test_the_number_is_found_however_it_is_typed(typed, stored):
    assert stored in certificate_number_variants(typed)


def test_verify_finds_a_number_typed_without_dashes(client, world):
    certificate = issued_certificate(world)
    response = client.post(
        reverse("certificates:verify"),
        {
            "number": certificate.number.replace("-", "").lower(),
            "code": certificate.display_code,
        },
    )
    assert "is genuine" in response.content.decode()
