"""Issue 9: a batch's and a learner's certificates page at any size (queries pinned, HTML bounded)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import Certificate
from moderation.models import Batch

from .factories import complete_batch

QUERY_BOUND = 15
HTML_BOUND = 200 * 1024


def issue(batch):
    """Certificates for every learner on the batch, as the issuing service leaves them."""
    learners = {
        u.selection.registration.learner
        for u in batch.units.select_related("selection__registration__learner")
    }
    Certificate.objects.bulk_create(
        Certificate(
            learner=learner,
            qualification=batch.qualification,
            centre=batch.centre,
            batch=batch,
            units=[{"code": "U1", "title": "Unit one", "result": "pass"}],
            number=f"C{batch.pk:06d}-{learner.pk:07d}",
            pdf=f"certificates/test/{learner.pk}.pdf",
            dispatch_due_on=batch.completed_at.date(),
        )
        for learner in learners
    )


def test_batch_certificates_same_queries_and_bounded_html_at_two_sizes(member_client, world):
    figures = []
    for learners in (20, 400):
        batch = complete_batch(world, learners=learners)
        issue(batch)
        url = reverse("certificates:batch", args=[batch.pk])
        with CaptureQueriesContext(connection) as ctx:
            response = member_client.get(url, {"page": 2} if learners > 50 else {})
        assert response.status_code == 200
        figures.append(len(ctx.captured_queries))
        assert len(ctx.captured_queries) <= QUERY_BOUND
        assert len(response.content) <= HTML_BOUND
    assert figures[0] == figures[1], figures
    body = response.content.decode()
    assert body.count("Download certificate") == 50
    assert "Page 2 of 8" in body
    shown = Certificate.objects.filter(batch=batch).order_by("learner__last_name")[50]
    assert reverse("certificates:download", args=[shown.pk]) in body


def test_learner_certificates_same_queries_at_two_sizes(member_client, world):
    url = reverse("certificates:learner", args=[world.learner.pk])
    figures = []
    for count in (3, 57):
        batches = Batch.objects.bulk_create(
            Batch(centre=world.centre, qualification=world.qualification, status="complete")
            for _ in range(count)
        )
        Certificate.objects.bulk_create(
            Certificate(
                learner=world.learner,
                qualification=world.qualification,
                centre=world.centre,
                batch=batch,
                units=[{"code": "U1", "title": "Unit one", "result": "pass"}],
                number=f"C{batch.pk:06d}-{world.learner.pk:07d}",
                dispatch_due_on=datetime.date(2026, 12, 7),
            )
            for batch in batches
        )
        with CaptureQueriesContext(connection) as ctx:
            response = member_client.get(url)
        figures.append(len(ctx.captured_queries))
        assert len(ctx.captured_queries) <= QUERY_BOUND
        assert len(response.content) <= HTML_BOUND
    assert figures[0] == figures[1], figures
    body = response.content.decode()
    assert "Page 1 of 2" in body
    assert body.count("Being prepared") == 50  # no PDF drawn yet, so no download link
