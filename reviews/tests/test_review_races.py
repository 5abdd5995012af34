"""R-REV-1, R-REV-2 under races: two colleagues asking at the same instant give one review;
two clicks on a decision give one decision. Only PostgreSQL can show two writers racing
(SQLite serialises them), so these run in the PostgreSQL leg."""

import threading

import pytest
from django.db import connection, connections

from reviews import services
from reviews.models import Review, ReviewHistory, ReviewStatus

from .factories import REASONS, make_review, make_reviewer, reviewable_batch

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers, so only PostgreSQL can show two requests racing",
    ),
]


def _race(*steps):
    barrier = threading.Barrier(len(steps))
    outcomes = []

    def run(step):
        try:
            barrier.wait()
            step()
            outcomes.append("done")
        except services.ReviewError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_r_rev_1_two_requests_at_once_make_one_review():
    from conftest import make_world

    world = make_world()
    batch = reviewable_batch(world)
    outcomes = _race(
        lambda: services.review_request(actor=world.admin, batch=batch, reasons=REASONS),
        lambda: services.review_request(actor=world.director, batch=batch, reasons=REASONS),
    )
    assert outcomes == ["ReviewAlreadyOpen", "done"]
    assert Review.objects.filter(batch=batch).count() == 1


def test_r_rev_2_two_clicks_on_upheld_decide_once():
    from conftest import make_world

    world = make_world()
    reviewer = make_reviewer(world)
    review = make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
    click = lambda: services.review_uphold(  # noqa: E731
        actor=reviewer, review=Review.objects.get(pk=review.pk), comments="It stands."
    )
    assert _race(click, click) == ["ReviewStateError", "done"]
    assert ReviewHistory.objects.filter(review=review, to_status=ReviewStatus.UPHELD).count() == 1
