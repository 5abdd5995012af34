"""hub.fsm.transition: the one way both state machines move (issue 10.2).

Exercised on moderation's Batch; claims' Claim goes through the same helper (its services'
tests cover it). Each refusal leaves the row and its history untouched.
"""

import pytest

from hub import fsm
from moderation import services  # registers Batch's machine
from moderation.models import Batch, BatchHistory, BatchStatus, HistoryEvent
from moderation.tests.factories import make_batch

S = BatchStatus


def _transitions(batch):
    return BatchHistory.objects.filter(batch=batch, event=HistoryEvent.TRANSITION)


def test_moves_saves_and_writes_history_with_the_reason(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    moved = fsm.transition(batch, "submit", actor=world.admin, reason="Sample met.")
    batch.refresh_from_db()
    entry = _transitions(batch).get()
    assert (moved.source, moved.target, batch.status) == (
        S.CENTRE_COMPLETING,
        S.WITH_MODERATOR,
        S.WITH_MODERATOR,
    )
    assert (entry.actor, entry.from_status, entry.to_status, entry.note) == (
        world.admin,
        S.CENTRE_COMPLETING,
        S.WITH_MODERATOR,
        "Sample met.",
    )
    assert moved.history == entry


def test_by_primary_key_loads_the_locked_row(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    moved = fsm.transition(batch.pk, "submit", actor=world.admin, model=Batch)
    assert moved.obj.status == S.WITH_MODERATOR


def test_stale_instance_is_checked_against_the_row(world):
    """Two pages loaded at once: the second click sees the status the first one left."""
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    stale = Batch.objects.get(pk=batch.pk)
    fsm.transition(batch, "submit", actor=world.admin)
    with pytest.raises(services.BatchStateError, match="With Moderator"):
        fsm.transition(stale, "submit", actor=world.admin)
    assert _transitions(batch).count() == 1


def test_refuses_an_arrow_that_does_not_leave_this_status(world):
    batch = make_batch(world, S.DRAFT)
    with pytest.raises(services.BatchStateError):
        fsm.transition(batch, "complete", actor=world.moderator)
    batch.refresh_from_db()
    assert batch.status == S.DRAFT and not _transitions(batch).exists()


def test_refuses_the_wrong_side_before_the_guards(world):
    """An outsider is told they may not, not what is missing (the sample is short here)."""
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=0)
    with pytest.raises(services.BatchPermissionError):
        fsm.transition(batch, "submit", actor=world.outsider)
    with pytest.raises(services.BatchError, match="not ready"):
        fsm.transition(batch, "submit", actor=world.admin)
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING and not _transitions(batch).exists()


def test_then_runs_inside_the_transaction(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    seen = []
    fsm.transition(batch, "submit", actor=world.admin, then=lambda moved: seen.append(moved.target))
    assert seen == [S.WITH_MODERATOR]


def test_a_failing_follow_up_rolls_the_move_back(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)

    def fail(moved):
        raise RuntimeError("queue down")

    with pytest.raises(RuntimeError):
        fsm.transition(batch, "submit", actor=world.admin, then=fail)
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING and not _transitions(batch).exists()


def test_allowed_actions_follow_the_declarations_and_the_actor(world):
    batch = make_batch(world, S.WITH_MODERATOR, samples=4, moderator=world.moderator)
    assert fsm.allowed_actions(batch, world.moderator) == {
        "return_for_editing",
        "mark_insufficient_sample",
        "complete",
    }
    assert fsm.allowed_actions(batch, world.admin) == frozenset()
    returned = make_batch(world, S.RETURNED, selections=[], moderator=world.moderator)
    assert fsm.allowed_actions(returned, world.admin) == {"resubmit"}
    assert fsm.allowed_actions(returned, world.outsider) == frozenset()
