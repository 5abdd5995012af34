"""R-REV-2, R-REV-3: the reviewer's "Reviews", starting a review and deciding it."""

import pytest
from django.urls import reverse

from par.models import UnitSelection
from reviews.models import Review, ReviewStatus

from .factories import make_review, reviewable_batch, reviewable_claim

S = ReviewStatus


def page_of(review) -> str:
    return reverse("reviews:reviewer-detail", args=[review.pk])


def decide(review) -> str:
    return reverse("reviews:reviewer-decide", args=[review.pk])


@pytest.fixture
def reviewer_client(client, world):
    client.force_login(world.assessor)  # not the batches' moderator (R-REV-2)
    return client


@pytest.mark.django_db
def test_reviews_list_shows_only_those_assigned(reviewer_client, world):
    mine = make_review(world, reviewer=world.assessor)
    other = make_review(world, claim=reviewable_claim(world), reviewer=world.moderator)

    page = reviewer_client.get(reverse("reviews:reviewer-list")).content.decode()

    assert page_of(mine) in page and page_of(other) not in page
    assert reviewer_client.get(page_of(other)).status_code == 404


@pytest.mark.django_db
def test_reviews_list_queries_flat(reviewer_client, world, django_assert_max_num_queries):
    measured = []
    for _ in range(2):
        for _ in range(3):
            make_review(world, batch=reviewable_batch(world, learners=1), reviewer=world.assessor)
        # Session, user, the count, the page with its joins.
        with django_assert_max_num_queries(4) as queries:
            assert reviewer_client.get(reverse("reviews:reviewer-list")).status_code == 200
        measured.append(len(queries))
    assert measured[0] == measured[1]


@pytest.mark.django_db
def test_start_moves_to_under_review_with_a_history_row(reviewer_client, world):
    """R-REV-2: Requested -> Under review by the assigned reviewer, seen in the history."""
    review = make_review(world, reviewer=world.assessor)
    page = reviewer_client.get(page_of(review)).content.decode()
    assert "Start review" in page and review.reasons in page

    response = reviewer_client.post(reverse("reviews:reviewer-start", args=[review.pk]))

    review.refresh_from_db()
    assert response["Location"] == page_of(review)
    assert review.status == S.UNDER_REVIEW
    assert review.history.filter(to_status=S.UNDER_REVIEW, actor=world.assessor).exists()
    page = reviewer_client.get(page_of(review)).content.decode()
    assert "Record decision" in page and "Start review" not in page


@pytest.mark.django_db
def test_upheld_needs_comments(reviewer_client, world):
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor)
    shown = ",".join(u for u in _keys(reviewer_client, review))

    response = reviewer_client.post(decide(review), {"decision": S.UPHELD, "shown": shown})

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#id_comments"' in page
    response = reviewer_client.post(
        decide(review), {"decision": S.UPHELD, "comments": "Judged fairly.", "shown": shown}
    )
    review.refresh_from_db()
    assert response.status_code == 302
    assert review.status == S.UPHELD and review.comments == "Judged fairly."


def _keys(client, review) -> list[str]:
    return client.get(page_of(review)).context["shown"].split(",")


@pytest.mark.django_db
def test_outcome_changed_updates_the_par(reviewer_client, world):
    """R-REV-3: the new result goes to the PAR; the decision lists it."""
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor)
    keys = _keys(reviewer_client, review)
    key = keys[0]
    unit = review.batch.units.get(pk=int(key[1:]))
    assert unit.selection.result == "pass"

    response = reviewer_client.post(
        decide(review),
        {
            "decision": S.OUTCOME_CHANGED,
            "comments": "No evidence for this unit.",
            "shown": ",".join(keys),
            f"result-{key}": "",
            **{f"result-{k}": "pass" for k in keys[1:]},
        },
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == S.OUTCOME_CHANGED
    assert UnitSelection.objects.get(pk=unit.selection_id).result == ""
    page = reviewer_client.get(page_of(review)).content.decode()
    assert 'data-testid="review-lines"' in page and "Not passed" in page


@pytest.mark.django_db
def test_outcome_changed_needs_a_change(reviewer_client, world):
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor)
    keys = _keys(reviewer_client, review)

    response = reviewer_client.post(
        decide(review),
        {
            "decision": S.OUTCOME_CHANGED,
            "shown": ",".join(keys),
            **{f"result-{k}": "pass" for k in keys},
        },
    )

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == S.UNDER_REVIEW


