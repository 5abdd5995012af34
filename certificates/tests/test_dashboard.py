"""R-SLA-1, R-SLA-2: the awarding body's dashboard of open batches, turnaround and dispatches."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.models import CertificateDispatch
from certificates.services import certificates_issue_for_batch
from moderation.dashboard import dashboard_figures, percentile
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import make_batch

from .factories import complete_batch

S = BatchStatus


def test_percentile_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0


def with_outcome(world, days, status=S.RETURNED):
    batch = make_batch(world, status, selections=[])
    now = timezone.now()
    Batch.objects.filter(pk=batch.pk).update(
        sla_started_at=now - timedelta(days=days + 1), outcome_at=now - timedelta(days=1)
    )
    return batch


def test_figures(world):
    make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)  # due in 28 days
    late = make_batch(world, S.WITH_MODERATOR, selections=[])
    Batch.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timedelta(hours=1))
    for days in (10, 20, 30):
        with_outcome(world, days)
    old = with_outcome(world, 5)
    Batch.objects.filter(pk=old.pk).update(outcome_at=timezone.now() - timedelta(days=120))
    figures = dashboard_figures()
    assert dict(figures.open_by_status)["With Moderator"] == 2
    assert dict(figures.open_by_status)["Returned for editing"] == 4
    assert figures.overdue == 1
    assert figures.turnarounds == 3
    assert figures.median_days == pytest.approx(20)
    assert figures.p90_days == pytest.approx(30)


def test_dispatch_at_risk_and_late(world):
    batch = complete_batch(world)
    certificates_issue_for_batch(batch_id=batch.pk)
    today = timezone.localdate()
    CertificateDispatch.objects.update(due_on=today - timedelta(days=1))
    assert (dashboard_figures().certificates_late, dashboard_figures().certificates_at_risk) == (
        1,
        0,
    )
    CertificateDispatch.objects.update(due_on=today)
    assert dashboard_figures().certificates_at_risk == 1


def test_page_shows_the_figures_to_staff(client, world):
    late = make_batch(world, S.WITH_MODERATOR, selections=[])
    Batch.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timedelta(hours=1))
    client.force_login(world.staff)
    response = client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200
    assert 'data-testid="overdue">1<' in response.content.decode()


def test_page_is_not_for_moderators_or_centres(client, world):
    for user in (world.moderator, world.director):
        client.force_login(user)
        assert client.get(reverse("certificates:dashboard")).status_code == 403


@pytest.mark.parametrize("batches", [5, 50])
def test_dashboard_query_count(client, world, batches, django_assert_max_num_queries):
    for n in range(batches):
        with_outcome(world, n + 1)
    client.force_login(world.staff)
    # Session, user and middleware queries plus seven for the figures, whatever the size.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200


def test_each_figure_links_to_the_list_behind_it(client, world):
    """Issue 13: a figure is a link to the batches or dispatches it counts."""
    late = make_batch(world, S.WITH_MODERATOR, selections=[])
    Batch.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timedelta(hours=1))
    make_batch(world, S.WITH_MODERATOR, selections=[])  # due in 28 days: not overdue
    client.force_login(world.staff)
    page = client.get(reverse("certificates:dashboard")).content.decode()
    batches = reverse("admin:moderation_batch_changelist")
    for query in ("?sla=overdue", "?sla=due_soon", "?sla=turnaround"):
        assert f'href="{batches}{query}"' in page
    assert f'href="{batches}?deletion=live&amp;status__exact=with_moderator"' in page
    dispatches = reverse("admin:certificates_certificatedispatch_changelist")
    assert f'href="{dispatches}?due=late"' in page and f'href="{dispatches}?due=at_risk"' in page

    # The list holds exactly what the figure counts.
    listed = client.get(batches, {"sla": "overdue"})
    assert list(listed.context["cl"].result_list) == [late]
    status = client.get(batches, {"deletion": "live", "status__exact": "with_moderator"})
    assert status.context["cl"].result_count == 2


def test_the_late_dispatch_list_matches_the_figure(client, world):
    batch = complete_batch(world)
    certificates_issue_for_batch(batch_id=batch.pk)
    CertificateDispatch.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(world.staff)
    changelist = reverse("admin:certificates_certificatedispatch_changelist")
    late = client.get(changelist, {"due": "late"}).context["cl"]
    assert late.result_count == dashboard_figures().certificates_late == 1
    assert client.get(changelist, {"due": "at_risk"}).context["cl"].result_count == 0
