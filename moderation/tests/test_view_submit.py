"""R-BAT-6: "Submit Batch" refused with the shortfall, then confirmed; "Resubmit"."""

from django.urls import reverse

from moderation.models import BatchStatus

from .factories import make_batch

S = BatchStatus


def url(batch):
    return reverse("moderation:batch-submit", args=[batch.pk])


def test_r_bat_6_shortfall_shown_and_no_confirm_button(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=2)
    page = member_client.get(url(batch)).content.decode()
    assert "2 more needed." in page
    assert "Submit Batch</button>" not in page
    response = member_client.post(url(batch))  # forged: the server refuses too
    assert response.status_code == 400
    assert "Upload learner work for 2 more learner-units" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING


def test_r_bat_6_confirmation_then_with_moderator(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    page = member_client.get(url(batch)).content.decode()
    assert "last point at which you can change anything" in page
    assert "Submit Batch</button>" in page
    response = member_client.post(url(batch))
    assert response["Location"] == reverse("moderation:batch-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR


def test_r_bat_7_second_click_gets_a_clear_message(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    member_client.post(url(batch))
    response = member_client.post(url(batch), follow=True)
    assert "is With Moderator" in response.content.decode()
    assert batch.history.filter(event="transition").count() == 1


def test_r_bat_8_resubmit(member_client, world):
    batch = make_batch(world, S.INSUFFICIENT_SAMPLE)
    member_client.post(reverse("moderation:batch-resubmit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.RESUBMITTED
    response = member_client.post(
        reverse("moderation:batch-resubmit", args=[batch.pk]), follow=True
    )
    assert "you cannot resubmit the batch now" in response.content.decode()


def test_submit_outsider_404(client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    client.force_login(world.outsider)
    assert client.post(url(batch)).status_code == 404
