"""R-SLA-2, R-SLA-3: the centre gets one "certificates are ready" email per batch.

That email is the delivery for a centre taking digital certificates (R-CRT-1), as every
centre here does; posted certificates are in test_print_runs.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from centres.models import Centre
from certificates import services
from certificates.models import Certificate, CertificateDispatch
from certificates.services import (
    CertificatesNotReady,
    certificates_dispatch_for_batch,
    certificates_issue_for_batch,
    certificates_to_heal,
)

from .factories import complete_batch


@pytest.fixture(autouse=True)
def digital_centre(world):
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    world.centre.refresh_from_db()


@pytest.fixture
def issued(world):
    world.centre.contact_email = "exams@northgate.test"
    world.centre.save()
    batch = complete_batch(world, learners=2)
    certificates_issue_for_batch(batch_id=batch.pk)
    return batch


def test_r_sla_3_issue_and_dispatch_twice_gives_one_set_and_one_email(issued, mailoutbox):
    for _ in range(2):
        certificates_issue_for_batch(batch_id=issued.pk)
        certificates_dispatch_for_batch(batch_id=issued.pk)
    assert Certificate.objects.filter(batch=issued).count() == 2
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["exams@northgate.test"]
    assert f"/certificates/batch/{issued.pk}/" in email.body
    assert "2 certificates" in email.body
    dispatch = CertificateDispatch.objects.get(batch=issued)
    assert dispatch.dispatched_at is not None
    assert dispatch.sent_to == "exams@northgate.test"
    assert not Certificate.objects.filter(dispatched_at__isnull=True).exists()


def test_without_a_centre_address_the_moderation_staff_are_emailed(world, mailoutbox):
    world.centre.contact_email = ""
    world.centre.save()
    batch = complete_batch(world)
    certificates_issue_for_batch(batch_id=batch.pk)
    certificates_dispatch_for_batch(batch_id=batch.pk)
    # Members of the centre with the Moderation grant (conftest.make_world).
    expected = sorted(u.email for u in (world.director, world.admin, world.quality))
    assert sorted(mailoutbox[0].to) == expected


def test_a_claimed_dispatch_is_not_sent_by_a_second_worker(issued, mailoutbox):
    CertificateDispatch.objects.filter(batch=issued).update(claimed_at=timezone.now())
    assert certificates_dispatch_for_batch(batch_id=issued.pk) is False
    assert mailoutbox == []


def test_a_dead_workers_stale_claim_is_taken_over(issued, mailoutbox, settings):
    stale = timezone.now() - timedelta(minutes=settings.HUB_DISPATCH_CLAIM_MINUTES + 1)
    CertificateDispatch.objects.filter(batch=issued).update(claimed_at=stale)
    assert certificates_dispatch_for_batch(batch_id=issued.pk) is True
    assert len(mailoutbox) == 1


def test_a_failed_send_gives_the_claim_back(issued, mailoutbox, monkeypatch):
    def broken(**kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(services, "send_templated_email", broken)
    with pytest.raises(ConnectionError):
        certificates_dispatch_for_batch(batch_id=issued.pk)
    dispatch = CertificateDispatch.objects.get(batch=issued)
    assert (dispatch.claimed_at, dispatch.dispatched_at) == (None, None)
    monkeypatch.undo()
    assert certificates_dispatch_for_batch(batch_id=issued.pk) is True
    assert len(mailoutbox) == 1


def test_dispatch_waits_for_every_pdf(issued, mailoutbox):
    Certificate.objects.filter(batch=issued).update(pdf="")
    with pytest.raises(CertificatesNotReady):
        certificates_dispatch_for_batch(batch_id=issued.pk)
    assert mailoutbox == []


@pytest.mark.parametrize("learners", [5, 50])
def test_dispatch_query_count(world, learners, django_assert_max_num_queries, mailoutbox):
    batch = complete_batch(world, learners=learners)
    certificates_issue_for_batch(batch_id=batch.pk)
    with django_assert_max_num_queries(8):
        certificates_dispatch_for_batch(batch_id=batch.pk)
    assert len(mailoutbox) == 1


def test_r_sla_3_heal_finds_lost_issue_and_dispatch_work(world, settings):
    old = timezone.now() - timedelta(minutes=settings.HUB_HEAL_AFTER_MINUTES + 5)
    never_issued = complete_batch(world, completed_at=old)
    issued = complete_batch(world, learners=1, completed_at=old)
    certificates_issue_for_batch(batch_id=issued.pk)
    CertificateDispatch.objects.update(created_at=old)
    fresh = complete_batch(world, learners=1)  # still in the normal path: left alone
    to_issue, to_dispatch = certificates_to_heal()
    assert to_issue == [never_issued.pk]
    assert to_dispatch == [issued.pk]
    assert fresh.pk not in to_issue + to_dispatch
    certificates_dispatch_for_batch(batch_id=issued.pk)
    assert certificates_to_heal()[1] == []
