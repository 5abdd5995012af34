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


def test_the_rows_page_flat_for_the_reviewers_page(sizes):
    from django.core.paginator import Paginator

    from reviews.selectors import review_unit_rows

    _, (small, big) = sizes
    counts = []
    for review in (small, big):
        rows = review_unit_rows(review)

        def page(rows=rows):
            return list(Paginator(rows, 3).page(2).object_list)

        counts.append(_count(page))
        assert [u.key for u in page()] == [u.key for u in review_units(review)[3:6]]
    assert counts == [2, 2]  # the COUNT and the page


def test_a_decision_reads_only_the_rows_it_names(sizes):
    _, (small, big) = sizes
    key = review_units(big)[100].key
    assert [u.key for u in review_units(big, keys=[key, "x1", "c5", "b"])] == [key]
    assert review_units(big, keys=[]) == []


def test_a_decided_review_pages_its_changed_rows_too(world, sizes):
    from reviews.selectors import review_unit_rows

    reviewer, (_, big) = sizes
    units = review_units(big)
    big = services.review_change_outcome(
        actor=reviewer, review=big, results={units[0].key: "", units[5].key: ""}
    )
    rows = review_unit_rows(big)
    assert rows.count() == 160  # the two released are still listed
    first_page = rows[0:10]
    assert [u.new_result for u in first_page][:6] == ["", None, None, None, None, ""]
