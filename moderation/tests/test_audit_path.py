"""R-NEW-3: moderation records every change on the one audit path (centres.audit), the
admin's sample rates included: who, when, what, from, to and why."""

import pytest
from django.urls import reverse

from centres.models import AuditEvent
from moderation import services
from moderation.models import BatchStatus, CentreSampleRate

from .factories import make_batch

S = BatchStatus


def test_a_transition_writes_the_audit_row_and_the_batch_history_together(world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    services.batch_submit(actor=world.admin, batch=batch)
    event = AuditEvent.objects.get(action="batch.submit")
    assert (event.actor, event.centre, event.subject) == (
        world.admin,
        world.centre,
        f"Batch {batch.pk}",
    )
    assert (event.detail["before"], event.detail["after"]) == (
        S.CENTRE_COMPLETING,
        S.WITH_MODERATOR,
    )
    row = batch.history.get(event="transition")
    assert (row.actor, row.at, row.note) == (event.actor, event.at, event.detail["reason"])


def test_admin_sample_rate_goes_through_the_service_and_is_audited(client, world):
    client.force_login(world.staff)
    add = client.post(
        reverse("admin:moderation_centresamplerate_add"),
        {"centre": world.centre.pk, "percent": 40, "note": "Action plan."},
    )
    assert add.status_code == 302
    rate = CentreSampleRate.objects.get()
    change = client.post(
        reverse("admin:moderation_centresamplerate_change", args=[rate.pk]),
        {"percent": 25, "note": "Action plan met."},
    )
    assert change.status_code == 302, change.content.decode()[:2000]
    rate.refresh_from_db()
    assert (rate.centre, rate.percent, rate.set_by) == (world.centre, 25, world.staff)
    events = AuditEvent.objects.filter(action="batch.sample_rate_set").order_by("at", "pk")
    assert [(e.actor, e.centre, e.detail) for e in events] == [
        (world.staff, world.centre, {"before": None, "after": 40, "reason": "Action plan."}),
        (world.staff, world.centre, {"before": 40, "after": 25, "reason": "Action plan met."}),
    ]
    client.post(
        reverse("admin:moderation_centresamplerate_delete", args=[rate.pk]), {"post": "yes"}
    )
    assert not CentreSampleRate.objects.exists()
    assert AuditEvent.objects.get(action="batch.sample_rate_remove").detail["before"] == 25


def test_sample_rate_service_refuses_non_staff(world):
    with pytest.raises(services.BatchPermissionError):
        services.centre_sample_rate_set(
            actor=world.director, centre=world.centre, percent=10, note="Ours."
        )
    assert not CentreSampleRate.objects.exists()
