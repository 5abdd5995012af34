"""R-BAT-4, R-BAT-5: "Select Units to Pass on Batch" and "Submit"."""

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.tests.factories import LearnerFactory, RegistrationFactory
from moderation.models import BatchStatus
from par.models import UnitSelection

from .factories import bulk_learner_units, make_batch, selections_for

S = BatchStatus


def url(batch):
    return reverse("moderation:batch-units", args=[batch.pk])


def test_r_bat_4_lists_current_learners_and_only_par_units_have_boxes(member_client, world):
    registration = world.learner.registrations.get()
    selections = [
        UnitSelection.objects.create(registration=registration, unit=unit)
        for unit in world.qualification.units.order_by("code")[:2]
    ]
    no_par = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Nopar"),
        qualification=world.qualification,
    ).learner
    lapsed = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Lapsed"),
        qualification=world.qualification,
        is_current=False,
    ).learner
    batch = make_batch(world)
    page = member_client.get(url(batch)).content.decode()
    for selection in selections:
        assert f'name="selection" value="{selection.pk}"' in page
    assert page.count('name="selection"') == 2  # the other two units are not on PAR
    assert no_par.membership_number in page
    assert "has not had their units selected on PAR" in page
    assert reverse("par:index") in page
    assert lapsed.membership_number not in page
    assert world.other_learner.membership_number not in page


def test_r_bat_4_units_in_open_batch_or_passed_show_why_and_no_box(member_client, world):
    first, second, *_ = selections_for(world.learner, world.qualification)
    other = make_batch(world, S.WITH_MODERATOR, selections=[first])
    second.result, second.result_at = "pass", timezone.now()
    second.save()
    batch = make_batch(world)
    page = member_client.get(url(batch)).content.decode()
    assert f'value="{first.pk}"' not in page and f'value="{second.pk}"' not in page
    assert f"in batch {other.pk} (With Moderator)" in page
    assert "already passed (Pass)" in page


def test_r_bat_5_submit_makes_centre_completing(member_client, world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    response = member_client.post(url(batch), {"selection": ids[:3]})
    assert response["Location"] == reverse("moderation:batch-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING
    assert batch.units.count() == 3


def test_r_bat_4_refusal_keeps_the_ticks(member_client, world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=[selections_for(world.learner, world.qualification)[3]],
    )
    # The fourth unit was claimed by a colleague after this page was loaded.
    response = member_client.post(url(batch), {"selection": ids})
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be claimed" in page
    assert f'value="{ids[0]}" id="sel-{ids[0]}" checked' in page
    batch.refresh_from_db()
    assert batch.status == S.DRAFT


def test_units_page_needs_the_documents_first(member_client, world):
    batch = make_batch(world, documents=False)
    response = member_client.get(url(batch))
    assert response["Location"] == reverse("moderation:batch-documents", args=[batch.pk])


@pytest.mark.parametrize("learners", [5, 250])
def test_query_count_flat(member_client, world, django_assert_max_num_queries, learners):
    """20 and 1,000 learner-units: the same number of queries."""
    bulk_learner_units(world.centre, world.qualification, learners)
    batch = make_batch(world)
    with django_assert_max_num_queries(14):
        response = member_client.get(url(batch))
    assert response.content.decode().count('name="selection"') >= learners * 4


def test_units_outsider_404(client, world):
    batch = make_batch(world)
    client.force_login(world.outsider)
    assert client.get(url(batch)).status_code == 404
