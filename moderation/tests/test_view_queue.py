"""Issue 9: the moderator's queue is paged by SLA due date, bounded whatever the backlog."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.models import Batch, BatchStatus

from .factories import make_batch

S = BatchStatus
URL = reverse("moderation:queue")


@pytest.fixture
def moderator_client(client, world):
    client.force_login(world.moderator)
    return client


def waiting(world, count: int, *, moderator=None) -> list[Batch]:
    """``count`` batches With Moderator, each due a day after the one before."""
    batches = [
        make_batch(world, S.WITH_MODERATOR, selections=[], moderator=moderator)
        for _ in range(count)
    ]
    start = timezone.now() + timezone.timedelta(days=1)
    for i, batch in enumerate(reversed(batches)):  # created last, due first
        Batch.objects.filter(pk=batch.pk).update(sla_due_at=start + timezone.timedelta(days=i))
    return list(reversed(batches))


def take_buttons(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'aria-label="Take batch (\d+)"', page)]


def test_waiting_batches_paged_by_sla_due_date_with_page_numbers(moderator_client, world, settings):
    settings.HUB_PAGE_SIZE = 2
    by_due = [b.pk for b in waiting(world, 5)]
    first = moderator_client.get(URL).content.decode()
    assert take_buttons(first) == by_due[:2]
    assert 'aria-label="Page 3"' in first and "Next</a>" in first
    last = moderator_client.get(URL, {"page": 3}).content.decode()
    assert take_buttons(last) == by_due[4:]
    assert 'aria-current="page"><span class="page-link">3</span>' in last


def test_assigned_batches_paged_apart_from_the_waiting_ones(moderator_client, world, settings):
    settings.HUB_PAGE_SIZE = 2
    mine = [b.pk for b in waiting(world, 3, moderator=world.moderator)]
    free = [b.pk for b in waiting(world, 1)]
    response = moderator_client.get(URL, {"assigned_page": 2})
    assert [b.pk for b in response.context["assigned"]] == mine[2:]
    assert take_buttons(response.content.decode()) == free


def test_query_count_and_size_flat_at_6_and_120_waiting_batches(
    moderator_client, world, django_assert_max_num_queries
):
    measured = []
    for count in (3, 60):
        waiting(world, count)
        waiting(world, count, moderator=world.moderator)
        with django_assert_max_num_queries(15) as queries:
            response = moderator_client.get(URL)
        assert len(response.content) <= 200_000
        measured.append(len(queries))
    assert measured[0] == measured[1]


def test_page_numbers_count_only_live_waiting_batches_of_each_list(
    moderator_client, world, settings
):
    settings.HUB_PAGE_SIZE = 2
    mine = waiting(world, 3, moderator=world.moderator)
    free = waiting(world, 5)
    waiting(world, 4, moderator=world.assessor)  # assigned to someone else: in neither list
    make_batch(world, S.CENTRE_COMPLETING, selections=[])  # not waiting
    Batch.objects.filter(pk=free[-1].pk).update(deleted_at=timezone.now())  # deleted
    response = moderator_client.get(URL)
    assigned, unassigned = response.context["assigned"], response.context["unassigned"]
    assert assigned.paginator.count == 3 and assigned.paginator.num_pages == 2
    assert unassigned.paginator.count == 4 and unassigned.paginator.num_pages == 2
    last = moderator_client.get(URL, {"page": 2}).content.decode()
    assert take_buttons(last) == [b.pk for b in free[2:4]]
    assert [b.pk for b in moderator_client.get(URL, {"assigned_page": 2}).context["assigned"]] == [
        mine[2].pk
    ]


def test_recently_decided_lists_the_moderators_outcomes_latest_first(moderator_client, world):
    """Batches of the moderator with an outcome (any status but the two awaiting one), the
    latest first; awaiting ones, another moderator's and deleted ones are not listed."""
    now = timezone.now()
    decided = []
    for days, status in enumerate([S.COMPLETE, S.RETURNED, S.INSUFFICIENT_SAMPLE]):
        batch = make_batch(world, status, selections=[], moderator=world.moderator)
        Batch.objects.filter(pk=batch.pk).update(outcome_at=now - timezone.timedelta(days=days))
        decided.append(batch.pk)
    waiting(world, 2, moderator=world.moderator)  # awaiting: in "Assigned to you" only
    other = make_batch(world, S.COMPLETE, selections=[], moderator=world.assessor)
    gone = make_batch(world, S.COMPLETE, selections=[], moderator=world.moderator)
    Batch.objects.filter(pk=gone.pk).update(deleted_at=now)
    page = moderator_client.get(URL).content.decode()
    section = page.split('id="decided-heading"', 1)[1]
    listed = [int(pk) for pk in re.findall(r">Batch (\d+)</a>", section)]
    assert listed == decided
    assert other.pk not in listed and gone.pk not in listed
