"""R-PAR-3 and R-PAR-5 in the service and model layer."""

import math

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from centres.models import AuditEvent, EntryType
from centres.tests.factories import LearnerFactory, QualificationFactory, RegistrationFactory
from par import services
from par.models import UnitSelection
from par.services import SelectionLocked, selection_remove, selections_add


def test_r_par_3_add_saves_every_ticked_unit_and_audits_each(world, registration, units):
    outcome = selections_add(
        actor=world.admin, centre=world.centre, pairs=[(registration.pk, u.pk) for u in units[:3]]
    )
    assert outcome.created == 3
    assert set(registration.unit_selections.values_list("unit_id", flat=True)) == {
        u.pk for u in units[:3]
    }
    events = AuditEvent.objects.filter(action="par.select", actor=world.admin, centre=world.centre)
    assert events.count() == 3


def test_adding_the_same_selection_twice_keeps_one_row(world, registration, units):
    pairs = [(registration.pk, units[0].pk)]
    selections_add(actor=world.admin, centre=world.centre, pairs=pairs)
    outcome = selections_add(actor=world.director, centre=world.centre, pairs=pairs)
    assert outcome.created == 0 and outcome.already_selected == 1
    assert UnitSelection.objects.filter(registration=registration).count() == 1


def test_a_colleague_saving_at_the_same_moment_leaves_one_row_and_no_error(
    world, registration, units, monkeypatch
):
    """The colleague's row lands between our check and our insert."""
    real_filter = UnitSelection.objects.filter

    def filter_missing_the_colleague(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        UnitSelection.objects.bulk_create(
            [UnitSelection(registration=registration, unit=units[0])], ignore_conflicts=True
        )
        return qs.none()

    monkeypatch.setattr(UnitSelection.objects, "filter", filter_missing_the_colleague)
    selections_add(actor=world.admin, centre=world.centre, pairs=[(registration.pk, units[0].pk)])
    monkeypatch.undo()
    assert UnitSelection.objects.filter(registration=registration, unit=units[0]).count() == 1


def test_r_par_5_refuses_a_unit_outside_the_qualification(world, registration):
    foreign_unit = QualificationFactory(units=1).units.get()
    with pytest.raises(ValidationError, match="not in the qualification"):
        selections_add(
            actor=world.admin, centre=world.centre, pairs=[(registration.pk, foreign_unit.pk)]
        )
    assert not UnitSelection.objects.exists()


def test_r_par_5_refuses_a_registration_that_is_not_current(world, registration, units):
    registration.is_current = False
    registration.save()
    with pytest.raises(ValidationError, match="not current"):
        selections_add(
            actor=world.admin, centre=world.centre, pairs=[(registration.pk, units[0].pk)]
        )


def test_r_par_5_unit_entries_need_an_entry_for_the_unit(world, units):
    registration = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre),
        qualification=world.qualification,
        entry_type=EntryType.UNIT,
    )
    registration.entered_units.add(units[1])
    with pytest.raises(ValidationError, match="no unit entry"):
        selections_add(
            actor=world.admin, centre=world.centre, pairs=[(registration.pk, units[0].pk)]
        )
    outcome = selections_add(
        actor=world.admin, centre=world.centre, pairs=[(registration.pk, units[1].pk)]
    )
    assert outcome.created == 1


def test_r_par_5_refuses_another_centres_registration(world, units):
    other_registration = world.other_learner.registrations.get()
    with pytest.raises(ValidationError, match="not registered at this centre"):
        selections_add(
            actor=world.admin, centre=world.centre, pairs=[(other_registration.pk, units[0].pk)]
        )
    assert not UnitSelection.objects.exists()


def test_r_par_5_one_bad_pair_saves_nothing(world, registration, units):
    foreign_unit = QualificationFactory(units=1).units.get()
    with pytest.raises(ValidationError):
        selections_add(
            actor=world.admin,
            centre=world.centre,
            pairs=[(registration.pk, units[0].pk), (registration.pk, foreign_unit.pk)],
        )
    assert not UnitSelection.objects.exists()


def test_r_par_5_is_enforced_on_a_plain_model_save(world, registration, units):
    registration.is_current = False
    registration.save()
    with pytest.raises(ValidationError):
        UnitSelection.objects.create(registration=registration, unit=units[0])


def test_r_par_3_remove_a_free_selection(world, registration, units):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    selection_remove(actor=world.admin, centre=world.centre, selection=selection)
    assert not UnitSelection.objects.exists()
    assert AuditEvent.objects.filter(action="par.remove", actor=world.admin).exists()


def test_r_par_3_remove_refused_while_a_batch_or_claim_holds_it(
    world, registration, units, lock_provider
):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    lock_provider[selection.pk] = "in batch 7 (With Moderator)"
    with pytest.raises(SelectionLocked, match="in batch 7"):
        selection_remove(actor=world.admin, centre=world.centre, selection=selection)
    assert UnitSelection.objects.filter(pk=selection.pk).exists()


def test_r_par_3_remove_refused_once_achieved(world, registration, units):
    selection = UnitSelection.objects.create(
        registration=registration, unit=units[0], result="pass", result_at=timezone.now()
    )
    with pytest.raises(SelectionLocked, match="result"):
        selection_remove(actor=world.admin, centre=world.centre, selection=selection)


def test_recording_a_result_is_idempotent(world, registration, units):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    at = timezone.now()
    assert (
        services.selections_record_result(
            selection_ids=[selection.pk], result="pass", source="Batch 3", at=at
        )
        == 1
    )
    assert (
        services.selections_record_result(
            selection_ids=[selection.pk], result="pass", source="Batch 3", at=at
        )
        == 0
    )
    selection.refresh_from_db()
    assert (selection.result, selection.result_source) == ("pass", "Batch 3")
    assert AuditEvent.objects.filter(action="par.result").count() == 1


def insert_batches(model, count: int) -> int:
    """INSERTs Django needs for ``count`` rows: one, unless the database's parameter limit
    (SQLite's 999) makes bulk_create split them."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    per_batch = connection.ops.bulk_batch_size(fields, [None] * count)
    return math.ceil(count / min(per_batch, 500))


@pytest.mark.parametrize("count", [20, 500])
def test_adding_many_selections_costs_a_fixed_number_of_queries(
    world, many_learners, units, count, django_assert_max_num_queries
):
    """R-PAR-3: 500 ticked learner-units are one request of bulk writes, not a query each."""
    learners = many_learners(count)
    pairs = [(lr.registrations.get().pk, units[1].pk) for lr in learners]
    fixed = 7  # savepoint, registrations, units, entries, existing, 2 savepoint ends
    bound = fixed + insert_batches(UnitSelection, count) + insert_batches(AuditEvent, count)
    with django_assert_max_num_queries(bound):
        outcome = selections_add(actor=world.admin, centre=world.centre, pairs=pairs)
    assert outcome.created == count
