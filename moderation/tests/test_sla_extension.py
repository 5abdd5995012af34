"""R-SLA-1, R-NEW-3: an awarding-body admin moves a batch's SLA due date with a reason,
in Django admin, through ``batch_extend_sla``; both sides see the new date and the reason."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from centres.models import AuditEvent
from moderation import services
from moderation.models import BatchStatus, HistoryEvent
from notices.models import Notice

from .factories import make_batch
from .test_admin import _inline_management

S = BatchStatus


def later(days: int = 35) -> datetime:
    return (timezone.localtime() + timedelta(days=days)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )


def test_r_sla_1_extension_keeps_the_date_the_reason_and_the_history(world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    due = later()
    services.batch_extend_sla(
        actor=world.staff, batch=batch, due=due, reason="Moderator on sick leave."
    )
    batch.refresh_from_db()
    assert batch.sla_due_at == due
    assert batch.sla_extension_reason == "Moderator on sick leave."
    assert batch.sla_extended_at is not None
    entry = batch.history.get(event=HistoryEvent.SLA_EXTENDED)
    assert entry.actor == world.staff
    assert "Moderator on sick leave." in entry.note and due.strftime("%d/%m/%Y") in entry.note
    assert AuditEvent.objects.filter(action="batch.sla_extend", actor=world.staff).exists()
    # Both sides are told: the centre (its creator, its address) and the moderator.
    told = {n.recipient for n in Notice.objects.filter(kind="batch.sla_extended")}
    assert told == {world.admin, None, world.moderator}


def test_r_sla_1_extension_needs_a_reason_staff_and_a_running_clock(world):
    batch = make_batch(world, S.WITH_MODERATOR)
    with pytest.raises(ValidationError):
        services.batch_extend_sla(actor=world.staff, batch=batch, due=later(), reason=" ")
    with pytest.raises(services.BatchPermissionError):
        services.batch_extend_sla(actor=world.moderator, batch=batch, due=later(), reason="x")
    returned = make_batch(world, S.RETURNED, selections=[])
    with pytest.raises(services.BatchStateError):
        services.batch_extend_sla(actor=world.staff, batch=returned, due=later(), reason="x")
    batch.refresh_from_db()
    assert batch.sla_extended_at is None
    assert not batch.history.filter(event=HistoryEvent.SLA_EXTENDED).exists()


def test_r_sla_1_resubmission_restarts_the_clock_and_clears_the_extension(world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_extend_sla(actor=world.staff, batch=batch, due=later(), reason="Backlog.")
    services.batch_set_outcome(
        actor=world.moderator, batch=batch, outcome=S.RETURNED, comments="Redo."
    )
    services.batch_resubmit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert (batch.sla_extended_at, batch.sla_extension_reason) == (None, "")


def _admin_post(batch, **fields):
    due = fields.pop("due", None)
    data = {"moderator": batch.moderator_id or "", **_inline_management(), **fields}
    if due is not None:
        data |= {"sla_due_at_0": due.strftime("%Y-%m-%d"), "sla_due_at_1": due.strftime("%H:%M")}
    return data


def test_admin_changes_the_due_date_with_a_reason(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    client.force_login(world.staff)
    url = reverse("admin:moderation_batch_change", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "Reason for changing the SLA due date" in page

    due = later()
    refused = client.post(url, _admin_post(batch, due=due))
    assert refused.status_code == 200
    assert "Say why the SLA due date changes." in refused.content.decode()
    batch.refresh_from_db()
    assert batch.sla_extended_at is None

    done = client.post(url, _admin_post(batch, due=due, sla_reason="Centre's files were late."))
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.sla_due_at == due
    assert batch.sla_extension_reason == "Centre's files were late."
    assert batch.history.filter(event=HistoryEvent.SLA_EXTENDED, actor=world.staff).exists()


def test_admin_saving_the_unchanged_date_changes_nothing(client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    client.force_login(world.staff)
    url = reverse("admin:moderation_batch_change", args=[batch.pk])
    # The form shows minutes: the stored seconds are not a change.
    response = client.post(url, _admin_post(batch, due=timezone.localtime(batch.sla_due_at)))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.sla_extended_at is None


def test_admin_cannot_change_the_due_date_of_a_batch_with_an_outcome(client, world):
    batch = make_batch(world, S.RETURNED)
    client.force_login(world.staff)
    page = client.get(reverse("admin:moderation_batch_change", args=[batch.pk])).content.decode()
    assert 'name="sla_due_at_0"' not in page
    assert "Reason for changing the SLA due date" not in page


def test_both_sides_see_the_new_date_and_the_reason(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    due = later()
    services.batch_extend_sla(actor=world.staff, batch=batch, due=due, reason="Bank holiday.")
    shown = due.strftime("%-d %b %Y")
    client.force_login(world.admin)
    centre = client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    client.force_login(world.moderator)
    review = client.get(reverse("moderation:review", args=[batch.pk])).content.decode()
    for page in (centre, review):
        assert "The awarding body moved the due date to" in page
        assert shown in page and "Reason: Bank holiday." in page


def test_r_sla_1_alerts_follow_the_new_due_date(world, mailoutbox):
    from moderation.alerts import sla_sweep
    from moderation.models import Batch

    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    started = timezone.now() - timedelta(days=30)
    Batch.objects.filter(pk=batch.pk).update(
        sla_started_at=started, sla_due_at=started + timedelta(days=28)
    )
    assert sla_sweep() == 1  # overdue
    due = later(days=10)
    services.batch_extend_sla(actor=world.staff, batch=batch, due=due, reason="Agreed delay.")
    assert sla_sweep() == 0  # no longer due within the warning days
    # Overdue again against the new date: a new crossing, alerted once.
    assert sla_sweep(now=due + timedelta(hours=1)) == 1
    assert sla_sweep(now=due + timedelta(hours=2)) == 0
