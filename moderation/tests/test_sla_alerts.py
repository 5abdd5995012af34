"""R-SLA-1: moderation's SLA alerts go once per crossing, however often beat sweeps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hub.models import AlertKind, DeadlineAlert
from moderation import services as moderation
from moderation.alerts import sla_sweep
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import make_batch

S = BatchStatus


def overdue_batch(world, days_late=1, selections=None):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator, selections=selections)
    started = timezone.now() - timedelta(days=28 + days_late)
    Batch.objects.filter(pk=batch.pk).update(
        sla_started_at=started, sla_due_at=started + timedelta(days=28)
    )
    batch.refresh_from_db()
    return batch


def test_r_sla_1_overdue_batch_alerts_moderator_and_team_once(world, mailoutbox, settings):
    batch = overdue_batch(world)
    assert sla_sweep() == 1
    assert sla_sweep() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.moderator.email, settings.HUB_MODERATION_TEAM_EMAIL]
    assert "overdue" in mailoutbox[0].subject.lower()
    alert = DeadlineAlert.objects.get()
    assert (alert.batch, alert.kind) == (batch, AlertKind.SLA_OVERDUE)
    assert alert.sent_at is not None


def test_r_sla_1_due_soon_then_overdue_are_two_crossings(world, mailoutbox, settings):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    soon = timezone.now() + timedelta(days=settings.HUB_SLA_WARN_DAYS - 1)
    Batch.objects.filter(pk=batch.pk).update(sla_due_at=soon)
    assert sla_sweep() == 1
    assert sla_sweep(now=soon + timedelta(hours=1)) == 1
    assert sla_sweep(now=soon + timedelta(hours=2)) == 0
    assert [a.kind for a in DeadlineAlert.objects.order_by("pk")] == [
        AlertKind.SLA_DUE_SOON,
        AlertKind.SLA_OVERDUE,
    ]


def test_r_sla_1_not_due_yet_sends_nothing(world, mailoutbox):
    make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)  # due in 28 days
    assert sla_sweep() == 0
    assert mailoutbox == []


def test_r_sla_1_clock_stops_at_an_outcome(world, mailoutbox):
    batch = overdue_batch(world)
    moderation.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Add the briefs."
    )
    assert sla_sweep() == 0


def test_r_sla_1_resubmission_restarts_the_clock_and_may_alert_again(world, mailoutbox):
    batch = overdue_batch(world)
    assert sla_sweep() == 1
    moderation.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Add the briefs."
    )
    moderation.batch_resubmit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.sla_due_at > timezone.now() + timedelta(days=27)
    assert sla_sweep() == 0
    # The new clock runs out 28 days later: a new crossing, so a new alert.
    assert sla_sweep(now=batch.sla_due_at + timedelta(minutes=1)) == 1
    assert DeadlineAlert.objects.filter(kind=AlertKind.SLA_OVERDUE).count() == 2


def test_unassigned_overdue_batch_alerts_the_team(world, mailoutbox, settings):
    batch = overdue_batch(world)
    Batch.objects.filter(pk=batch.pk).update(moderator=None)
    sla_sweep()
    assert mailoutbox[0].to == [settings.HUB_MODERATION_TEAM_EMAIL]


def test_a_failed_alert_is_sent_by_the_next_sweep(world, mailoutbox, monkeypatch):
    from hub import deadlines

    overdue_batch(world)

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(deadlines, "send_templated_email", broken)
    assert sla_sweep() == 0
    monkeypatch.undo()
    assert sla_sweep() == 1
    assert len(mailoutbox) == 1


def test_an_alert_claimed_by_another_sweep_is_not_sent_twice(world, mailoutbox):
    overdue_batch(world)
    sla_sweep()
    DeadlineAlert.objects.update(sent_at=None, claim="other", claimed_at=timezone.now())
    assert sla_sweep() == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("batches", [5, 50])
def test_sla_sweep_query_count(world, batches, django_assert_max_num_queries, mailoutbox):
    for _ in range(batches):
        overdue_batch(world, selections=[])  # a learner-unit is in one live batch only
    with django_assert_max_num_queries(6):
        assert sla_sweep() == batches
    assert len(mailoutbox) == batches
