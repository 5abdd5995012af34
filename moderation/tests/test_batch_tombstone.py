"""R-BAT-9: a batch the awarding body deleted stays listed for the centre as deleted, with
when, by whom (the role, never the name) and why; its page shows that, not files."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation import services
from moderation.models import Batch, BatchStatus, HistoryEvent

from .factories import make_batch

S = BatchStatus
ROLE = "Awarding body administrator"
DELETED_TAB_QUERIES = 3


def deleted_batch(world, **kwargs):
    batch = make_batch(world, S.WITH_MODERATOR, samples=1, **kwargs)
    services.batch_request_deletion(actor=world.admin, batch=batch, reason="Wrong cohort.")
    services.batch_admin_delete(actor=world.staff, batch=batch)
    batch.refresh_from_db()
    return batch


def test_r_bat_9_the_tombstone_keeps_role_and_reason(world):
    batch = deleted_batch(world)
    assert batch.deleted_by_role == ROLE
    # No reason given by the admin: the centre's own request's reason is kept.
    assert batch.deleted_reason == "At the centre's request: Wrong cohort."
    assert "Wrong cohort." in batch.history.get(event=HistoryEvent.DELETED).note
    assert Batch.objects.live().filter(pk=batch.pk).count() == 0


def test_r_bat_9_the_admins_reason_wins(world):
    batch = make_batch(world, S.RETURNED)
    services.batch_admin_delete(actor=world.staff, batch=batch, reason="Submitted twice.")
    batch.refresh_from_db()
    assert batch.deleted_reason == "Submitted twice."


def test_r_bat_9_admin_action_takes_a_reason(client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    client.force_login(world.staff)
    response = client.post(
        reverse("admin:moderation_batch_changelist"),
        {
            "action": "carry_out_deletion",
            "_selected_action": [batch.pk],
            "reason": "Learners withdrawn.",
        },
        follow=True,
    )
    assert "1 batch(es) deleted." in response.content.decode()
    batch.refresh_from_db()
    assert batch.deleted_reason == "Learners withdrawn."


def test_r_bat_9_centre_sees_it_under_deleted_batches(member_client, world):
    batch = deleted_batch(world)
    open_tab = member_client.get(reverse("moderation:index")).content.decode()
    assert f"Batch {batch.pk}<" not in open_tab
    page = member_client.get(reverse("moderation:index"), {"tab": "deleted"}).content.decode()
    assert "Deleted Batches" in page
    assert f"Batch {batch.pk}" in page
    assert ROLE in page
    assert "centre&#x27;s request: Wrong cohort." in page
    assert world.staff.email not in page and world.staff.get_full_name() not in page


def test_r_bat_9_the_batch_page_shows_the_tombstone_not_files(member_client, world):
    batch = deleted_batch(world)
    response = member_client.get(reverse("moderation:batch-detail", args=[batch.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="batch-tombstone"' in page
    assert "deleted by the awarding body" in page and ROLE in page
    assert "Wrong cohort." in page
    assert "work-" not in page  # no learner-work file names
    files = reverse("moderation:document-download", args=[batch.pk, 0]).rsplit("0/", 1)[0]
    assert files not in page  # no download links


def test_r_bat_9_another_centres_tombstone_is_not_found(client, world):
    batch = deleted_batch(world)
    client.force_login(world.outsider)
    assert client.get(reverse("moderation:batch-detail", args=[batch.pk])).status_code == 404
    page = client.get(reverse("moderation:index"), {"tab": "deleted"}).content.decode()
    assert f"Batch {batch.pk}" not in page


def test_r_bat_9_a_draft_the_centre_deleted_itself_is_not_listed(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    services.batch_delete(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.deleted_by_role == "Centre Administrator"
    page = member_client.get(reverse("moderation:index"), {"tab": "deleted"}).content.decode()
    assert f"Batch {batch.pk}" not in page
    detail = reverse("moderation:batch-detail", args=[batch.pk])
    assert member_client.get(detail).status_code == 404


def test_r_bat_9_purging_a_batch_the_centre_deleted_keeps_the_centre_as_deleter(world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    services.batch_delete(actor=world.admin, batch=batch)
    services.batch_admin_delete(actor=world.staff, batch=batch)
    batch.refresh_from_db()
    assert batch.deleted_by_role == "Centre Administrator"
    assert batch.deleted_by == world.admin and batch.files_purged_at is not None


@pytest.mark.parametrize("deleted", [2, 12])
def test_deleted_tab_queries_do_not_grow(member_client, world, deleted):
    for _ in range(deleted):
        batch = make_batch(world, S.RETURNED, selections=[])
        services.batch_admin_delete(actor=world.staff, batch=batch, reason="Duplicate.")
    url = reverse("moderation:index")
    member_client.get(url, {"tab": "deleted"})  # the session's first read
    with CaptureQueriesContext(connection) as captured:
        page = member_client.get(url, {"tab": "deleted"}).content.decode()
    assert page.count("Duplicate.") == deleted
    # Session with the user, memberships and centres (one statement); the page of batches, its count.
    assert len(captured) == DELETED_TAB_QUERIES
