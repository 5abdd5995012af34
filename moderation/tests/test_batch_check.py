"""R-NEW-2, R-NEW-6: "Check your answers" before "Submit Batch", and the reconciliation that
blocks it, in the page and in the service."""

import pytest
from django.urls import reverse

from centres.models import EntryType, Registration
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from moderation import services
from moderation.models import BatchDocument, BatchStatus, BatchUnit, HistoryEvent
from par.models import UnitSelection

from .factories import bulk_learner_units, make_batch

S = BatchStatus


def url(batch):
    return reverse("moderation:batch-submit", args=[batch.pk])


def remove_url(batch, unit):
    return reverse("moderation:batch-unit-remove", args=[batch.pk, unit.pk])


def registration(world):
    return Registration.objects.get(learner=world.learner, qualification=world.qualification)


def first_unit(batch):
    return batch.units.order_by("order_unit_code").first()


def test_r_new_6_every_line_with_a_change_link_to_its_slot(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    page = member_client.get(url(batch)).content.decode()
    assert "Check your answers before you submit batch" in page
    detail = reverse("moderation:batch-detail", args=[batch.pk])
    for unit in batch.units.select_related("selection__unit"):
        assert f'href="{detail}#slot-{unit.pk}"' in page
        assert f'href="{remove_url(batch, unit)}"' in page
        assert f"{world.learner.membership_number} {unit.selection.unit.code}" in page
        assert f"In the sample: work-{unit.pk}.pdf" in page
    assert "Learner-units on the batch (4)" in page
    assert "4 for 1 learner" in page
    assert "iv_feedback.pdf" in page and "brief.pdf" in page
    assert f'href="{reverse("moderation:batch-documents", args=[batch.pk])}"' in page
    assert "to fix before you can submit" not in page
    assert "Submit Batch</button>" in page


def test_r_new_2_learner_no_longer_current_blocks_with_what_to_do(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    Registration.objects.filter(pk=registration(world).pk).update(is_current=False)
    page = member_client.get(url(batch)).content.decode()
    assert "4 learner-units to fix before you can submit" in page
    assert "The learner is no longer current on this qualification." in page
    assert "ask your Customer Data Administrator" in page
    unit = first_unit(batch)
    code = unit.selection.unit.code
    assert f"Remove {world.learner.membership_number} {code} from the batch</a>" in page
    assert "Submit Batch</button>" not in page
    assert "The batch cannot be submitted yet" in page
    # A POST without the page is refused by the service, with the same reason.
    response = member_client.post(url(batch))
    assert response.status_code == 400
    assert "no longer current" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING


@pytest.mark.parametrize("mismatch", ["not_current", "not_entered", "passed", "claimed"])
def test_r_new_2_service_refuses_each_mismatch(world, mismatch):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    unit = first_unit(batch)
    selection = unit.selection
    reg = registration(world)
    if mismatch == "not_current":
        Registration.objects.filter(pk=reg.pk).update(is_current=False)
    elif mismatch == "not_entered":
        Registration.objects.filter(pk=reg.pk).update(entry_type=EntryType.UNIT)
        reg.entered_units.set(world.qualification.units.exclude(pk=selection.unit_id))
    elif mismatch == "passed":
        UnitSelection.objects.filter(pk=selection.pk).update(result="pass")
    else:
        claim = ClaimFactory(centre=world.centre, qualification=world.qualification)
        ClaimLineFactory(claim=claim, registration=reg, unit=selection.unit)
    with pytest.raises(services.NotReconciled) as refused:
        services.batch_submit(actor=world.admin, batch=batch)
    counts = {m.key: n for m, n in refused.value.reconciliation.counts}
    assert counts == {mismatch: 1 if mismatch != "not_current" else 4}
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING


def test_r_new_2_fixed_by_removing_then_submitted(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    unit = first_unit(batch)
    UnitSelection.objects.filter(pk=unit.selection_id).update(result="pass")
    page = member_client.get(remove_url(batch, unit)).content.decode()
    assert "already passed" in page and "Remove from batch</button>" in page
    response = member_client.post(remove_url(batch, unit))
    assert response["Location"] == url(batch)
    unit.refresh_from_db()
    assert unit.released_at is not None
    # R-NEW-4: the work is kept as an earlier version; the history says what happened.
    kept = BatchDocument.objects.get(batch_unit=unit)
    assert kept.superseded_at is not None
    entry = batch.history.get(event=HistoryEvent.UNIT_REMOVED)
    assert entry.actor == world.admin and kept.original_name in entry.note
    page = member_client.get(url(batch)).content.decode()
    assert "Learner-units on the batch (3)" in page
    assert f"#slot-{unit.pk}" not in page
    assert "Submit Batch</button>" in page
    member_client.post(url(batch))
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR
    assert batch.sample_required == 3


def test_removed_unit_leaves_the_slots_and_the_sample(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    unit = batch.units.order_by("pk").first()  # the one with work
    services.batch_remove_unit(actor=world.admin, batch=batch, batch_unit=unit)
    rule = batch.sample_rule()
    assert (rule.claimed, rule.uploaded) == (3, 0)
    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert f'id="slot-{unit.pk}"' not in page
    # Free again for another batch (R-BAT-4).
    assert not BatchUnit.objects.filter(selection=unit.selection, released_at__isnull=True)


def test_the_last_unit_cannot_be_removed(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, selections=None)
    units = list(batch.units.order_by("pk"))
    for unit in units[:-1]:
        services.batch_remove_unit(actor=world.admin, batch=batch, batch_unit=unit)
    response = member_client.post(remove_url(batch, units[-1]))
    assert response.status_code == 400
    assert "delete the batch instead" in response.content.decode()
    units[-1].refresh_from_db()
    assert units[-1].released_at is None


def test_units_are_fixed_once_submitted(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    unit = first_unit(batch)
    response = member_client.get(remove_url(batch, unit))
    assert response["Location"] == reverse("moderation:batch-detail", args=[batch.pk])
    with pytest.raises(services.BatchStateError):
        services.batch_remove_unit(actor=world.admin, batch=batch, batch_unit=unit)
    response = member_client.post(remove_url(batch, unit), follow=True)
    assert "you cannot take learner-units off the batch now" in response.content.decode()
    unit.refresh_from_db()
    assert unit.released_at is None


def test_remove_outsider_404_and_no_grant_403(client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = first_unit(batch)
    client.force_login(world.outsider)
    assert client.get(remove_url(batch, unit)).status_code == 404
    assert client.post(remove_url(batch, unit)).status_code == 404
    client.force_login(world.tutor)
    assert client.get(remove_url(batch, unit)).status_code == 403
    unit.refresh_from_db()
    assert unit.released_at is None


def test_check_page_queries_flat_at_2_and_500_learners(
    member_client, world, django_assert_max_num_queries, settings
):
    """A 2,000-learner-unit batch costs the queries and the page size of an 8-unit one."""
    measured = []
    for learners in (2, 500):
        selections = bulk_learner_units(world.centre, world.qualification, learners)
        batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=learners)
        # Some lines on every size fail: half the learners are no longer current.
        Registration.objects.filter(
            pk__in=[s.registration_id for s in selections[: learners * 2 : 4]]
        ).update(is_current=False)
        with django_assert_max_num_queries(20) as queries:
            response = member_client.get(url(batch))
        page = response.content.decode()
        assert page.count("data-line=") == min(learners * 4, settings.HUB_PAGE_SIZE)
        assert f"Learner-units on the batch ({learners * 4})" in page
        assert len(response.content) <= 200_000
        measured.append(len(queries))
        with django_assert_max_num_queries(30) as refused:
            assert member_client.post(url(batch)).status_code == 400
        measured.append(len(refused))
    assert measured[0] == measured[2] and measured[1] == measured[3]


def test_remove_page_queries_flat_at_8_and_400_learner_units(
    member_client, world, django_assert_max_num_queries
):
    measured = []
    for learners in (2, 100):
        selections = bulk_learner_units(world.centre, world.qualification, learners)
        batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=learners)
        unit = batch.units.order_by("-pk").first()
        with django_assert_max_num_queries(15) as queries:
            page = member_client.get(remove_url(batch, unit)).content.decode()
        assert "Remove from batch</button>" in page
        measured.append(len(queries))
    assert measured[0] == measured[1]
