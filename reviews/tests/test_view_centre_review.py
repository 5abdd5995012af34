"""The centre's pages of its reviews: the list, one review with its history, the evidence."""

import pytest
from django.urls import reverse

from centres.models import Role
from centres.tests.factories import MembershipFactory, UserFactory
from reviews.models import Review, ReviewStatus

from .factories import make_review, make_reviewer, reviewable_batch, reviewable_claim

S = ReviewStatus


def detail_url(review) -> str:
    return reverse("reviews:detail", args=[review.pk])


@pytest.mark.django_db
def test_review_page_shows_status_reasons_and_history(member_client, world):
    """R-NEW-3: who, when, from, to, why; the centre sees every step the reviewer took."""
    review = make_review(world, status=S.UNDER_REVIEW, reviewer=world.assessor, evidence=True)

    response = member_client.get(detail_url(review))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="review-status"' in page and "Under review" in page
    assert review.reasons in page
    assert f'href="{reverse("reviews:evidence", args=[review.pk])}"' in page
    history = [(h.get_event_display(), h.get_to_status_display()) for h in review.history.all()]
    assert ("Review requested", "Requested") in history
    for event, _status in history:
        assert event in page
    assert str(world.assessor) in page  # the reviewer is named


@pytest.mark.django_db
def test_outcome_changed_lists_the_results_before_and_after(member_client, world):
    """R-REV-3: the centre sees which results the review changed."""
    review = make_review(world, status=S.OUTCOME_CHANGED, reviewer=world.assessor)

    page = member_client.get(detail_url(review)).content.decode()

    line = review.lines.first()
    assert line is not None
    assert 'data-testid="review-lines"' in page
    assert line.p_number in page and line.before_label in page and line.after_label in page


@pytest.mark.django_db
def test_list_is_newest_first_and_scoped(member_client, world):
    first = make_review(world, reviewer=world.assessor)
    second = make_review(world, claim=reviewable_claim(world), reviewer=world.moderator)

    page = member_client.get(reverse("reviews:list")).content.decode()

    assert page.index(detail_url(second)) < page.index(detail_url(first))


@pytest.mark.django_db
def test_list_queries_flat(member_client, world, django_assert_max_num_queries):
    """The list is one page on an indexed order, whatever the number of reviews."""
    measured = []
    for _ in range(2):
        for _ in range(3):
            make_review(world, batch=reviewable_batch(world, learners=1))
        # Session, user (with memberships), the count, the page with its joins.
        with django_assert_max_num_queries(4) as queries:
            assert member_client.get(reverse("reviews:list")).status_code == 200
        measured.append(len(queries))
    assert measured[0] == measured[1]


@pytest.mark.django_db
def test_grants_decide_which_reviews_are_seen(client, world):
    """A batch's review needs Moderation, a claim's Claims; another centre's is a 404."""
    batch_review = make_review(world, reviewer=world.assessor)
    claims_only = UserFactory()
    MembershipFactory(
        user=claims_only, centre=world.centre, role=Role.CENTRE_ADMINISTRATOR, can_claims=True
    )
    client.force_login(claims_only)
    assert client.get(detail_url(batch_review)).status_code == 404
    assert detail_url(batch_review) not in client.get(reverse("reviews:list")).content.decode()
    client.force_login(world.outsider)
    assert client.get(detail_url(batch_review)).status_code == 404
    assert client.get(reverse("reviews:evidence", args=[batch_review.pk])).status_code == 404
    client.force_login(world.tutor)
    assert client.get(detail_url(batch_review)).status_code == 403
    client.force_login(world.admin)
    assert client.post(detail_url(batch_review)).status_code == 405


@pytest.mark.django_db
def test_evidence_download_is_access_checked(member_client, world):
    """R-ACC-3: the file, as an attachment, only through the view; none sent is a 404."""
    review = make_review(world, reviewer=world.assessor, evidence=True)
    response = member_client.get(reverse("reviews:evidence", args=[review.pk]))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content if response.streaming else [response.content])
    without = make_review(world, claim=reviewable_claim(world))
    assert Review.objects.get(pk=without.pk).has_evidence is False
    assert member_client.get(reverse("reviews:evidence", args=[without.pk])).status_code == 404


@pytest.mark.django_db
def test_review_page_queries_flat(member_client, world, django_assert_max_num_queries):
    """A decided review: the same queries whatever the batch's size."""
    measured = []
    for learners in (1, 30):
        batch = reviewable_batch(world, learners=learners)
        review = make_review(world, batch=batch, status=S.OUTCOME_CHANGED, reviewer=world.assessor)
        # Session, user; the review with its batch, qualification and people; its lines;
        # the history's count and page.
        with django_assert_max_num_queries(6) as queries:
            assert member_client.get(detail_url(review)).status_code == 200
        measured.append(len(queries))
    assert measured[0] == measured[1]


@pytest.mark.django_db
def test_batch_page_panel_queries_flat(member_client, world, django_assert_max_num_queries):
    """The panel on a batch with an outcome costs two queries (the open review, the latest
    reviews), whatever the batch's size or its number of reviews."""
    measured = []
    for learners in (1, 30):
        batch = reviewable_batch(world, learners=learners)
        for status in (S.UPHELD, S.REQUESTED)[: 1 if learners == 1 else 2]:
            # A second review goes to someone other than the first one's reviewer (R-REV-2).
            reviewer = world.assessor if status == S.UPHELD else make_reviewer(world)
            make_review(world, batch=batch, status=status, reviewer=reviewer)
        with django_assert_max_num_queries(10) as queries:
            response = member_client.get(reverse("moderation:batch-detail", args=[batch.pk]))
        assert 'data-testid="review-panel"' in response.content.decode()
        measured.append(len(queries))
    assert measured[0] == measured[1]


@pytest.mark.django_db
def test_results_changed_are_paged(member_client, world, settings):
    """A decision may change every learner-unit of a batch: its rows come a page at a time."""
    from reviews import services
    from reviews.selectors import review_units

    settings.HUB_PAGE_SIZE = 2
    batch = reviewable_batch(world, learners=2)
    review = make_review(world, batch=batch, status=S.UNDER_REVIEW, reviewer=world.assessor)
    keys = [unit.key for unit in review_units(review)][:3]
    services.review_change_outcome(
        actor=world.assessor, review=review, results=dict.fromkeys(keys, ""), comments="Three."
    )

    page = member_client.get(detail_url(review)).content.decode()
    second = member_client.get(detail_url(review), {"lines_page": 2}).content.decode()

    assert page.count("<td>Not passed</td>") == 2 and second.count("<td>Not passed</td>") == 1
    assert "?lines_page=2" in page
