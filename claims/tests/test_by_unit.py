"""R-CLM-5, R-CLM-6, R-CLM-8: By Unit, with "Apply to all"."""

import pytest
from django.test import override_settings
from django.urls import reverse

from claims.models import Grade
from claims.tests.factories import CentreAssessorFactory

from .conftest import bulk_candidates, claim_with_lines, start_claim, submitted_claim


def unit_url(claim, unit):
    return reverse("claims:unit-edit", args=[claim.pk, unit.pk])


def grid_data(rows):
    """POST data for a unit page: {registration: (grade, assessor)}."""
    data = {}
    for registration, (grade, assessor) in rows.items():
        data[f"grade-{registration.pk}"] = grade
        data[f"assessor-{registration.pk}"] = assessor.pk if assessor else ""
    return data


def test_r_clm_5_by_unit_lists_units_with_counts(cw, member_client):
    claim = claim_with_lines(cw)
    body = member_client.get(reverse("claims:by-unit", args=[claim.pk])).content.decode()
    assert body.count("Create new<span") == 3
    assert body.count(">Edit<span") == 1


def test_r_clm_5_lists_candidates_entered_for_the_unit(cw, member_client):
    claim = start_claim(cw)
    rows = member_client.get(unit_url(claim, cw.units[2])).context["rows"]
    assert [r.registration for r in rows] == cw.registrations[:3]
    rows = member_client.get(unit_url(claim, cw.units[1])).context["rows"]
    assert [r.registration for r in rows] == cw.registrations


def test_r_clm_5_apply_to_all_without_js_copies_to_rows_below_only(cw, member_client):
    """The server-side "Apply to all": rows below change, rows above do not, nothing saved."""
    claim = start_claim(cw)
    a, b, c, d = cw.registrations
    data = grid_data(
        {
            a: (Grade.PASS, cw.assessor),
            b: (Grade.DISTINCTION, cw.assessor),
            c: ("", cw.assessor),
            d: ("", cw.assessor),
        }
    )
    data["apply"] = f"grade:{b.pk}"
    response = member_client.post(unit_url(claim, cw.units[0]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert [form[f"grade-{r.pk}"].value() for r in (a, b, c, d)] == [
        Grade.PASS,
        Grade.DISTINCTION,
        Grade.DISTINCTION,
        Grade.DISTINCTION,
    ]
    assert "Applied to 2 candidates below" in response.content.decode()
    assert "data-dirty" in response.content.decode()
    assert not claim.lines.exists()


def test_r_clm_5_apply_assessor_to_all(cw, member_client):
    claim = start_claim(cw)
    other = CentreAssessorFactory(centre=cw.centre, qualification=cw.qualification, initials="TO")
    a, b, c, d = cw.registrations
    data = grid_data({a: ("", cw.assessor), b: ("", other), c: ("", None), d: ("", None)})
    data["apply"] = f"assessor:{b.pk}"
    form = member_client.post(unit_url(claim, cw.units[0]), data).context["form"]
    assert [form[f"assessor-{r.pk}"].value() for r in (a, b, c, d)] == [
        str(cw.assessor.pk),
        str(other.pk),
        str(other.pk),
        str(other.pk),
    ]


@override_settings(HUB_PAGE_SIZE=2)
def test_r_clm_5_apply_to_all_never_reaches_another_page(cw, member_client):
    claim = start_claim(cw)
    a, b, c, d = cw.registrations
    data = grid_data({a: (Grade.MERIT, cw.assessor), b: ("", cw.assessor)})
    data["apply"] = f"grade:{a.pk}"
    member_client.post(unit_url(claim, cw.units[0]), data)  # shows; nothing saved
    del data["apply"]
    data[f"grade-{b.pk}"] = Grade.MERIT
    response = member_client.post(unit_url(claim, cw.units[0]) + "?page=1", data)
    assert response.status_code == 302
    assert set(claim.lines.values_list("registration_id", flat=True)) == {a.pk, b.pk}
    page_two = member_client.get(unit_url(claim, cw.units[0]), {"page": 2}).context["rows"]
    assert [r.registration for r in page_two] == [c, d]
    assert all(r.line is None for r in page_two)


def test_r_clm_5_save_claim_by_unit(cw, member_client):
    claim = start_claim(cw)
    a, b, c, d = cw.registrations
    data = grid_data(
        {
            a: (Grade.PASS, cw.assessor),
            b: (Grade.MERIT, cw.assessor),
            c: ("", cw.assessor),
            d: (Grade.DISTINCTION, cw.assessor),
        }
    )
    response = member_client.post(unit_url(claim, cw.units[1]), data)
    assert response.status_code == 302
    assert sorted(claim.lines.values_list("registration_id", "grade")) == sorted(
        [(a.pk, Grade.PASS), (b.pk, Grade.MERIT), (d.pk, Grade.DISTINCTION)]
    )


def test_r_clm_8_not_claiming_apply_to_all_then_save_removes_the_unit(cw, member_client):
    """Removing a unit from the whole claim: Not claiming on the first, Apply to all, Save."""
    claim = claim_with_lines(cw)
    first = cw.registrations[0]
    data = grid_data(dict.fromkeys(cw.registrations, (Grade.MERIT, cw.assessor)))
    data[f"grade-{first.pk}"] = ""
    data["apply"] = f"grade:{first.pk}"
    applied = member_client.post(unit_url(claim, cw.units[0]), data).context["form"].data
    data = {k: v for k, v in applied.items() if k not in ("apply", "csrfmiddlewaretoken")}
    member_client.post(unit_url(claim, cw.units[0]), data)
    assert not claim.lines.filter(unit=cw.units[0]).exists()


def test_r_clm_6_by_unit_greys_full_and_hides_unit_entries_claimed_before(cw, member_client):
    submitted_claim(cw)
    claim = start_claim(cw)
    rows = member_client.get(unit_url(claim, cw.units[0])).context["rows"]
    assert [r.registration for r in rows] == cw.registrations[:3]
    assert all(r.disabled for r in rows)


def test_unit_not_in_the_qualification_404(cw, member_client):
    claim = start_claim(cw)
    foreign_unit = cw.world.qualification.qualification_units.first().unit
    assert member_client.get(unit_url(claim, foreign_unit)).status_code == 404


@pytest.mark.parametrize("size", [20, 1000])
def test_by_unit_query_count_flat(cw, member_client, django_assert_max_num_queries, size):
    claim = claim_with_lines(cw)
    bulk_candidates(cw, size)
    with django_assert_max_num_queries(14):
        response = member_client.get(unit_url(claim, cw.units[0]))
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        response = member_client.get(reverse("claims:by-unit", args=[claim.pk]))
    assert response.status_code == 200
