"""R-NTF-1: every batch outcome, assignment, re-submission, deletion request and deletion
sends a notice to the people concerned, text and HTML, with a link to the page; the same
notices are listed for each user; a notice never blocks or fails the action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hub.models import OutboxMessage
from moderation import notices as moderation_notices
from moderation import services
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from notices.models import Notice

S = BatchStatus
SITE = "https://hub.example.org"


@pytest.fixture(autouse=True)
def _deliver(settings):
    # The outbox's task runs in the test process once the change commits.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.HUB_SITE_URL = SITE + "/"
    settings.HUB_MODERATION_TEAM_EMAIL = "team@awarding.test"


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (S.RETURNED, "Returned for editing"),
        (S.INSUFFICIENT_SAMPLE, "Insufficient sample"),
        (S.COMPLETE, "Complete"),
    ],
)
def test_every_outcome_tells_the_centre_with_a_link(
    world, outcome, words, mailoutbox, django_capture_on_commit_callbacks
):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome=outcome, comments="Check unit 2."
        )

    link = reverse("moderation:batch-detail", args=[batch.pk])
    # The batch's creator (a user: listed for them) and the centre's generic address.
    notices = Notice.objects.filter(kind="batch.outcome").order_by("pk")
    assert [(n.recipient, n.email) for n in notices] == [
        (world.admin, world.admin.email),
        (None, world.centre.contact_email),
    ]
    assert all(n.link == link and words in n.subject for n in notices)
    assert "Check unit 2." in notices[0].body
    # Each went by email once the outcome committed, text and HTML, with the absolute link.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.admin.email, world.centre.contact_email]
    )
    for message in mailoutbox:
        assert words in message.subject
        assert SITE + link in message.body
        assert f'href="{SITE}{link}"' in html_of(message)
        assert "Check unit 2." in message.body
    assert all(n.emailed_at is not None for n in Notice.objects.all())


def test_the_outbox_running_twice_sends_each_notice_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from hub import outbox

    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Redo."
        )
    sent = len(mailoutbox)
    # A redelivered message (the at-least-once outbox) finds the notice already emailed.
    OutboxMessage.objects.update(done_at=None, claimed_at=None)
    outbox.sweep()
    assert len(mailoutbox) == sent == 2


def test_a_centre_whose_creator_left_hears_through_its_programme_director(world):
    from centres.models import Membership

    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    Membership.objects.filter(user=world.admin).update(is_active=False)
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.COMPLETE, comments="Well done."
    )
    users = set(Notice.objects.filter(recipient__isnull=False).values_list("recipient", flat=True))
    assert users == {world.director.pk}


def test_assignment_tells_the_moderator_taking_needs_no_notice(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    services.batch_assign(actor=world.staff, batch=batch, moderator=world.moderator)
    notice = Notice.objects.get(kind="batch.assigned")
    assert notice.recipient == world.moderator
    assert notice.link == reverse("moderation:review", args=[batch.pk])
    assert f"Batch {batch.pk}" in notice.subject

    other = make_batch(world, S.WITH_MODERATOR, selections=[])
    services.batch_take(actor=world.moderator, batch=other)
    assert Notice.objects.filter(kind="batch.assigned").count() == 1


def test_resubmission_tells_the_moderator_or_else_the_team(world):
    assigned = make_batch(world, S.RETURNED, moderator=world.moderator)
    services.batch_resubmit(actor=world.admin, batch=assigned)
    notice = Notice.objects.get(kind="batch.resubmitted")
    assert (notice.recipient, notice.link) == (
        world.moderator,
        reverse("moderation:review", args=[assigned.pk]),
    )
    assert "re-submitted" in notice.subject

    waiting = make_batch(world, S.INSUFFICIENT_SAMPLE, selections=[])
    services.batch_resubmit(actor=world.admin, batch=waiting)
    team = Notice.objects.filter(kind="batch.resubmitted").latest("pk")
    assert (team.recipient, team.email) == (None, "team@awarding.test")
    assert team.link == reverse("admin:moderation_batch_change", args=[waiting.pk])


def test_deletion_request_tells_the_team_and_deletion_tells_the_centre(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    services.batch_request_deletion(actor=world.quality, batch=batch, reason="Wrong learners.")
    request = Notice.objects.get(kind="batch.deletion_requested")
    assert (request.recipient, request.email) == (None, "team@awarding.test")
    assert "Wrong learners." in request.body
    assert request.link == reverse("admin:moderation_batch_change", args=[batch.pk])

    services.batch_admin_delete(actor=world.staff, batch=batch, reason="Duplicate of batch 1.")
    done = Notice.objects.filter(kind="batch.deleted")
    # The requester and the creator are both told, and the centre's address.
    assert {n.recipient for n in done} == {world.quality, world.admin, None}
    assert all("Duplicate of batch 1." in n.body for n in done)
    assert all("Awarding body administrator" in n.body for n in done)
    # Never the administrator's name.
    assert all(world.staff.email not in n.body for n in done)


def test_a_notice_that_fails_never_fails_the_outcome(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr("notices.services.render_notice", broken)
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Redo."
    )
    batch.refresh_from_db()
    assert batch.status == S.RETURNED
    assert not Notice.objects.exists()
    assert not OutboxMessage.objects.filter(kind="notices.email").exists()


def test_a_rolled_back_change_leaves_no_notice(world):
    from django.db import transaction

    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    with pytest.raises(RuntimeError), transaction.atomic():
        moderation_notices.batch_outcome(batch=batch, comments="x")
        raise RuntimeError("the change failed after its notice")
    assert not Notice.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_sla_alerts_are_listed_for_the_moderator_and_the_team_once(world, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    from moderation.alerts import sla_sweep
    from moderation.models import Batch

    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    started = timezone.now() - timedelta(days=30)
    Batch.objects.filter(pk=batch.pk).update(
        sla_started_at=started, sla_due_at=started + timedelta(days=28)
    )
    assert sla_sweep() == 1
    assert sla_sweep() == 0
    # The one alert email, as before; and a notice each, already emailed, listed in the hub.
    assert len(mailoutbox) == 1
    notices = Notice.objects.filter(kind="batch.sla_alert")
    assert {(n.recipient, n.email) for n in notices} == {
        (world.moderator, world.moderator.email),
        (None, "team@awarding.test"),
    }
    assert all(n.emailed_at is not None and "overdue" in n.subject.lower() for n in notices)
    mine = notices.get(recipient=world.moderator)
    assert mine.link == reverse("moderation:review", args=[batch.pk])
    assert not OutboxMessage.objects.filter(kind="notices.email").exists()


def test_claim_steps_are_listed_for_the_people_concerned(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """R-NTF-1: every claim step; the claim emails (now with links) go as before."""
    from claims import services as claims
    from claims.tests.conftest import make_claim_world, sampled_claim

    cw = make_claim_world(world)  # the world's assessor visits the centre
    with django_capture_on_commit_callbacks(execute=True):
        claim = sampled_claim(cw)
    steps = dict(Notice.objects.values_list("kind", "recipient"))
    assert steps["claim.submitted"] == world.assessor.pk
    assert steps["claim.sampled"] in {world.admin.pk, world.director.pk}
    sampled = Notice.objects.get(kind="claim.sampled")
    assert sampled.link == reverse("claims:claim-detail", args=[claim.pk])
    assert claim.number in sampled.subject
    claims.claim_withdraw(actor=world.assessor, claim=claim, note="Visit cancelled.")
    assert Notice.objects.filter(kind="claim.withdrawn").exists()
    # The centre's claim emails carry the link to the claim.
    centre_mail = [m for m in mailoutbox if "sample is ready" in m.subject]
    assert centre_mail and SITE + sampled.link in centre_mail[0].body
