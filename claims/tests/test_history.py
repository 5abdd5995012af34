"""R-CLM-11: claim history: newest first, filter, sort, view, CSV export, 12 months."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.tests.factories import ApprovalFactory
from claims.models import Claim, ClaimStatus

from .factories import ClaimFactory, ClaimQualificationFactory

URL = reverse("claims:history")


def numbers(response):
    return [c.number for c in response.context["page"].object_list]


@pytest.fixture
def claims(cw):
    other_q = ClaimQualificationFactory(code="05999")
    ApprovalFactory(centre=cw.centre, qualification=other_q)
    now = timezone.now()
    made = []
    for i, (qualification, status) in enumerate(
        [
            (cw.qualification, ClaimStatus.PROCESSED),
            (other_q, ClaimStatus.SUBMITTED),
            (cw.qualification, ClaimStatus.SAMPLED),
        ]
    ):
        made.append(
            ClaimFactory(
                centre=cw.centre,
                qualification=qualification,
                status=status,
                number=f"C-{i}",
                created_at=now - datetime.timedelta(days=30 - i),
                processed_at=now if status == ClaimStatus.PROCESSED else None,
            )
        )
    return made


def test_r_clm_11_newest_first(cw, claims, member_client):
    assert numbers(member_client.get(URL)) == ["C-2", "C-1", "C-0"]


def test_r_clm_11_filter_by_qualification(cw, claims, member_client):
    response = member_client.get(URL, {"qualification": cw.qualification.pk})
    assert numbers(response) == ["C-2", "C-0"]


def test_the_page_count_follows_the_filter_as_chosen(cw, claims, member_client, settings):
    """The history's length is read with the filter's choices: filtered by the qualification
    asked for only when it is one of them, else every claim."""
    settings.HUB_PAGE_SIZE = 1
    filtered = member_client.get(URL, {"qualification": cw.qualification.pk})
    assert filtered.context["page"].paginator.count == 2
    for asked in ("", "999999", "x", f"0{cw.qualification.pk}"):
        response = member_client.get(URL, {"qualification": asked})
        assert response.context["page"].paginator.count == 3, asked
    assert member_client.get(URL).context["page"].paginator.num_pages == 3


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["C-0", "C-1", "C-2"]),
        ("-number", ["C-2", "C-1", "C-0"]),
        ("qualification", ["C-2", "C-0", "C-1"]),
        ("status", ["C-0", "C-2", "C-1"]),
        ("created", ["C-0", "C-1", "C-2"]),
        ("'; drop table", ["C-2", "C-1", "C-0"]),
    ],
)
def test_r_clm_11_sort_by_any_column(cw, claims, member_client, sort, expected):
    assert numbers(member_client.get(URL, {"sort": sort})) == expected


def test_r_clm_11_kept_for_12_months_after_processing(cw, claims, member_client):
    Claim.objects.filter(number="C-0").update(
        processed_at=timezone.now() - datetime.timedelta(days=366)
    )
    assert numbers(member_client.get(URL)) == ["C-2", "C-1"]


def test_r_clm_11_view_links_to_the_claim(cw, claims, member_client):
    body = member_client.get(URL).content.decode()
    assert reverse("claims:claim-detail", args=[claims[0].pk]) in body


def test_r_clm_11_export_csv_streams_the_filtered_list(cw, claims, member_client):
    response = member_client.get(
        reverse("claims:history-export"), {"qualification": cw.qualification.pk, "sort": "number"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows] == ["Claim number", "C-0", "C-2"]


def test_history_shows_only_our_centre(cw, claims, client):
    client.force_login(cw.world.outsider)
    assert numbers(client.get(URL)) == []


@pytest.mark.parametrize("size", [20, 1000])
def test_history_and_export_query_counts_flat(
    cw, member_client, django_assert_max_num_queries, size
):
    Claim.objects.bulk_create(
        Claim(
            centre=cw.centre,
            qualification=cw.qualification,
            status=ClaimStatus.PROCESSED,
            number=f"B-{i:05d}",
        )
        for i in range(size)
    )
    with django_assert_max_num_queries(9):
        assert member_client.get(URL, {"sort": "lines"}).status_code == 200
    with django_assert_max_num_queries(8):
        response = member_client.get(reverse("claims:history-export"))
        rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == size + 1
