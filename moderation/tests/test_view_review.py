"""The moderator's queue, review page and outcome (R-BAT-8, R-BAT-10, R-SLA-1)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from moderation.models import Batch, BatchStatus
from par.models import UnitSelection

from .factories import bulk_learner_units, make_batch, pdf

S = BatchStatus


@pytest.fixture
def moderator_client(client, world):
    client.force_login(world.moderator)
    return client


def test_queue_sorted_by_sla_due_with_overdue_flagged(moderator_client, world):
    late = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator, selections=[])
    soon = make_batch(world, S.RESUBMITTED, moderator=world.moderator, selections=[])
    Batch.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timezone.timedelta(days=1))
    free = make_batch(world, S.WITH_MODERATOR, selections=[])
    someone_elses = make_batch(
        world,
        S.WITH_MODERATOR,
        moderator=UserFactory(body_role=BodyRole.MODERATOR),
        selections=[],
    )
    response = moderator_client.get(reverse("moderation:queue"))
    assert [b.pk for b in response.context["assigned"]] == [late.pk, soon.pk]
    assert [b.pk for b in response.context["unassigned"]] == [free.pk]
    page = response.content.decode()
    assert "Overdue" in page
    assert f"Batch {someone_elses.pk}<" not in page


def test_take_then_review(moderator_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    response = moderator_client.post(reverse("moderation:take", args=[batch.pk]))
    assert response["Location"] == reverse("moderation:review", args=[batch.pk])
    page = moderator_client.get(response["Location"]).content.decode()
    assert "Download the whole batch (zip)" in page
    assert "Set outcome" in page
    assert world.learner.membership_number in page
    assert "data-slot-upload" not in page


def test_r_bat_8_outcome_with_comments_document(moderator_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    response = moderator_client.post(
        reverse("moderation:outcome", args=[batch.pk]),
        {"outcome": S.INSUFFICIENT_SAMPLE, "comments_file": pdf("comments.pdf")},
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == S.INSUFFICIENT_SAMPLE
    assert batch.documents.filter(kind="comments").exists()
    page = moderator_client.get(reverse("moderation:review", args=[batch.pk])).content.decode()
    assert "Set outcome" not in page  # decided: waiting for the centre


def test_r_bat_8_outcome_without_comments_refused_beside_the_form(moderator_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    response = moderator_client.post(
        reverse("moderation:outcome", args=[batch.pk]), {"outcome": S.COMPLETE}
    )
    assert response.status_code == 400
    assert "Add your comments" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR


def test_blank_outcome_form_made_once_is_crispys_and_a_refused_post_keeps_its_inputs(
    moderator_client, world
):
    """Issue 9: the blank outcome form is rendered once per process (crispy on every view
    cost ~2 ms); it must be what |crispy prints, and a refused POST must show what was
    typed, never the cached blank form."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from moderation.forms import OutcomeForm

    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    review = reverse("moderation:review", args=[batch.pk])
    blank = str(as_crispy_form(OutcomeForm()))
    assert blank in moderator_client.get(review).content.decode()
    refused = moderator_client.post(
        reverse("moderation:outcome", args=[batch.pk]),
        {"outcome": S.INSUFFICIENT_SAMPLE, "top_up": "P0000001 NOPE01 extra"},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert blank not in page
    assert "P0000001 NOPE01 extra</textarea>" in page
    radio = page.split(f'value="{S.INSUFFICIENT_SAMPLE}"')[1].split(">")[0]
    assert "checked" in radio  # the outcome chosen stays chosen
    assert blank in moderator_client.get(review).content.decode()


def test_r_bat_10_complete_from_the_review_page_passes_on_par(moderator_client, world):
    batch = make_batch(world, S.RESUBMITTED, moderator=world.moderator)
    moderator_client.post(
        reverse("moderation:outcome", args=[batch.pk]),
        {"outcome": S.COMPLETE, "comments": "All good."},
    )
    results = set(
        UnitSelection.objects.filter(batch_units__batch=batch).values_list("result", flat=True)
    )
    assert results == {"pass"}


def test_other_moderators_batch_404(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    client.force_login(UserFactory(body_role=BodyRole.MODERATOR))
    assert client.get(reverse("moderation:review", args=[batch.pk])).status_code == 404
    response = client.post(
        reverse("moderation:outcome", args=[batch.pk]), {"outcome": S.COMPLETE, "comments": "x"}
    )
    assert response.status_code == 404


def test_centre_staff_403(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    assert member_client.get(reverse("moderation:review", args=[batch.pk])).status_code == 403


def test_query_count_and_size_flat_at_20_and_1000_learner_units(
    moderator_client, world, django_assert_max_num_queries, settings
):
    """Issue 9: one page of slots, the same queries and at most 200 KB whatever the size."""
    measured = []
    for learners in (5, 250):
        selections = bulk_learner_units(world.centre, world.qualification, learners)
        batch = make_batch(
            world,
            S.WITH_MODERATOR,
            selections=selections,
            samples=learners,
            moderator=world.moderator,
        )
        # As the batch page (test_view_batch_detail): 1 for the session and user, 4 for it.
        with django_assert_max_num_queries(5) as queries:
            response = moderator_client.get(reverse("moderation:review", args=[batch.pk]))
        page = response.content.decode()
        assert page.count("data-slot ") == min(learners * 4, settings.HUB_PAGE_SIZE)
        assert f"<span data-slots-claimed>{learners * 4}</span> learner-units claimed" in page
        assert len(response.content) <= 200_000
        measured.append(len(queries))
    assert measured[0] == measured[1]
