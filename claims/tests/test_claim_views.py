"""The claim page, its details, the printable view and the CSV export (R-CLM-9, R-CLM-12)."""

import csv
import datetime
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimLine, Grade
from claims.views import LANDSCAPE_AFTER_UNITS

from .conftest import bulk_candidates, claim_with_lines, sampled_claim, start_claim
from .factories import ClaimQualificationFactory


def test_claim_detail_shows_lines_and_history(cw, member_client):
    claim = claim_with_lines(cw)
    body = member_client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert "Units claimed (4)" in body
    assert "By Candidate" in body and "By Unit" in body
    assert "Claim started" in body


def test_r_clm_10_sample_shown_to_the_centre_as_green_ticks(cw, member_client):
    claim = sampled_claim(cw)
    body = member_client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert body.count('class="sample-tick"') == 1
    assert "green tick" in body
    assert "By Candidate" not in body  # no edits after submission


def test_r_clm_12_details_save_visit_date_and_warn(cw, member_client):
    claim = start_claim(cw)
    visit = timezone.localdate() + datetime.timedelta(days=26)
    response = member_client.post(
        reverse("claims:claim-update-details", args=[claim.pk]),
        {"contact_email": "science@northgate.test", "visit_date": visit.isoformat()},
        follow=True,
    )
    claim.refresh_from_db()
    assert (claim.contact_email, claim.visit_date) == ("science@northgate.test", visit)
    body = response.content.decode()
    # Entries were due 2 days ago (refused); submission is due in 12 days (warned).
    assert "alert-danger" in body and "Entries must be made at least 4 weeks" in body
    assert "alert-warning" in body and "submitted at least 2 weeks" in body


def test_details_errors_shown_next_to_the_field(cw, member_client):
    claim = start_claim(cw)
    response = member_client.post(
        reverse("claims:claim-update-details", args=[claim.pk]), {"contact_email": "not-an-email"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    claim.refresh_from_db()
    assert claim.contact_email == cw.centre.contact_email


def many_units_claim(cw, units):
    qualification = ClaimQualificationFactory(units=units)
    from centres.tests.factories import ApprovalFactory, RegistrationFactory
    from claims import services

    ApprovalFactory(centre=cw.centre, qualification=qualification)
    assessor = services.centre_assessor_create(
        actor=cw.world.admin,
        centre=cw.centre,
        qualification=qualification,
        name="Priya Shah",
        initials="PS",
    )
    registration = RegistrationFactory(learner=cw.full.learner, qualification=qualification)
    claim = services.claim_start(
        actor=cw.world.admin, centre=cw.centre, qualification=qualification
    )
    services.claim_save_lines(
        actor=cw.world.admin,
        claim=claim,
        entries={
            (registration.pk, qu.unit_id): (Grade.PASS, assessor.pk)
            for qu in qualification.qualification_units.all()
        },
    )
    return claim


@pytest.mark.parametrize(
    ("units", "landscape"), [(LANDSCAPE_AFTER_UNITS, False), (LANDSCAPE_AFTER_UNITS + 1, True)]
)
def test_r_clm_11_printable_view_landscape_past_15_units(cw, member_client, units, landscape):
    claim = many_units_claim(cw, units)
    body = member_client.get(reverse("claims:claim-print", args=[claim.pk])).content.decode()
    assert ("claim-print--landscape" in body) is landscape
    assert f"{units} different units" in body


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_r_clm_9_export_streams_every_line(cw, member_client):
    claim = claim_with_lines(cw)
    response = member_client.get(reverse("claims:claim-export", args=[claim.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][:3] == ["Claim number", "Entry code", "Membership number"]
    assert len(rows) == 5
    assert {row[8] for row in rows[1:]} == {"Merit"}


def test_export_keeps_formulas_as_text(cw, member_client):
    claim = claim_with_lines(cw)
    learner = cw.full.learner
    learner.last_name = "=HYPERLINK(1)"
    learner.save()
    rows = read_csv(member_client.get(reverse("claims:claim-export", args=[claim.pk])))
    assert "'=HYPERLINK(1)" in [row[4] for row in rows]


@pytest.mark.parametrize("size", [20, 1000])
def test_export_query_count_flat(cw, member_client, django_assert_max_num_queries, size):
    claim = start_claim(cw)
    registrations = bulk_candidates(cw, size)
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim, registration=r, unit=cw.units[0], grade=Grade.PASS, assessor=cw.assessor
        )
        for r in registrations
    )
    with django_assert_max_num_queries(8):
        rows = read_csv(member_client.get(reverse("claims:claim-export", args=[claim.pk])))
    assert len(rows) == size + 1
    with django_assert_max_num_queries(10):
        response = member_client.get(reverse("claims:claim-detail", args=[claim.pk]))
    assert response.status_code == 200


def test_another_centres_claim_pages_404(cw, client):
    claim = claim_with_lines(cw)
    client.force_login(cw.world.outsider)
    for name in ("claim-detail", "claim-print", "claim-export", "claim-check", "by-unit"):
        assert client.get(reverse(f"claims:{name}", args=[claim.pk])).status_code == 404
