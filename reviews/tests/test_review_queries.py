"""Query counts of the reviews' reads and writes stay flat as the batch grows: measured on a
batch of 1 learner (4 learner-units) and of 40 learners (160), pinned to the same number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.models import ReviewStatus
from reviews.selectors import review_history, review_units, review_window, reviews_for_centre

from .factories import make_review, make_reviewer, reviewable_batch


def _count(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.fixture
def sizes(world):
    """Two reviews Under review by one reviewer: a small batch and a big one."""
    reviewer = make_reviewer(world)
    small = reviewable_batch(world)
    big = reviewable_batch(world, learners=40)
    return reviewer, [
        make_review(world, batch=batch, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer)
        for batch in (small, big)
    ]


def test_review_units_reads_a_batch_in_one_query_at_any_size(sizes):
    _, reviews = sizes
    assert [len(review_units(r)) for r in reviews] == [4, 160]
    assert [_count(lambda r=r: review_units(r)) for r in reviews] == [1, 1]


def test_outcome_changed_costs_the_same_for_one_change_or_eighty(sizes):
    reviewer, (small, big) = sizes
    small_units, big_units = review_units(small), review_units(big)
    few = _count(
        lambda: services.review_change_outcome(
            actor=reviewer, review=small, results={small_units[0].key: ""}
        )
    )
    many = _count(
        lambda: services.review_change_outcome(
            actor=reviewer,
            review=big,
            # Half passed to not passed, one of each result: two PAR updates, as for one.
            results={u.key: "" for u in big_units[::2]},
        )
    )
    assert few == many, (few, many)
    assert many <= 30
    assert big.lines.count() == 80


def test_the_window_and_the_lists_are_flat(world, sizes):
    _, (small, big) = sizes
    batches = small.batch, big.batch
    assert [_count(lambda b=b: review_window(batch=b)) for b in batches] == [1, 1]
    assert (
        _count(lambda: list(reviews_for_centre(centre=world.centre, moderation=True, claims=True)))
        == 1
    )
    assert _count(lambda: list(review_history(big))) == 1
