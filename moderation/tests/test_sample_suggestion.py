"""R-SMP-1: "Suggest a sample" on a batch in Centre Completing, and the slots to fill."""

import re

import pytest
from django.urls import reverse

from centres.audit import AuditEvent
from moderation import services
from moderation.models import BatchHistory, BatchStatus, BatchUnit, HistoryEvent
from moderation.sampling import Candidate, batch_sample_suggestion, suggest

from .factories import bulk_learner_units, make_batch

S = BatchStatus


def url(batch):
    return reverse("moderation:batch-sample", args=[batch.pk])


def suggested_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-suggested-unit="(\d+)"', page)]


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def sent(page: str, *, untick=(), **extra) -> dict:
    """What the browser sends from ``page`` with ``untick`` unticked among its boxes."""
    ticked = [pk for pk in suggested_ids(page) if pk in ticked_ids(page) and pk not in untick]
    return {
        "shown": hidden(page, "shown"),
        "unticked": hidden(page, "unticked"),
        "units": ticked,
        **extra,
    }


def ticked_ids(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'value="(\d+)" id="id_units_\d+" checked', page)}


def cand(pk, learner, unit, *, has_file=False):
    return Candidate(
        pk=pk,
        learner_id=learner,
        unit_id=unit,
        unit_code=f"U{unit}",
        unit_title="Unit",
        p_number=f"P{learner}",
        first_name="A",
        last_name=f"L{learner:03d}",
        has_file=has_file,
        to_fill=False,
    )


def grid(learners, units, files=()):
    """Candidates in slot order: learner by learner, unit by unit."""
    return [
        cand(n * units + u + 1, n, u, has_file=(n * units + u + 1) in files)
        for n in range(learners)
        for u in range(units)
    ]


# --- the rule -----------------------------------------------------------------------------
def test_r_smp_1_smallest_set_meeting_the_minimum_and_covering_every_unit():
    candidates = grid(40, 6)  # 240 learner-units, 15%: 36
    chosen = suggest(candidates, 36)
    assert len(chosen) == 36
    assert {c.unit_id for c in chosen} == set(range(6))
    # Work from as many learners as possible: 36 different learners, 6 of each unit.
    assert len({c.learner_id for c in chosen}) == 36
    assert sorted(sum(c.unit_id == u for c in chosen) for u in range(6)) == [6] * 6


def test_r_smp_1_more_units_than_the_minimum_one_of_each_unit():
    chosen = suggest(grid(2, 6), 2)  # 12 learner-units, minimum 2, 6 units
    assert len(chosen) == 6 and {c.unit_id for c in chosen} == set(range(6))
    # Spread over both learners, three units each.
    assert sorted(sum(c.learner_id == n for c in chosen) for n in (0, 1)) == [3, 3]


def test_r_smp_1_deterministic_and_prefers_work_already_uploaded():
    candidates = grid(20, 3, files={50, 51, 52, 59})
    first = [c.pk for c in suggest(candidates, 9)]
    assert first == [c.pk for c in suggest(candidates, 9)]
    assert {50, 51, 52, 59} <= set(first)
    # A 100% sample is every learner-unit.
    assert len(suggest(candidates, 60)) == 60


# --- the pages ----------------------------------------------------------------------------
@pytest.fixture
def batch(world):
    # Not the centre's first submission for the qualification: the standard 15% (18).
    make_batch(world, S.COMPLETE, selections=[])
    selections = bulk_learner_units(world.centre, world.qualification, 30)  # 120 units
    return make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=2)


def test_r_smp_1_page_explains_the_suggestion(member_client, batch):
    page = member_client.get(url(batch)).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Suggested: 18 of 120 learner-units" in text
    assert (
        "meets the minimum sample of 18 (15%, the standard minimum sample) and covers all 4 "
        "units claimed" in text
    )
    # The first learner's two files are both taken (work uploaded comes first): 17 learners.
    assert (
        "It takes work from 17 of the 30 learners, and 2 of the learner-units suggested "
        "already have a file" in text
    )
    assert "does not record a centre assessor or a mark" in text
    ids = suggested_ids(page)
    assert len(ids) == 18 and page.count(" checked>") == 18
    assert ids == [s.pk for s in batch_sample_suggestion(batch=batch).chosen]
    assert "None chosen" in page


def test_r_smp_1_accept_changed_then_cleared(member_client, world, batch):
    first = member_client.get(url(batch)).content.decode()
    ids = suggested_ids(first)
    kept = ids[:-3]  # the centre unticks three: it changes the suggestion
    response = member_client.post(url(batch), sent(first, untick=ids[-3:]))
    assert response.status_code == 302
    assert set(BatchUnit.objects.filter(to_fill=True).values_list("pk", flat=True)) == set(kept)
    entry = BatchHistory.objects.get(batch=batch, event=HistoryEvent.SAMPLE_PLANNED)
    assert entry.actor == world.admin
    assert entry.note == "15 slots to fill chosen (the suggested sample had 18)."
    assert AuditEvent.objects.filter(action="batch.sample_planned").count() == 1

    detail = member_client.get(reverse("moderation:batch-detail", args=[batch.pk]))
    page = detail.content.decode()
    assert "15 slots to fill</strong>" in page
    marked = {int(pk) for pk in re.findall(r'<li id="slot-(\d+)"[^>]*data-to-fill', page)}
    assert marked and marked <= set(kept)
    assert page.count("Slot to fill</span>") == len(marked)

    sample_page = member_client.get(url(batch)).content.decode()
    assert "15 chosen, 13 still without a file." in sample_page

    # Accepting again replaces the earlier choice.
    assert member_client.post(url(batch), sent(first, untick=ids[2:])).status_code == 302
    assert set(BatchUnit.objects.filter(to_fill=True).values_list("pk", flat=True)) == set(ids[:2])
    assert member_client.post(url(batch), {"clear": "1"}).status_code == 302
    assert not BatchUnit.objects.filter(to_fill=True).exists()
    assert BatchHistory.objects.filter(event=HistoryEvent.SAMPLE_PLANNED).count() == 3
    detail = member_client.get(reverse("moderation:batch-detail", args=[batch.pk]))
    assert "data-to-fill" not in detail.content.decode()


