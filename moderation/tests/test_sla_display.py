"""R-SLA-1: the SLA due date and the days left show on both sides' lists."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from moderation.models import Batch, BatchStatus
from moderation.tests.factories import make_batch


@pytest.fixture(autouse=True)
def _midday_in_london():
    """Days left count calendar days in London: a due date "N days and an hour" away rolls
    into the next day after 23:00, so the clock stands still at midday."""
    with time_machine.travel(
        datetime(2025, 3, 12, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    ):
        yield


def set_due(batch, days: int):
    Batch.objects.filter(pk=batch.pk).update(
        sla_due_at=timezone.now() + timedelta(days=days, hours=1)
    )


@pytest.mark.parametrize(
    ("days", "text"), [(12, "(12 days left)"), (1, "(1 day left)"), (-4, "Overdue by 4 days")]
)
def test_centre_list_shows_days_left(member_client, world, days, text):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    set_due(batch, days)
    body = member_client.get(reverse("moderation:index")).content.decode()
    assert text in body


def test_moderator_queue_and_batch_page_show_days_left(client, world):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    set_due(batch, 20)
    client.force_login(world.moderator)
    assert "(20 days left)" in client.get(reverse("moderation:queue")).content.decode()
    client.force_login(world.admin)
    assert (
        "(20 days left)"
        in client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    )
