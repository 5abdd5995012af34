"""A learner's PAR page shows every unit with its state."""

from html import escape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import EntryType
from centres.tests.factories import LearnerFactory, RegistrationFactory
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from par import selectors
from par.locks import locks_for
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


def test_r_par_3_cards_give_each_holders_reason_as_locks_for_does(world, registration, units):
    """On PostgreSQL the cards read the selections' holders with the selections (one
    statement, par.locks.held_by_sql); the reasons are locks_for's, the first registered
    holder (a batch) naming a selection a claim holds too."""
    selections = [UnitSelection.objects.create(registration=registration, unit=u) for u in units]
    make_batch(world, BatchStatus.CENTRE_COMPLETING, selections=selections[:1])
    make_batch(world, BatchStatus.WITH_MODERATOR, selections=selections[2:3])
    claim = ClaimFactory(centre=world.centre, qualification=world.qualification)
    for unit in units[1:3]:
        ClaimLineFactory(claim=claim, registration=registration, unit=unit)
    expected = locks_for([s.pk for s in selections])
    assert len(expected) == 3 and expected[selections[2].pk].startswith("in batch ")
    with CaptureQueriesContext(connection) as ctx:
        (card,) = selectors.learner_cards([registration])
    # The units, the selections (and their holders, on PostgreSQL; else locks_for's own).
    assert len(ctx.captured_queries) == (2 if connection.vendor == "postgresql" else 3)
    for selection in selections:
        reason = expected.get(selection.pk)
        if reason is None:
            assert f'formaction="/par/selections/{selection.pk}/remove/"' in card.rows_html
        else:
            assert f"&mdash; {escape(reason)}</span>" in card.rows_html
    assert card.rows_html.count('class="unit-row unit-locked"') == 3