def test_r_smp_1_refused_nothing_ticked_or_a_unit_of_another_batch(member_client, world, batch):
    other = make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=bulk_learner_units(world.centre, world.qualification, 1),
    )
    stranger = other.units.first().pk
    response = member_client.post(url(batch), {"shown": str(stranger), "units": [stranger]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page and "no longer on this batch" in page
    page = member_client.get(url(batch)).content.decode()
    response = member_client.post(url(batch), sent(page, untick=suggested_ids(page)))
    assert (
        response.status_code == 400
        and "Tick at least one learner-unit" in response.content.decode()
    )
    assert not BatchUnit.objects.filter(to_fill=True).exists()
    assert not BatchHistory.objects.filter(event=HistoryEvent.SAMPLE_PLANNED).exists()


def test_r_smp_1_only_in_centre_completing(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    page = member_client.get(url(batch)).content.decode()
    assert "Accept the ticked" not in page and "can be suggested while the batch is" in page
    response = member_client.post(url(batch), {})  # accept the whole suggestion
    assert response.status_code == 400
    assert "you cannot choose the slots to fill now" in response.content.decode()
    assert not BatchUnit.objects.filter(to_fill=True).exists()


def test_r_smp_1_service_checks_the_actor(world, batch):
    unit = batch.units.first().pk
    for user in (world.outsider, world.tutor, world.moderator):
        with pytest.raises(services.BatchPermissionError):
            services.batch_plan_sample(actor=user, batch=batch, batch_unit_ids=[unit])
    assert not BatchUnit.objects.filter(to_fill=True).exists()
    assert services.batch_plan_sample(actor=world.quality, batch=batch, batch_unit_ids=[unit]) == 1


def test_r_smp_1_page_bounded_and_queries_flat_at_8_and_2000_learner_units(
    member_client, world, settings, django_assert_max_num_queries
):
    """Issue 9: at a first submission (100%) the suggestion is every learner-unit; the page
    shows one page of them, under 200 KB, and Accept sends one page of boxes, not 2,000."""
    measured = []
    for learners in (2, 500):
        selections = bulk_learner_units(world.centre, world.qualification, learners)
        batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=learners)
        with django_assert_max_num_queries(12) as shown:
            response = member_client.get(url(batch))
        page = response.content.decode()
        assert len(response.content) < 200_000
        # The first submission: 100%, every learner-unit, a page of them at a time.
        assert f"Suggested: {learners * 4} of {learners * 4} learner-units" in page
        assert len(suggested_ids(page)) == min(learners * 4, settings.HUB_PAGE_SIZE)
        measured.append(len(shown))
        with django_assert_max_num_queries(20) as accepted:
            assert member_client.post(url(batch), sent(page)).status_code == 302
        measured.append(len(accepted))
        with django_assert_max_num_queries(25) as detail:
            member_client.get(reverse("moderation:batch-detail", args=[batch.pk]))
        measured.append(len(detail))
        assert BatchUnit.objects.filter(batch=batch, to_fill=True).count() == learners * 4
    assert measured[:3] == measured[3:]


def test_r_smp_1_accept_with_rows_unticked_on_pages_seen_marks_the_rest(
    member_client, world, settings
):
    selections = bulk_learner_units(world.centre, world.qualification, 500)
    batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=500)
    every = [c.pk for c in batch_sample_suggestion(batch=batch).chosen]
    assert len(every) == 2000
    size = settings.HUB_PAGE_SIZE
    first = member_client.get(url(batch)).content.decode()
    # The same slot order as the batch page, a page at a time.
    assert suggested_ids(first) == every[:size]
    assert "2000 of 2000 ticked" in first
    page_one_out = every[1:4]

    # Page 2 by its button: what was unticked on page 1 travels with the form.
    response = member_client.post(url(batch), sent(first, untick=page_one_out, goto="2"))
    assert response.status_code == 200
    second = response.content.decode()
    assert suggested_ids(second) == every[size : 2 * size]
    assert "1997 of 2000 ticked</strong> (3 unticked)" in second
    assert "data-dirty" in second
    page_two_out = [every[size]]

    # Back to page 1: its unticked rows are still unticked.
    response = member_client.post(url(batch), sent(second, untick=page_two_out, goto="1"))
    back = response.content.decode()
    assert suggested_ids(back) == every[:size]
    assert ticked_ids(back) == set(every[:size]) - set(page_one_out)
    assert "1996 of 2000 ticked" in back

    response = member_client.post(url(batch), sent(back))
    assert response.status_code == 302
    marked = set(BatchUnit.objects.filter(batch=batch, to_fill=True).values_list("pk", flat=True))
    assert marked == set(every) - set(page_one_out) - set(page_two_out)
    entry = BatchHistory.objects.get(batch=batch, event=HistoryEvent.SAMPLE_PLANNED)
    assert entry.note == "1996 slots to fill chosen (the suggested sample had 2000)."

    # A key that is not in the suggestion is refused, and nothing changes.
    response = member_client.post(url(batch), {"shown": "0", "unticked": "x"})
    assert response.status_code == 400
    assert BatchUnit.objects.filter(batch=batch, to_fill=True).count() == 1996
