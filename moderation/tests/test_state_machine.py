"""R-BAT-7: the only arrows a batch can move along, and each one fires once."""

import itertools

import pytest
from django.db import connection

from moderation import services
from moderation.models import Batch, BatchHistory, BatchStatus, HistoryEvent
from moderation.signals import batch_transitioned

from .factories import make_batch, selections_for

S = BatchStatus
R_BAT_7 = {
    (S.DRAFT, S.CENTRE_COMPLETING),
    (S.CENTRE_COMPLETING, S.WITH_MODERATOR),
    (S.WITH_MODERATOR, S.RETURNED),
    (S.WITH_MODERATOR, S.INSUFFICIENT_SAMPLE),
    (S.WITH_MODERATOR, S.COMPLETE),
    (S.RETURNED, S.RESUBMITTED),
    (S.INSUFFICIENT_SAMPLE, S.RESUBMITTED),
    (S.RESUBMITTED, S.RETURNED),
    (S.RESUBMITTED, S.INSUFFICIENT_SAMPLE),
    (S.RESUBMITTED, S.COMPLETE),
}


def test_r_bat_7_statuses_are_the_guides_names():
    assert [label for value, label in S.choices if value != S.DRAFT] == [
        "Centre Completing",
        "With Moderator",
        "Returned for editing",
        "Insufficient sample",
        "Centre re-submitted",
        "Complete",
    ]


def test_r_bat_7_declared_transitions_are_exactly_the_arrows():
    field = Batch._meta.get_field("status")
    declared = {(t.source, t.target) for t in field.get_all_transitions(Batch)}
    assert declared == R_BAT_7


def test_r_bat_7_status_cannot_be_assigned_directly(world):
    batch = make_batch(world)
    with pytest.raises(AttributeError):
        batch.status = S.COMPLETE


def _move(world, batch, target):
    """Ask the service that leads to ``target``; conditions are met by make_batch."""
    if target == S.CENTRE_COMPLETING:
        ids = [s.pk for s in selections_for(world.learner, world.qualification)]
        return services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=ids)
    if target == S.WITH_MODERATOR:
        return services.batch_submit(actor=world.admin, batch=batch)
    if target == S.RESUBMITTED:
        return services.batch_resubmit(actor=world.admin, batch=batch)
    return services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=target, comments="Seen."
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (a, b)
        for a, b in itertools.product(S.values, S.values)
        if b != S.DRAFT  # nothing leads back to a draft
    ],
)
def test_r_bat_7_every_pair(world, source, target):
    batch = make_batch(world, source, samples=4, moderator=world.moderator)
    transitions = BatchHistory.objects.filter(batch=batch, event=HistoryEvent.TRANSITION)
    if (source, target) in R_BAT_7:
        _move(world, batch, target)
        batch.refresh_from_db()
        assert batch.status == target
        assert transitions.get().from_status == source
    else:
        with pytest.raises(services.BatchError):
            _move(world, batch, target)
        batch.refresh_from_db()
        assert batch.status == source
        assert not transitions.exists()


def test_r_bat_7_double_submit_gives_one_transition(world):
    """Two "Submit Batch" clicks from pages loaded at the same moment: one moves it."""
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    first_click = Batch.objects.get(pk=batch.pk)
    second_click = Batch.objects.get(pk=batch.pk)
    services.batch_submit(actor=world.admin, batch=first_click)
    with pytest.raises(services.BatchStateError, match="With Moderator"):
        services.batch_submit(actor=world.admin, batch=second_click)
    assert BatchHistory.objects.filter(batch=batch, event=HistoryEvent.TRANSITION).count() == 1


def test_r_new_3_transition_writes_history_and_signals_on_commit(
    world, django_capture_on_commit_callbacks
):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    batch_transitioned.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.batch_submit(actor=world.admin, batch=batch)
        assert received == []  # nothing is sent before the commit
        for callback in callbacks:
            callback()
    finally:
        batch_transitioned.disconnect(receiver)
    entry = BatchHistory.objects.get(batch=batch, event=HistoryEvent.TRANSITION)
    assert (entry.actor, entry.from_status, entry.to_status) == (
        world.admin,
        S.CENTRE_COMPLETING,
        S.WITH_MODERATOR,
    )
    assert received == [
        {
            "signal": batch_transitioned,
            "batch_id": batch.pk,
            "history_id": entry.pk,
            "source": S.CENTRE_COMPLETING,
            "target": S.WITH_MODERATOR,
            "actor_id": world.admin.pk,
        }
    ]


def test_r_sla_1_timestamps_recorded(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    services.batch_submit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.submitted_at is not None
    assert batch.sla_due_at - batch.sla_started_at == __import__("datetime").timedelta(days=28)
    services.batch_assign(actor=world.staff, batch=batch, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Fix the brief."
    )
    batch.refresh_from_db()
    assert batch.outcome_at is not None
    assert batch.sla_due_at is None  # the clock stops at an outcome
    services.batch_resubmit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.sla_started_at > batch.outcome_at  # restarted at Centre re-submitted
    assert batch.sla_due_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so only PostgreSQL can show two submits racing",
)
def test_r_bat_7_concurrent_submits_one_transition():
    """Two "Submit Batch" requests at the same instant: the row lock lets one through."""
    import threading

    from django.db import connections

    from conftest import make_world

    world = make_world()
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        try:
            barrier.wait()
            services.batch_submit(actor=world.admin, batch=Batch.objects.get(pk=batch.pk))
            outcomes.append("moved")
        except services.BatchStateError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "refused"]
    assert BatchHistory.objects.filter(batch=batch, event=HistoryEvent.TRANSITION).count() == 1
