"""R-ACC-3 for the awarding body's administrators: the staff who assign a reviewer read the
centre's evidence from the review's admin page, through an access-checked download; nobody
else reaches it there."""

import pytest
from django.urls import reverse

from .factories import make_review


@pytest.fixture
def review(world):
    return make_review(world, evidence=True)


def test_r_acc_3_staff_download_the_evidence_from_the_admin_page(client, world, review):
    client.force_login(world.staff)
    url = reverse("admin:reviews_review_evidence", args=[review.pk])
    page = client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert page.status_code == 200
    assert f'href="{url}"' in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "evidence.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_r_acc_3_no_evidence_is_a_404_for_staff(client, world):
    review = make_review(world)
    client.force_login(world.staff)
    url = reverse("admin:reviews_review_evidence", args=[review.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:reviews_review_evidence", args=[99999])).status_code == 404


@pytest.mark.parametrize("who", ["admin", "director", "moderator", "assessor", "outsider"])
def test_r_acc_3_nobody_else_gets_the_evidence_through_admin(client, world, review, who):
    user = getattr(world, who, None)
    if user is None:
        pytest.skip(f"no {who} in this world")
    client.force_login(user)
    response = client.get(reverse("admin:reviews_review_evidence", args=[review.pk]))
    assert response.status_code in (302, 403, 404)
    assert "Content-Disposition" not in response
