"""R-BAT-4, R-BAT-5, R-PAR-3: claiming learner-units on a batch, and what that locks."""

import pytest
from django.utils import timezone

from centres.tests.factories import LearnerFactory, RegistrationFactory
from moderation import services
from moderation.locks import batch_locks
from moderation.models import BatchStatus, BatchUnit
from par import locks as par_locks
from par.locks import locks_for
from par.services import SelectionLocked, selection_remove

from .factories import make_batch, selections_for

S = BatchStatus


def test_r_bat_5_submit_claims_units_and_makes_centre_completing(world):
    batch = make_batch(world)
    selections = selections_for(world.learner, world.qualification)
    services.batch_submit_units(
        actor=world.admin, batch=batch, selection_ids=[s.pk for s in selections[:2]]
    )
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING
    assert set(batch.units.values_list("selection_id", flat=True)) == {s.pk for s in selections[:2]}
    assert batch.units_submitted_at is not None


def test_r_bat_4_unit_in_another_open_batch_cannot_be_claimed(world):
    other = make_batch(world, S.WITH_MODERATOR)
    batch = make_batch(world)
    selection = selections_for(world.learner, world.qualification)[0]
    with pytest.raises(services.BatchError, match=f"in batch {other.pk} \\(With Moderator\\)"):
        services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=[selection.pk])
    batch.refresh_from_db()
    assert batch.status == S.DRAFT
    assert not batch.units.exists()


def test_r_bat_4_passed_unit_cannot_be_claimed(world):
    selection = selections_for(world.learner, world.qualification)[0]
    selection.result, selection.result_at = "pass", timezone.now()
    selection.save()
    batch = make_batch(world)
    with pytest.raises(services.BatchError, match="already passed"):
        services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=[selection.pk])


def test_r_bat_4_only_current_learners_of_this_centre_and_qualification(world):
    batch = make_batch(world)
    lapsed = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre), qualification=world.qualification
    )
    lapsed_selection = selections_for(lapsed.learner, world.qualification)[0]
    lapsed.is_current = False
    lapsed.save()
    outsider_selection = selections_for(world.other_learner, world.qualification)[0]
    for selection in (lapsed_selection, outsider_selection):
        with pytest.raises(services.BatchError, match="not selected on PAR"):
            services.batch_submit_units(
                actor=world.admin, batch=batch, selection_ids=[selection.pk]
            )


def test_r_bat_4_units_can_be_claimed_again_once_the_batch_is_deleted(world):
    old = make_batch(world, S.CENTRE_COMPLETING)
    services.batch_delete(actor=world.admin, batch=old)
    batch = make_batch(world)
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=ids)
    assert BatchUnit.objects.filter(released_at__isnull=True).count() == len(ids)


def test_r_bat_4_nothing_ticked_is_refused(world):
    batch = make_batch(world)
    with pytest.raises(services.BatchError, match="at least one"):
        services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=[])


def test_r_par_3_par_refuses_removal_of_a_unit_in_a_batch(world):
    batch = make_batch(world, S.RETURNED)
    selection = selections_for(world.learner, world.qualification)[0]
    assert locks_for([selection.pk]) == {
        selection.pk: f"in batch {batch.pk} (Returned for editing)"
    }
    with pytest.raises(SelectionLocked, match=f"in batch {batch.pk}"):
        selection_remove(actor=world.admin, centre=world.centre, selection=selection)


def test_r_par_3_lock_provider_is_one_query(world, django_assert_num_queries):
    make_batch(world, S.CENTRE_COMPLETING)
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    with django_assert_num_queries(1):
        assert len(batch_locks(ids)) == len(ids)
    assert batch_locks in par_locks._providers  # registered by moderation's AppConfig
