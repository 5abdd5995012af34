"""R-SLA-2: certificate dispatch alerts go once per crossing, however often beat sweeps."""

from datetime import date

from django.utils import timezone

from certificates.alerts import dispatch_sweep
from certificates.models import CertificateDispatch
from certificates.services import certificates_issue_for_batch
from hub.models import AlertKind, DeadlineAlert

from .factories import complete_batch


def test_r_sla_2_dispatch_at_risk_then_late_once_each(world, mailoutbox, settings):
    completed = timezone.make_aware(timezone.datetime(2026, 12, 18, 15, 0))
    batch = complete_batch(world, completed_at=completed)
    certificates_issue_for_batch(batch_id=batch.pk)
    due = CertificateDispatch.objects.get().due_on
    assert due == date(2027, 1, 6)
    at_risk_day = timezone.make_aware(timezone.datetime(2027, 1, 4, 9, 0))
    assert dispatch_sweep(now=at_risk_day) == 1
    assert dispatch_sweep(now=at_risk_day) == 0
    on_due_day = timezone.make_aware(timezone.datetime(2027, 1, 6, 9, 0))
    assert dispatch_sweep(now=on_due_day) == 0
    late = timezone.make_aware(timezone.datetime(2027, 1, 7, 9, 0))
    assert dispatch_sweep(now=late) == 1
    assert dispatch_sweep(now=late) == 0
    assert [m.to for m in mailoutbox] == [[settings.HUB_MODERATION_TEAM_EMAIL]] * 2
    assert [a.kind for a in DeadlineAlert.objects.order_by("pk")] == [
        AlertKind.DISPATCH_AT_RISK,
        AlertKind.DISPATCH_LATE,
    ]


def test_a_dispatched_batch_never_alerts(world, mailoutbox):
    completed = timezone.make_aware(timezone.datetime(2026, 12, 18, 15, 0))
    batch = complete_batch(world, completed_at=completed)
    certificates_issue_for_batch(batch_id=batch.pk)
    CertificateDispatch.objects.update(dispatched_at=timezone.now())
    late = timezone.make_aware(timezone.datetime(2027, 2, 1, 9, 0))
    assert dispatch_sweep(now=late) == 0
