"""R-CLM-7: "Add units from another awarding body" for a candidate."""

from django.urls import reverse

from claims.models import Grade

from .conftest import start_claim


def url(claim, registration):
    return reverse("claims:other-body", args=[claim.pk, registration.pk])


def test_r_clm_7_add_unit_from_another_awarding_body(cw, member_client):
    claim = start_claim(cw)
    response = member_client.post(
        url(claim, cw.full),
        {
            "unit": cw.units[3].pk,
            "assessor": cw.assessor.pk,
            "awarding_body": "Pearson",
            "grade": Grade.DISTINCTION,
        },
        follow=True,
    )
    line = claim.lines.get()
    assert (line.unit, line.grade, line.other_awarding_body) == (
        cw.units[3],
        Grade.DISTINCTION,
        "Pearson",
    )
    body = response.content.decode()
    assert "Pearson" in body and ">Done<" in body
    # Once on the claim the unit is no longer offered.
    assert f'<option value="{cw.units[3].pk}"' not in body
    candidate = member_client.get(reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]))
    assert "Another AB: Pearson" in candidate.content.decode()


def test_r_clm_7_missing_fields_shown_and_kept(cw, member_client):
    claim = start_claim(cw)
    response = member_client.post(
        url(claim, cw.full), {"unit": cw.units[3].pk, "assessor": cw.assessor.pk, "grade": "pass"}
    )
    assert response.status_code == 200
    assert "Enter the awarding body that gave the unit" in response.content.decode()
    assert not claim.lines.exists()


def test_r_clm_7_unit_entries_offer_only_entered_units(cw, member_client):
    claim = start_claim(cw)
    body = member_client.get(url(claim, cw.unit_entry)).content.decode()
    assert f'<option value="{cw.units[1].pk}"' in body
    assert f'<option value="{cw.units[3].pk}"' not in body
