"""R-REV-2 in Django admin: the awarding body's admin assigns a reviewer on the review's
change form, never the original moderator or assessor; nothing else is editable, and a
review (made by a centre's request) has no Add and no Delete."""

import pytest
from django.urls import reverse

from notices.models import Notice
from reviews.models import HistoryEvent, ReviewStatus

from .factories import make_review, make_reviewer


def _inline_management(review):
    data = {}
    for prefix in ("lines", "history"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def test_r_rev_2_admin_assigns_a_reviewer_through_the_service(staff_client, world):
    reviewer = make_reviewer(world)
    review = make_review(world)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["reviewer"].queryset
    assert reviewer in choices and world.assessor in choices
    assert world.moderator not in choices  # moderated the batch (R-REV-2)
    assert world.admin not in choices  # a centre user
    response = staff_client.post(url, {"reviewer": reviewer.pk, **_inline_management(review)})
    assert response.status_code == 302, response.content.decode()[:3000]
    review.refresh_from_db()
    assert review.reviewer == reviewer and review.assigned_by == world.staff
    assert review.history.filter(event=HistoryEvent.ASSIGNED, actor=world.staff).exists()
    assert Notice.objects.filter(kind="review.assigned", recipient=reviewer).exists()


def test_r_rev_2_admin_refuses_the_original_moderator_by_the_field(staff_client, world):
    review = make_review(world)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    response = staff_client.post(
        url, {"reviewer": world.moderator.pk, **_inline_management(review)}
    )
    assert response.status_code == 200
    assert "reviewer" in response.context["adminform"].form.errors
    review.refresh_from_db()
    assert review.reviewer is None
    assert not review.history.filter(event=HistoryEvent.ASSIGNED).exists()


def test_a_decided_review_keeps_its_reviewer(staff_client, world):
    review = make_review(world, status=ReviewStatus.OUTCOME_CHANGED)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "reviewer" not in page.context["adminform"].form.fields
    assert "results changed on review" in page.content.decode().lower()


def test_reviews_have_no_add_and_no_delete(staff_client, world):
    review = make_review(world)
    assert staff_client.get(reverse("admin:reviews_review_add")).status_code == 403
    delete = reverse("admin:reviews_review_delete", args=[review.pk])
    assert staff_client.get(delete).status_code == 403
    listing = staff_client.get(reverse("admin:reviews_review_changelist"))
    assert listing.status_code == 200 and f"Batch {review.batch_id}" in listing.content.decode()


@pytest.mark.parametrize("who", ["admin", "moderator"])
def test_only_staff_reach_the_review_admin(client, world, who):
    review = make_review(world)
    client.force_login(getattr(world, who))
    response = client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert response.status_code == 302  # to the admin log-in


def test_a_refusal_at_the_service_is_shown_alone_and_logged_nowhere(
    staff_client, world, monkeypatch
):
    """The form accepted the reviewer but the service refused (the review moved on between
    the page and the Save): the admin shows the refusal, not "changed successfully", and
    writes no change to admin's log."""
    from django.contrib.admin.models import LogEntry

    from reviews import services

    reviewer = make_reviewer(world)
    review = make_review(world)

    def refuse(**kwargs):
        raise services.ReviewError("This review was decided while you were choosing.")

    monkeypatch.setattr(services, "review_assign", refuse)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    response = staff_client.post(
        url, {"reviewer": reviewer.pk, **_inline_management(review)}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    said = [str(m) for m in response.context["messages"]]
    assert said == ["This review was decided while you were choosing."]
    assert not LogEntry.objects.filter(object_id=str(review.pk)).exists()
    review.refresh_from_db()
    assert review.reviewer is None
