"""R-BAT-8, R-BAT-10: the moderator's outcome; Complete passes the units on the PAR."""

import pytest
from django.core.exceptions import ValidationError

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from moderation import services
from moderation.models import BatchStatus, DocumentKind
from par.models import UnitSelection

from .factories import make_batch, pdf

S = BatchStatus


@pytest.mark.parametrize("outcome", [S.RETURNED, S.INSUFFICIENT_SAMPLE, S.COMPLETE])
def test_r_bat_8_outcome_carries_the_comments_document(world, outcome):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator,
        batch=batch,
        outcome=outcome,
        comments="See the attached.",
        comments_file=pdf("comments.pdf"),
    )
    batch.refresh_from_db()
    assert batch.status == outcome
    comments = batch.documents.get(kind=DocumentKind.COMMENTS)
    entry = batch.history.get(event="transition")
    assert (entry.document, entry.note) == (comments, "See the attached.")


def test_r_bat_8_outcome_needs_a_document_or_text(world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    with pytest.raises(ValidationError):
        services.batch_set_outcome(actor=world.moderator, batch=batch, outcome=S.COMPLETE)
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR


def test_r_bat_8_only_the_assigned_moderator_sets_the_outcome(world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    another = UserFactory(body_role=BodyRole.MODERATOR)
    for actor in (another, world.staff, world.admin):
        with pytest.raises(services.BatchPermissionError):
            services.batch_set_outcome(actor=actor, batch=batch, outcome=S.COMPLETE, comments="x")
    unassigned = make_batch(world, S.WITH_MODERATOR, selections=[])
    with pytest.raises(services.BatchPermissionError):
        services.batch_set_outcome(
            actor=world.moderator, batch=unassigned, outcome=S.COMPLETE, comments="x"
        )


def test_r_bat_10_complete_passes_the_units_on_par(world):
    batch = make_batch(world, S.RESUBMITTED, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.COMPLETE, comments="Well done."
    )
    batch.refresh_from_db()
    selections = UnitSelection.objects.filter(batch_units__batch=batch)
    assert selections.count() == 4
    for selection in selections:
        assert selection.result == "pass"
        assert selection.result_at == batch.completed_at
        assert selection.result_source == f"Batch {batch.pk}"


def test_r_bat_10_other_outcomes_post_nothing(world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.INSUFFICIENT_SAMPLE, comments="More."
    )
    assert not UnitSelection.objects.exclude(result="").exists()


def test_take_from_the_unassigned_queue_once(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    services.batch_take(actor=world.moderator, batch=batch)
    batch.refresh_from_db()
    assert batch.moderator == world.moderator
    another = UserFactory(body_role=BodyRole.MODERATOR)
    with pytest.raises(services.BatchStateError, match="already been taken"):
        services.batch_take(actor=another, batch=batch)
    assert batch.history.filter(event="assigned").count() == 1


def test_take_refused_for_non_moderators_and_unsubmitted(world):
    with pytest.raises(services.BatchPermissionError):
        services.batch_take(actor=world.assessor, batch=make_batch(world, S.WITH_MODERATOR))
    with pytest.raises(services.BatchStateError):
        services.batch_take(
            actor=world.moderator, batch=make_batch(world, S.CENTRE_COMPLETING, selections=[])
        )


def test_admin_assigns_only_moderators(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    with pytest.raises(services.BatchError):
        services.batch_assign(actor=world.staff, batch=batch, moderator=world.assessor)
    with pytest.raises(services.BatchPermissionError):
        services.batch_assign(actor=world.moderator, batch=batch, moderator=world.moderator)
    services.batch_assign(actor=world.staff, batch=batch, moderator=world.moderator)
    batch.refresh_from_db()
    assert batch.moderator == world.moderator and batch.assigned_at is not None
