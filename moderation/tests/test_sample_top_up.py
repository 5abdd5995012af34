"""R-SMP-3: with "Insufficient sample" the moderator names learner-units to add (top-up);
they are marked for the centre, and Resubmit is refused until each has a file."""

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import BatchHistory, BatchStatus, BatchUnit, HistoryEvent

from .factories import bulk_learner_units, make_batch, pdf

S = BatchStatus


@pytest.fixture
def moderator_client(client, world):
    client.force_login(world.moderator)
    return client


def outcome(client, batch, **data):
    return client.post(reverse("moderation:outcome", args=[batch.pk]), data)


def units_of(batch):
    """The batch's learner-units as (unit, "P number unit code"), in unit-code order."""
    return [
        (u, f"{u.selection.registration.learner.membership_number} {u.selection.unit.code}")
        for u in batch.units.select_related(
            "selection__registration__learner", "selection__unit"
        ).order_by("selection__unit__code")
    ]


def test_r_smp_3_top_up_marked_for_the_centre_resubmit_refused_until_filled(
    moderator_client, client, world, django_user_model
):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator, samples=1)
    units = units_of(batch)
    # Lower case and a duplicate are taken as meant.
    named = f"{units[2][1].lower()}\n\n{units[3][1]}\n{units[3][1]}\n"
    response = outcome(
        moderator_client,
        batch,
        outcome=S.INSUFFICIENT_SAMPLE,
        comments="Please add two more units.",
        top_up=named,
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == S.INSUFFICIENT_SAMPLE
    asked = {units[2][0].pk, units[3][0].pk}
    assert set(BatchUnit.objects.filter(top_up=True).values_list("pk", flat=True)) == asked
    entry = BatchHistory.objects.get(batch=batch, event=HistoryEvent.TOP_UP)
    assert entry.actor == world.moderator
    assert entry.note == f"Learner-units to add: {units[2][1]}, {units[3][1]}."

    client.force_login(world.admin)
    detail = reverse("moderation:batch-detail", args=[batch.pk])
    page = client.get(detail).content.decode()
    assert page.count("Top-up asked for</span>") == 2
    assert "2 still without a file. You can resubmit once each has a file." in page
    assert ">Resubmit</button>" not in page
    refused = client.post(reverse("moderation:batch-resubmit", args=[batch.pk]), follow=True)
    assert "Upload learner work for the 2 learner-units the moderator asked for" in (
        refused.content.decode()
    )
    batch.refresh_from_db()
    assert batch.status == S.INSUFFICIENT_SAMPLE

    services.batch_upload_sample(
        actor=world.admin, batch=batch, batch_unit=units[2][0], upload=pdf("a.pdf")
    )
    with pytest.raises(services.BatchError, match="the 1 learner-unit the moderator"):
        services.batch_resubmit(actor=world.admin, batch=batch)
    services.batch_upload_sample(
        actor=world.admin, batch=batch, batch_unit=units[3][0], upload=pdf("b.pdf")
    )
    page = client.get(detail).content.decode()
    assert 'data-testid="top-up-missing"' not in page and ">Resubmit</button>" in page
    client.post(reverse("moderation:batch-resubmit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.RESUBMITTED


@pytest.mark.parametrize(
    ("chosen", "top_up", "message"),
    [
        (S.COMPLETE, "{0}", "go with Insufficient sample only"),
        (S.INSUFFICIENT_SAMPLE, "{0}\nP9999999 ZZZ999", "Not on this batch: P9999999 ZZZ999."),
        (S.INSUFFICIENT_SAMPLE, "{0} extra", "Line 1 (“{0} extra”): write the P number"),
    ],
)
def test_r_smp_3_top_up_refused_in_words_nothing_changed(
    moderator_client, world, chosen, top_up, message
):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    first = units_of(batch)[0][1]
    response = outcome(
        moderator_client, batch, outcome=chosen, comments="Notes.", top_up=top_up.format(first)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page and message.format(first) in page
    assert first in page  # what the moderator typed is kept
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR
    assert not BatchUnit.objects.filter(top_up=True).exists()
    assert not batch.documents.filter(kind="comments").exists()


def test_r_smp_3_outcome_queries_flat_at_8_and_2000_learner_units(
    moderator_client, world, django_assert_max_num_queries
):
    measured = []
    for learners in (2, 500):
        selections = bulk_learner_units(world.centre, world.qualification, learners)
        batch = make_batch(
            world, S.WITH_MODERATOR, moderator=world.moderator, selections=selections
        )
        named = "\n".join(label for _, label in units_of(batch)[:3])
        with django_assert_max_num_queries(40) as queries:
            response = outcome(
                moderator_client,
                batch,
                outcome=S.INSUFFICIENT_SAMPLE,
                comments="More, please.",
                top_up=named,
            )
        assert response.status_code == 302
        assert BatchUnit.objects.filter(batch=batch, top_up=True).count() == 3
        measured.append(len(queries))
    assert measured[0] == measured[1]