@pytest.mark.django_db
def test_results_chosen_on_every_page_are_kept(reviewer_client, world, settings):
    """A batch's learner-units a page at a time: the page buttons carry what was chosen."""
    settings.HUB_PAGE_SIZE = 3
    batch = reviewable_batch(world, learners=2)  # 8 learner-units
    review = make_review(world, batch=batch, status=S.UNDER_REVIEW, reviewer=world.assessor)
    first = _keys(reviewer_client, review)
    assert len(first) == 3

    response = reviewer_client.post(
        decide(review),
        {"shown": ",".join(first), f"result-{first[0]}": "", "goto": "2", "comments": "Kept."},
    )
    assert response.status_code == 200
    second = response.context["shown"].split(",")
    assert set(second).isdisjoint(first)
    assert response.context["carried"] == f"{first[0]}="
    assert "Kept." in response.content.decode()

    response = reviewer_client.post(
        decide(review),
        {
            "decision": S.OUTCOME_CHANGED,
            "comments": "Kept.",
            "shown": ",".join(second),
            "changes": response.context["carried"],
            f"result-{second[1]}": "",
        },
    )

    assert response.status_code == 302
    changed = {line.batch_unit_id for line in Review.objects.get(pk=review.pk).lines.all()}
    assert changed == {int(first[0][1:]), int(second[1][1:])}


@pytest.mark.django_db
def test_a_key_not_on_the_review_is_refused(reviewer_client, world):
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor)
    response = reviewer_client.post(
        decide(review), {"decision": S.OUTCOME_CHANGED, "shown": "b999999", "result-b999999": ""}
    )
    assert response.status_code == 400
    assert Review.objects.get(pk=review.pk).status == S.UNDER_REVIEW


@pytest.mark.django_db
def test_reviewer_page_queries_flat(reviewer_client, world, django_assert_max_num_queries):
    """One page of learner-units, whatever the batch's size."""
    measured = []
    for learners in (2, 40):
        batch = reviewable_batch(world, learners=learners)
        review = make_review(world, batch=batch, status=S.UNDER_REVIEW, reviewer=world.assessor)
        # The user; the review with its joins; its learner-units' count and one page of
        # them; the history's count and page.
        with django_assert_max_num_queries(6) as queries:
            response = reviewer_client.get(page_of(review))
        assert response.status_code == 200
        measured.append(len(queries))
    assert measured[0] == measured[1]


@pytest.mark.django_db
def test_only_the_assigned_reviewer(client, world):
    """R-REV-2: only the assigned reviewer opens and moves a review; another reviewer (here
    the original moderator) gets a 404; the awarding body's admin uses Django admin."""
    review = make_review(world, reviewer=world.assessor, evidence=True)
    client.force_login(world.staff)
    assert client.get(page_of(review)).status_code == 403
    assert client.post(reverse("reviews:reviewer-start", args=[review.pk])).status_code == 403
    client.force_login(world.moderator)  # the original moderator, not the reviewer
    assert client.get(page_of(review)).status_code == 404
    assert client.get(reverse("reviews:reviewer-evidence", args=[review.pk])).status_code == 404
    client.force_login(world.admin)
    assert client.get(page_of(review)).status_code == 403
    client.force_login(world.assessor)
    assert client.get(reverse("reviews:reviewer-evidence", args=[review.pk])).status_code in (
        200,
        302,
    )
    assert client.get(decide(review)).status_code == 405
    assert Review.objects.get(pk=review.pk).status == S.REQUESTED


@pytest.mark.django_db
def test_upheld_with_new_results_chosen_is_refused(reviewer_client, world):
    """Upheld changes nothing: a new result chosen means the reviewer meant otherwise."""
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor)
    keys = _keys(reviewer_client, review)

    response = reviewer_client.post(
        decide(review),
        {
            "decision": S.UPHELD,
            "comments": "Fine.",
            "shown": ",".join(keys),
            f"result-{keys[0]}": "",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "choose Outcome changed, or set them back" in page
    assert response.context["changed_count"] == 1  # the choice is kept on the page
    assert Review.objects.get(pk=review.pk).status == S.UNDER_REVIEW
