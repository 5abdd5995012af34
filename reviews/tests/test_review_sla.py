"""R-REV-2: a review runs on an SLA clock from Requested (HUB_REVIEW_SLA_WEEKS); overdue and
due-soon reviews alert the reviewer and the moderation team once per crossing, through the
same DeadlineAlert mechanism and beat sweep as moderation (R-SLA-1); a decision stops it."""

from datetime import timedelta

from django.conf import settings as django_settings
from django.utils import timezone

from hub.models import AlertKind, DeadlineAlert
from moderation.alerts import sla_sweep
from notices.models import Notice
from reviews import services, tasks
from reviews.alerts import review_sla_sweep
from reviews.models import Review, ReviewStatus

from .factories import make_review, make_reviewer


def _late(review, *, days=1):
    Review.objects.filter(pk=review.pk).update(sla_due_at=timezone.now() - timedelta(days=days))
    review.refresh_from_db()
    return review


def test_r_rev_2_the_clock_is_a_setting(world, settings):
    settings.HUB_REVIEW_SLA_WEEKS = 6
    review = make_review(world)
    assert review.sla_due_at == review.requested_at + timedelta(weeks=6)


def test_r_rev_2_an_overdue_review_alerts_reviewer_and_team_once(world, mailoutbox, settings):
    reviewer = make_reviewer(world)
    review = _late(make_review(world, reviewer=reviewer))
    mailoutbox.clear()
    assert review_sla_sweep() == 1
    assert review_sla_sweep() == 0
    (mail,) = mailoutbox
    assert mail.to == [reviewer.email, settings.HUB_MODERATION_TEAM_EMAIL]
    assert mail.subject.startswith(f"Review overdue: review {review.pk} of Batch")
    assert "R-REV-2" in mail.body
    alert = DeadlineAlert.objects.get()
    assert (alert.review, alert.kind, alert.cycle) == (
        review,
        AlertKind.REVIEW_OVERDUE,
        review.requested_at,
    )
    # Listed in the hub for both, as already emailed.
    listed = Notice.objects.filter(kind="review.sla_alert")
    assert {(n.recipient, n.email) for n in listed} == {
        (reviewer, reviewer.email),
        (None, settings.HUB_MODERATION_TEAM_EMAIL),
    }
    assert all(n.emailed_at for n in listed)


def test_r_rev_2_an_unassigned_review_alerts_the_team(world, mailoutbox, settings):
    _late(make_review(world))
    mailoutbox.clear()
    assert review_sla_sweep() == 1
    assert mailoutbox[0].to == [settings.HUB_MODERATION_TEAM_EMAIL]
    assert "not assigned yet" in mailoutbox[0].body


def test_r_rev_2_due_soon_then_overdue_are_two_crossings(world, settings):
    review = make_review(world)
    soon = timezone.now() + timedelta(days=settings.HUB_SLA_WARN_DAYS - 1)
    Review.objects.filter(pk=review.pk).update(sla_due_at=soon)
    assert review_sla_sweep() == 1
    assert review_sla_sweep(now=soon + timedelta(hours=1)) == 1
    assert review_sla_sweep(now=soon + timedelta(hours=2)) == 0
    assert [a.kind for a in DeadlineAlert.objects.order_by("pk")] == [
        AlertKind.REVIEW_DUE_SOON,
        AlertKind.REVIEW_OVERDUE,
    ]


def test_r_rev_2_not_due_yet_sends_nothing(world, mailoutbox):
    make_review(world)  # due in four weeks
    mailoutbox.clear()
    assert review_sla_sweep() == 0
    assert mailoutbox == []


def test_r_rev_2_the_clock_stops_at_a_decision(world, mailoutbox):
    reviewer = make_reviewer(world)
    review = _late(make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer))
    services.review_uphold(actor=reviewer, review=review, comments="It stands.")
    assert Review.objects.get(pk=review.pk).sla_due_at is None
    mailoutbox.clear()
    assert review_sla_sweep() == 0
    assert mailoutbox == []


def test_review_and_moderation_sweeps_leave_each_others_alerts(world, mailoutbox):
    _late(make_review(world))
    mailoutbox.clear()
    assert sla_sweep() == 0  # moderation's sweep sends no review alert...
    assert review_sla_sweep() == 1  # ...the review sweep does


def test_beat_sweeps_reviews_under_a_lock(world):
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reviews.tasks.sweep_review_sla" in schedule
    _late(make_review(world))
    assert tasks.sweep_review_sla.apply().get() == 1
    assert tasks.sweep_review_sla.acks_late is True
