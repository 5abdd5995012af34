"""A learner's PAR page shows every unit with its state."""

from django.urls import reverse
from django.utils import timezone

from centres.models import EntryType
from centres.tests.factories import LearnerFactory, RegistrationFactory
from par.models import UnitSelection


def test_learner_page_shows_every_state(member_client, world, registration, units, lock_provider):
    UnitSelection.objects.create(registration=registration, unit=units[0])
    held = UnitSelection.objects.create(registration=registration, unit=units[1])
    lock_provider[held.pk] = "in batch 9 (With Moderator)"
    UnitSelection.objects.create(
        registration=registration,
        unit=units[2],
        result="pass",
        result_at=timezone.now(),
        result_source="Batch 2",
    )
    body = member_client.get(reverse("par:learner", args=[world.learner.pk])).content.decode()
    assert body.count(">Remove</button>") == 1  # only the free selection can be removed
    assert "in batch 9 (With Moderator)" in body
    assert "(Batch 2)" in body
    assert f'value="{registration.pk}:{units[3].pk}"' in body


def test_unit_entry_learner_shows_units_without_entry_as_such(member_client, world, units):
    learner = LearnerFactory(centre=world.centre)
    registration = RegistrationFactory(
        learner=learner, qualification=world.qualification, entry_type=EntryType.UNIT
    )
    registration.entered_units.add(units[0])
    body = member_client.get(reverse("par:learner", args=[learner.pk])).content.decode()
    assert f'value="{registration.pk}:{units[0].pk}"' in body
    assert f'value="{registration.pk}:{units[1].pk}"' not in body
    assert "No unit entry for this unit" in body


def test_another_centres_learner_is_404(member_client, world):
    assert (
        member_client.get(reverse("par:learner", args=[world.other_learner.pk])).status_code == 404
    )


def test_learner_page_query_count_is_flat(
    member_client, world, registration, units, django_assert_max_num_queries
):
    UnitSelection.objects.bulk_create(
        [UnitSelection(registration=registration, unit=u) for u in units]
    )
    with django_assert_max_num_queries(12):
        assert member_client.get(reverse("par:learner", args=[world.learner.pk])).status_code == 200
