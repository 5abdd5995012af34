"""The centre's batch list: open batches and "Completed Batches" (R-BAT-10)."""

from django.urls import reverse

from moderation import services
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch, pdf

S = BatchStatus
URL = reverse("moderation:index")


def test_r_bat_10_complete_batches_listed_under_completed(member_client, world):
    open_batch = make_batch(world, S.WITH_MODERATOR, selections=[])
    done = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator,
        batch=done,
        outcome=S.COMPLETE,
        comments="Good.",
        comments_file=pdf("comments.pdf"),
    )
    page = member_client.get(URL).content.decode()
    assert f"Batch {open_batch.pk}</a>" in page and f"Batch {done.pk}</a>" not in page
    assert "With Moderator" in page
    completed = member_client.get(URL, {"tab": "completed"}).content.decode()
    assert f"Batch {done.pk}</a>" in completed and f"Batch {open_batch.pk}</a>" not in completed
    comments = done.documents.get(kind="comments")
    assert reverse("moderation:document-download", args=[done.pk, comments.pk]) in completed


def test_list_shows_sla_due_date(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    page = member_client.get(URL).content.decode()
    assert f"{batch.sla_due_at:%-d %b %Y}" in page


def test_other_centres_and_deleted_batches_not_listed(member_client, world):
    theirs = make_batch(world, S.WITH_MODERATOR, centre=world.other_centre, selections=[])
    deleted = make_batch(world, S.CENTRE_COMPLETING)
    services.batch_delete(actor=world.admin, batch=deleted)
    page = member_client.get(URL).content.decode()
    assert f"Batch {theirs.pk}<" not in page and f"Batch {deleted.pk}<" not in page


def test_query_count_flat(member_client, world, django_assert_max_num_queries):
    for _ in range(3):
        make_batch(world, S.WITH_MODERATOR, selections=[])
    with django_assert_max_num_queries(12) as few:
        member_client.get(URL)
    for _ in range(30):
        make_batch(world, S.WITH_MODERATOR, selections=[])
    with django_assert_max_num_queries(len(few)):
        member_client.get(URL)


def test_tutor_without_grant_403(client, world):
    client.force_login(world.tutor)
    assert client.get(URL).status_code == 403


def test_post_405(member_client):
    assert member_client.post(URL).status_code == 405
