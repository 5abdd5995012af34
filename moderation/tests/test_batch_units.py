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

from .factories import bulk_learner_units, make_batch, selections_for

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


def test_r_par_3_locks_for_asks_every_holder_in_one_statement(world, django_assert_num_queries):
    """Batches and claims answer in one UNION ALL, with the reasons each provider gives."""
    batch = make_batch(world, S.CENTRE_COMPLETING)
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    one_by_one: dict[int, str] = {}
    for provider in par_locks._providers:
        for pk, reason in provider(ids).items():
            one_by_one.setdefault(pk, reason)
    with django_assert_num_queries(1):
        locks = locks_for([*ids, 10**9])
    assert locks == one_by_one
    assert set(locks) == set(ids)
    assert all(reason.startswith(f"in batch {batch.pk} (") for reason in locks.values())


# --- ticks saved on the draft, page by page, and "tick all" (issue 9) ----------------------
def test_r_bat_4_units_ticked_on_a_draft_are_held_from_other_batches(world):
    draft = make_batch(world)
    selection = selections_for(world.learner, world.qualification)[0]
    assert services.batch_select_units(actor=world.admin, batch=draft, add=[selection.pk]) == (
        1,
        0,
    )
    other = make_batch(world)
    with pytest.raises(services.BatchError, match=f"in batch {draft.pk} \\(Not yet submitted\\)"):
        services.batch_select_units(actor=world.admin, batch=other, add=[selection.pk])
    # Unticked on the draft: free again.
    services.batch_select_units(actor=world.admin, batch=draft, remove=[selection.pk])
    assert services.batch_select_units(actor=world.admin, batch=other, add=[selection.pk])[0] == 1


def test_r_bat_4_a_refused_tick_saves_nothing_of_the_page(world):
    first, second, third, _ = selections_for(world.learner, world.qualification)
    make_batch(world, S.WITH_MODERATOR, selections=[third])
    batch = make_batch(world)
    services.batch_select_units(actor=world.admin, batch=batch, add=[first.pk])
    with pytest.raises(services.BatchError, match="cannot be claimed"):
        services.batch_select_units(
            actor=world.admin, batch=batch, add=[second.pk, third.pk], remove=[first.pk]
        )
    assert list(batch.units.values_list("selection_id", flat=True)) == [first.pk]


def test_saving_the_same_ticks_twice_changes_nothing(world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    assert services.batch_select_units(actor=world.admin, batch=batch, add=ids) == (4, 0)
    assert services.batch_select_units(actor=world.admin, batch=batch, add=ids) == (0, 0)
    assert batch.units.count() == 4


def test_r_bat_4_add_all_matching_leaves_out_passed_held_and_other_centres(world):
    bulk = bulk_learner_units(world.centre, world.qualification, 10)
    first, second, *_ = selections_for(world.learner, world.qualification)
    other = make_batch(world, S.CENTRE_COMPLETING, selections=[first])
    second.result, second.result_at = "pass", timezone.now()
    second.save()
    lapsed = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre), qualification=world.qualification
    )
    lapsed_units = selections_for(lapsed.learner, world.qualification)
    lapsed.is_current = False
    lapsed.save()
    selections_for(world.other_learner, world.qualification)
    batch = make_batch(world)
    added = services.batch_add_all_matching(actor=world.admin, batch=batch)
    expected = {s.pk for s in bulk} | {
        s.pk for s in selections_for(world.learner, world.qualification)[2:]
    }
    assert added == len(expected) == 42
    assert set(batch.units.values_list("selection_id", flat=True)) == expected
    assert other.units.get().selection_id == first.pk
    assert not batch.units.filter(selection__in=lapsed_units).exists()
    # Idempotent: a second request (a double click) inserts nothing.
    assert services.batch_add_all_matching(actor=world.admin, batch=batch) == 0
    assert batch.units.count() == 42


def test_add_all_matching_only_the_learners_found(world):
    bulk_learner_units(world.centre, world.qualification, 25)
    batch = make_batch(world)
    assert (
        services.batch_add_all_matching(actor=world.admin, batch=batch, query="learner0002") == 20
    )
    assert (
        services.batch_remove_all_matching(
            actor=world.admin, batch=batch, query="Bulk Learner00024"
        )
        == 4
    )
    assert batch.units.count() == 16
    assert services.batch_remove_all_matching(actor=world.admin, batch=batch) == 16


def test_tick_all_needs_a_member_and_a_draft(world):
    bulk_learner_units(world.centre, world.qualification, 3)
    batch = make_batch(world)
    with pytest.raises(services.BatchPermissionError):
        services.batch_add_all_matching(actor=world.outsider, batch=batch)
    submitted = make_batch(world, S.CENTRE_COMPLETING, selections=[])
    with pytest.raises(services.BatchStateError):
        services.batch_add_all_matching(actor=world.admin, batch=submitted)
    assert not batch.units.exists() and not submitted.units.exists()


@pytest.mark.parametrize("learners", [20, 1000])
def test_add_all_matching_is_one_statement(world, django_assert_num_queries, learners):
    """20 and 1,000 learners: the same queries (lock, member check, INSERT, audit)."""
    bulk_learner_units(world.centre, world.qualification, learners)
    batch = make_batch(world)
    with django_assert_num_queries(7):
        added = services.batch_add_all_matching(actor=world.admin, batch=batch)
    assert added == learners * 4


def test_r_bat_5_submit_claims_the_units_saved_from_every_page(world):
    bulk = bulk_learner_units(world.centre, world.qualification, 3)
    batch = make_batch(world)
    services.batch_select_units(actor=world.admin, batch=batch, add=[s.pk for s in bulk[:4]])
    last_page = selections_for(world.learner, world.qualification)
    services.batch_submit_units(
        actor=world.admin, batch=batch, selection_ids=[last_page[0].pk], remove_ids=[bulk[0].pk]
    )
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING
    assert set(batch.units.values_list("selection_id", flat=True)) == {
        *(s.pk for s in bulk[1:4]),
        last_page[0].pk,
    }
    assert batch.history.get(to_status=S.CENTRE_COMPLETING).note == "4 learner-units claimed."


def test_r_bat_4_submit_refused_when_a_saved_unit_has_since_passed(world):
    selection = selections_for(world.learner, world.qualification)[0]
    batch = make_batch(world)
    services.batch_select_units(actor=world.admin, batch=batch, add=[selection.pk])
    selection.result, selection.result_at = "pass", timezone.now()
    selection.save()
    with pytest.raises(services.BatchError, match="been passed"):
        services.batch_submit_units(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.status == S.DRAFT


def test_ticked_units_carry_the_slot_order_of_their_learner_and_unit(world):
    """Page ticks and "tick all" both copy surname, first name, P number and unit code,
    which order the batch page's slots (batchunit_slot_order_idx)."""
    bulk_learner_units(world.centre, world.qualification, 2)
    batch = make_batch(world)
    first = selections_for(world.learner, world.qualification)[0]
    services.batch_select_units(actor=world.admin, batch=batch, add=[first.pk])
    services.batch_add_all_matching(actor=world.admin, batch=batch)
    rows = BatchUnit.objects.filter(batch=batch).select_related(
        "selection__registration__learner", "selection__unit"
    )
    assert len(rows) > 1
    for row in rows:
        learner = row.selection.registration.learner
        assert (
            row.order_last_name,
            row.order_first_name,
            row.order_p_number,
            row.order_unit_code,
        ) == (
            learner.last_name,
            learner.first_name,
            learner.membership_number,
            row.selection.unit.code,
        )
