"""Redis killed mid-test (issue 12.4): requests still answer, the work waits in the outbox.

The hub's cache, broker and sweep locks point at a redis-server of this test's own
(testsupport/redis.py; the shared Redis is never stopped). With it killed, a moderator's
"Complete" commits and answers its normal redirect, the certificates and emails it causes
wait as outbox rows, the public verify page answers (its rate limit fails open) and a
logged-in page keeps working. Once Redis is back (empty, as after a crash), beat's outbox
sweep delivers the work, exactly once.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core import mail
from django.urls import reverse

from centres.models import Centre
from certificates.models import Certificate, CertificateDispatch
from certificates.tests.factories import issued_certificate
from hub import tasks as hub_tasks
from hub.models import OutboxMessage
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import bulk_learner_units, make_batch

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Each request with Redis gone must answer about as fast as with it: connection refused is
# immediate, and the broker's publish retries are bounded (hub/outbox.py).
ANSWER_SECONDS = 5


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_complete_verify_and_pages_answer_with_redis_down_and_the_work_follows(
    client, world, redis_outage, caplog
):
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    genuine = issued_certificate(world)  # world.learner's, for the verify page
    selections = bulk_learner_units(world.centre, world.qualification, 1)
    batch = make_batch(
        world, BatchStatus.WITH_MODERATOR, moderator=world.moderator, selections=selections
    )
    client.force_login(world.moderator)
    review = reverse("moderation:review", args=[batch.pk])
    assert client.get(review).status_code == 200  # Redis up: the page as usual
    mail.outbox.clear()
    before = set(OutboxMessage.objects.values_list("pk", flat=True))

    redis_outage.stop()
    assert not redis_outage.answers()

    with caplog.at_level(logging.WARNING):
        response, seconds = _timed(
            lambda: client.post(
                reverse("moderation:outcome", args=[batch.pk]),
                {"outcome": BatchStatus.COMPLETE, "comments": "Passed while Redis was down."},
            )
        )
    assert response.status_code == 302 and response.url == review, response.status_code
    assert seconds < ANSWER_SECONDS
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.COMPLETE
    assert "could not be handed to the broker" in caplog.text

    # The follow-up work is safe in the outbox, undone: nothing reached a worker.
    waiting = OutboxMessage.objects.exclude(pk__in=before)
    kinds = sorted(waiting.values_list("kind", flat=True))
    assert "certificates.issue" in kinds, kinds
    assert not waiting.filter(done_at__isnull=False).exists()
    assert not Certificate.objects.filter(batch=batch).exists()

    # The moderator's next page (a flash message, the review page) works.
    page, seconds = _timed(lambda: client.get(review))
    assert page.status_code == 200 and seconds < ANSWER_SECONDS
    assert f"Batch {batch.pk} is now Complete." in page.content.decode()
    home, _ = _timed(lambda: client.get(reverse("home")))
    assert home.status_code == 200

    # The public verify page: its rate limit lives in Redis and lets the check through.
    client.logout()
    verify, seconds = _timed(
        lambda: client.post(
            reverse("certificates:verify"),
            {"number": genuine.number, "code": genuine.display_code},
        )
    )
    assert verify.status_code == 200 and seconds < ANSWER_SECONDS
    assert "is genuine" in verify.content.decode()

    # While Redis is down beat's sweep cannot take its lock: it skips, never runs unlocked.
    assert hub_tasks.outbox_sweep.run() is None
    assert not waiting.filter(done_at__isnull=False).exists()

    # Redis is back, empty (the on-commit messages were never sent): the sweep delivers.
    redis_outage.start()
    delivered = hub_tasks.outbox_sweep.run()
    assert delivered == waiting.count()
    assert not waiting.filter(done_at__isnull=True).exists()
    assert Certificate.objects.filter(batch=batch).exclude(pdf="").count() == 1
    dispatch = CertificateDispatch.objects.get(batch=batch)
    assert dispatch.dispatched_at is not None
    ready = [m for m in mail.outbox if m.subject.startswith("Certificates ready")]
    assert [m.to for m in ready] == [[dispatch.sent_to]]

    # Once: another sweep (a second beat, the next tick) finds nothing to do.
    sent = len(mail.outbox)
    assert hub_tasks.outbox_sweep.run() == 0
    assert len(mail.outbox) == sent
    assert Certificate.objects.filter(batch=batch).count() == 1
