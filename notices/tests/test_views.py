"""R-NTF-1: each user's notices in the hub (Home and "Your notices"), theirs only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.models import Notice

# The session with the user and their memberships (one statement), then the page and its
# count: the same at 5 notices and at 60 (one page of the list, ten on Home).
PINNED = {"notices:list": 3, "home": 3}


def notices_for(user, count: int, *, start: int = 0) -> list[Notice]:
    return Notice.objects.bulk_create(
        [
            Notice(
                recipient=user,
                email=user.email,
                kind="batch.outcome",
                subject=f"Batch {n}: Returned for editing",
                body=f"The moderator's comments for batch {n}.",
                link=f"/moderation/{n}/",
            )
            for n in range(start, start + count)
        ]
    )


def test_home_lists_the_latest_ten_with_the_unread_count(client, world):
    notices_for(world.admin, 12)
    notices_for(world.director, 1, start=900)
    client.force_login(world.admin)
    page = client.get(reverse("home")).content.decode()
    assert "Your notices" in page and "12 new" in page
    # The newest ten: batches 11 down to 2; nobody else's.
    assert "Batch 11: Returned for editing" in page and "Batch 2: Returned" in page
    assert "Batch 1: Returned" not in page and "Batch 900" not in page
    assert reverse("notices:list") in page


def test_home_without_notices_says_so(client, world):
    client.force_login(world.moderator)
    assert "No notices yet." in client.get(reverse("home")).content.decode()


def test_the_list_pages_every_notice_with_its_text(client, world, settings):
    settings.HUB_PAGE_SIZE = 5
    notices_for(world.admin, 7)
    notices_for(world.outsider, 1, start=500)
    client.force_login(world.admin)
    first = client.get(reverse("notices:list")).content.decode()
    assert "Batch 6: Returned" in first and "comments for batch 6." in first
    assert "Page 1 of 2" in first and "Batch 500" not in first
    second = client.get(reverse("notices:list"), {"page": 2}).content.decode()
    assert "Batch 0: Returned" in second and "Batch 6: Returned" not in second


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client, world):
    [notice] = notices_for(world.admin, 1, start=7)
    client.force_login(world.admin)
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/moderation/7/"
    notice.refresh_from_db()
    first_read = notice.read_at
    assert first_read is not None
    client.get(reverse("notices:open", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at == first_read
    assert "new" not in client.get(reverse("home")).content.decode().split("Your notices")[1][:80]


def test_another_users_notice_is_not_found(client, world):
    [notice] = notices_for(world.admin, 1)
    client.force_login(world.director)
    assert client.get(reverse("notices:open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("count", [5, 60])
def test_list_and_home_queries_do_not_grow(client, world, count):
    notices_for(world.admin, count)
    client.force_login(world.admin)
    client.get(reverse("home"))  # the session's first read
    counts = {}
    for name in ("notices:list", "home"):
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse(name))
        counts[name] = len(captured)
    assert counts == PINNED


def test_a_notice_about_another_of_the_users_centres_opens_there(client, world):
    """A member of two centres opens a notice about a batch of the one they are not working
    in: the hub switches centre (and says so) rather than answering 404."""
    from centres.models import Role
    from centres.tests.factories import MembershipFactory, UserFactory
    from moderation.models import BatchStatus
    from moderation.tests.factories import make_batch, selections_for

    user = UserFactory(email="twohats@example.test")
    MembershipFactory(user=user, centre=world.centre, role=Role.CENTRE_ADMINISTRATOR)
    MembershipFactory(
        user=user, centre=world.other_centre, role=Role.CENTRE_ADMINISTRATOR, can_moderation=True
    )
    user.current_centre = world.centre
    user.save(update_fields=["current_centre"])
    batch = make_batch(
        world,
        BatchStatus.COMPLETE,
        centre=world.other_centre,
        selections=selections_for(world.other_learner, world.qualification),
    )
    notice = Notice.objects.create(
        recipient=user,
        email=user.email,
        kind="batch.outcome",
        subject=f"Batch {batch.pk}: Complete",
        body="The batch is complete.",
        link=reverse("moderation:batch-detail", args=[batch.pk]),
    )
    client.force_login(user)
    response = client.get(reverse("notices:open", args=[notice.pk]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == notice.link
    page = response.content.decode()
    assert f"Batch {batch.pk}" in page
    assert f"You are now working in {world.other_centre.name}." in page
    user.refresh_from_db()
    assert user.current_centre == world.other_centre


def test_a_notice_about_a_centre_the_user_is_not_in_does_not_switch(client, world):
    from moderation.models import BatchStatus
    from moderation.tests.factories import make_batch, selections_for

    batch = make_batch(
        world,
        BatchStatus.COMPLETE,
        centre=world.other_centre,
        selections=selections_for(world.other_learner, world.qualification),
    )
    notice = Notice.objects.create(
        recipient=world.admin,
        email=world.admin.email,
        kind="batch.outcome",
        subject="Someone else's batch",
        body="-",
        link=reverse("moderation:batch-detail", args=[batch.pk]),
    )
    client.force_login(world.admin)
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302
    world.admin.refresh_from_db()
    assert world.admin.current_centre_id in (None, world.centre.pk)
    assert client.get(notice.link).status_code == 404  # still scoped (R-ACC-2)
