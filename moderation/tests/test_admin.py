"""R-BAT-9 in Django admin: the deletion action, the target date, moderator assignment."""

from django.urls import reverse
from django.utils.formats import date_format

from moderation.models import Batch, BatchStatus, CentreSampleRate

from .factories import make_batch

S = BatchStatus


def test_changelist_shows_requested_deletions_with_target(client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    Batch.objects.filter(pk=batch.pk).update(
        deletion_requested_at=batch.submitted_at, deletion_reason="Duplicate."
    )
    client.force_login(world.staff)
    response = client.get(reverse("admin:moderation_batch_changelist"), {"deletion": "requested"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    batch.refresh_from_db()
    assert date_format(batch.deletion_target_date) in response.content.decode()


def test_r_bat_9_admin_action_carries_out_the_deletion(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, samples=1)
    client.force_login(world.staff)
    response = client.post(
        reverse("admin:moderation_batch_changelist"),
        {"action": "carry_out_deletion", "_selected_action": [batch.pk]},
        follow=True,
    )
    assert "1 batch(es) deleted." in response.content.decode()
    batch.refresh_from_db()
    assert batch.deleted_at is not None
    assert not batch.units.filter(released_at__isnull=True).exists()


def test_admin_assigns_a_moderator_through_the_service(client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    client.force_login(world.staff)
    url = reverse("admin:moderation_batch_change", args=[batch.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"moderator": world.moderator.pk, **_inline_management()})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch.refresh_from_db()
    assert batch.moderator == world.moderator
    assert batch.history.filter(event="assigned", actor=world.staff).exists()


def test_r_bat_6_admin_sets_a_centre_rate(client, world):
    client.force_login(world.staff)
    response = client.post(
        reverse("admin:moderation_centresamplerate_add"),
        {"centre": world.centre.pk, "percent": 40, "note": "Action plan."},
    )
    assert response.status_code == 302
    rate = CentreSampleRate.objects.get()
    assert (rate.percent, rate.set_by) == (40, world.staff)


def _inline_management():
    data = {}
    for prefix in ("documents", "history"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data
