"""Every moderation service checks who acts, itself (R-ACC-1, R-ACC-2): called directly,
another centre's Programme Director, a member without the Moderation grant and a moderator
are refused on the centre's side; on the awarding body's side a moderator not assigned to
the batch, a centre member and a non-admin are refused. Nothing changes when refused."""

from __future__ import annotations

import pytest

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from moderation import services
from moderation.models import Batch, BatchHistory, BatchStatus, DocumentKind

from .factories import make_batch, pdf, selections_for

S = BatchStatus


def first_unit(batch):
    return batch.units.order_by("pk").first()


CENTRE_SERVICES = {
    "batch_create": (
        None,
        lambda w, actor, batch: services.batch_create(
            actor=actor, centre=w.centre, qualification=w.qualification
        ),
    ),
    "batch_upload_document": (
        S.DRAFT,
        lambda w, actor, batch: services.batch_upload_document(
            actor=actor, batch=batch, kind=DocumentKind.BRIEF, upload=pdf("brief.pdf")
        ),
    ),
    "batch_set_documents": (
        S.DRAFT,
        lambda w, actor, batch: services.batch_set_documents(
            actor=actor, batch=batch, brief=pdf("brief.pdf")
        ),
    ),
    "batch_submit_units": (
        S.DRAFT,
        lambda w, actor, batch: services.batch_submit_units(
            actor=actor,
            batch=batch,
            selection_ids=[s.pk for s in selections_for(w.learner, w.qualification)],
        ),
    ),
    "batch_upload_sample": (
        S.CENTRE_COMPLETING,
        lambda w, actor, batch: services.batch_upload_sample(
            actor=actor, batch=batch, batch_unit=first_unit(batch), upload=pdf("work.pdf")
        ),
    ),
    "batch_remove_sample": (
        S.CENTRE_COMPLETING,
        lambda w, actor, batch: services.batch_remove_sample(
            actor=actor, batch=batch, batch_unit=first_unit(batch)
        ),
    ),
    "batch_submit": (
        S.CENTRE_COMPLETING,
        lambda w, actor, batch: services.batch_submit(actor=actor, batch=batch),
    ),
    "batch_resubmit": (
        S.RETURNED,
        lambda w, actor, batch: services.batch_resubmit(actor=actor, batch=batch),
    ),
    "batch_delete": (
        S.DRAFT,
        lambda w, actor, batch: services.batch_delete(actor=actor, batch=batch),
    ),
    "batch_request_deletion": (
        S.WITH_MODERATOR,
        lambda w, actor, batch: services.batch_request_deletion(
            actor=actor, batch=batch, reason="Wrong learners"
        ),
    ),
}


def snapshot(batch):
    if batch is None:
        return Batch.objects.count()
    batch = Batch.objects.get(pk=batch.pk)
    return (batch.status, batch.deleted_at, batch.deletion_requested_at, batch.history.count())


@pytest.mark.parametrize("name", CENTRE_SERVICES)
@pytest.mark.parametrize("persona", ["outsider", "tutor", "moderator"])
def test_r_acc_1_centre_side_services_refuse_anyone_without_the_moderation_grant(
    world, name, persona
):
    status, call = CENTRE_SERVICES[name]
    batch = make_batch(world, status, samples=4) if status else None
    before = snapshot(batch)
    # outsider: another centre's director; tutor: our centre, PAR only; moderator: the body.
    with pytest.raises(services.BatchPermissionError):
        call(world, getattr(world, persona), batch)
    assert snapshot(batch) == before


def test_r_acc_2_outcome_refused_to_an_unassigned_moderator_and_the_centre(world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    other_moderator = UserFactory(email="other-mod@example.test", body_role=BodyRole.MODERATOR)
    for actor in (other_moderator, world.director, world.outsider):
        with pytest.raises(services.BatchPermissionError):
            services.batch_set_outcome(
                actor=actor, batch=batch, outcome=S.COMPLETE, comments="Fine."
            )
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.COMPLETE, comments="Fine."
    )
    batch.refresh_from_db()
    assert batch.status == S.COMPLETE


def test_r_acc_2_only_moderators_take_and_only_admins_assign_or_delete(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    history = BatchHistory.objects.filter(batch=batch).count()
    for actor in (world.director, world.assessor):
        with pytest.raises(services.BatchPermissionError):
            services.batch_take(actor=actor, batch=batch)
    for actor in (world.director, world.moderator):
        with pytest.raises(services.BatchPermissionError):
            services.batch_assign(actor=actor, batch=batch, moderator=world.moderator)
        with pytest.raises(services.BatchPermissionError):
            services.batch_admin_delete(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert (batch.moderator, batch.deleted_at) == (None, None)
    assert BatchHistory.objects.filter(batch=batch).count() == history
