"""R-BAT-9: delete before submission; afterwards, request deletion."""

from django.urls import reverse

from moderation.models import BatchStatus

from .factories import make_batch

S = BatchStatus


def test_r_bat_9_delete_in_centre_completing(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    url = reverse("moderation:batch-delete", args=[batch.pk])
    assert "Delete Batch" in member_client.get(url).content.decode()
    assert member_client.post(url)["Location"] == reverse("moderation:index")
    batch.refresh_from_db()
    assert batch.deleted_at is not None
    assert member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).status_code == 404


def test_r_bat_9_delete_refused_once_submitted(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    url = reverse("moderation:batch-delete", args=[batch.pk])
    assert member_client.get(url).status_code == 302
    response = member_client.post(url, follow=True)
    assert "ask the awarding body instead" in response.content.decode()
    batch.refresh_from_db()
    assert batch.deleted_at is None


def test_r_bat_9_request_deletion_shows_the_target(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    url = reverse("moderation:batch-request-deletion", args=[batch.pk])
    response = member_client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter why this batch should be deleted" in response.content.decode()
    response = member_client.post(url, {"reason": "Wrong learners."}, follow=True)
    batch.refresh_from_db()
    page = response.content.decode()
    assert f"{batch.deletion_target_date:%-d %b %Y}" in page
    assert "stay locked" in page
    assert batch.deletion_reason == "Wrong learners."
