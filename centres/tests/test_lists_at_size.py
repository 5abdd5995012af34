"""Issue 9: Learners and Staff access cost the same at any size (queries pinned, HTML
bounded at two sizes) and page with numbered links."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Learner, Membership, Role, User

QUERY_BOUND = 15
HTML_BOUND = 200 * 1024


def measure(client, url, params=None) -> tuple[int, int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.content), response


def bulk_learners(centre, count, *, start=0):
    Learner.objects.bulk_create(
        Learner(
            membership_number=f"P{8100000 + start + i}",
            candidate_number=f"{i:04d}",
            first_name="Sam",
            last_name=f"Bulk{start + i:05d}",
            date_of_birth=datetime.date(2003, 3, 4),
            centre=centre,
        )
        for i in range(count)
    )


@pytest.mark.parametrize("params", [{}, {"q": "bulk"}, {"page": 3}])
def test_learner_list_same_queries_and_bounded_html_at_two_sizes(member_client, world, params):
    figures = []
    for size, start in ((200, 0), (1800, 200)):
        bulk_learners(world.centre, size, start=start)
        queries, size_bytes, _ = measure(member_client, reverse("centres:learner-list"), params)
        figures.append(queries)
        assert queries <= QUERY_BOUND and size_bytes <= HTML_BOUND
    assert figures[0] == figures[1], figures


def test_learner_list_page_numbers_and_rows(member_client, world):
    bulk_learners(world.centre, 120)
    response = member_client.get(reverse("centres:learner-list"), {"q": "bulk", "page": 2})
    body = response.content.decode()
    assert "Page 2 of 3" in body
    assert 'href="?q=bulk&amp;page=3" aria-label="Page 3"' in body
    first = Learner.objects.get(last_name="Bulk00050")
    assert f'<a href="{reverse("centres:learner-detail", args=[first.pk])}">' in body
    assert "<td>Bulk00050, Sam</td>" in body
    assert "<td>4 Mar 2003</td>" in body


def bulk_members(centre, count, *, start=0):
    users = User.objects.bulk_create(
        User(
            email=f"staff{start + i}@example.test",
            first_name="Staff",
            last_name=f"M{start + i:04d}",
        )
        for i in range(count)
    )
    users = User.objects.filter(email__in=[u.email for u in users])
    Membership.objects.bulk_create(
        Membership(user=u, centre=centre, role=Role.TUTOR, can_par=True) for u in users
    )


def test_staff_list_same_queries_and_bounded_html_at_two_sizes(client, world):
    client.force_login(world.director)
    figures = []
    for size, start in ((20, 0), (180, 20)):
        bulk_members(world.centre, size, start=start)
        queries, size_bytes, response = measure(client, reverse("centres:staff"), {"page": 2})
        figures.append(queries)
        assert queries <= QUERY_BOUND and size_bytes <= HTML_BOUND
    assert figures[0] == figures[1], figures
    body = response.content.decode()
    assert "Page 2 of 5" in body
    member = Membership.objects.filter(centre=world.centre, is_active=True).order_by(
        "user__last_name", "user__first_name", "user__email", "pk"
    )[50]  # the first on page 2
    assert reverse("centres:staff-edit", args=[member.pk]) in body
    assert reverse("centres:staff-revoke-confirm", args=[member.pk]) in body
