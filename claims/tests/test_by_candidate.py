"""R-CLM-4, R-CLM-6, R-CLM-8: By Candidate and one candidate's units."""

import pytest
from django.urls import reverse

from claims.models import ClaimLine, Grade

from .conftest import bulk_candidates, claim_with_lines, start_claim, submitted_claim
from .factories import CentreAssessorFactory


def list_url(claim):
    return reverse("claims:by-candidate", args=[claim.pk])


def edit_url(claim, registration):
    return reverse("claims:candidate-edit", args=[claim.pk, registration.pk])


def names_in_order(response):
    """The surnames of the page's rows, as listed ("<tr><td>Surname, First name")."""
    return [row.split("<td>")[1].split(",")[0] for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Adams", "Baker", "Carter", "Dawson"]),
        ("-name", ["Dawson", "Carter", "Baker", "Adams"]),
        ("number", None),
        ("dob", None),
        ("bogus", ["Adams", "Baker", "Carter", "Dawson"]),
    ],
)
def test_r_clm_4_candidates_sortable(cw, member_client, sort, expected):
    claim = start_claim(cw)
    for i, registration in enumerate(reversed(cw.registrations)):
        learner = registration.learner
        learner.candidate_number = f"{i:04d}"
        learner.date_of_birth = learner.date_of_birth.replace(year=2000 + i)
        learner.save()
    response = member_client.get(list_url(claim), {"sort": sort})
    if expected is None:  # number and date of birth both run Dawson -> Adams here
        expected = ["Dawson", "Carter", "Baker", "Adams"]
    assert names_in_order(response) == expected


def test_r_clm_4_create_new_becomes_edit_once_a_candidate_has_lines(cw, member_client):
    claim = claim_with_lines(cw)
    other = cw.registrations[0]
    ClaimLine.objects.filter(registration=other).delete()
    body = member_client.get(list_url(claim)).content.decode()
    assert body.count("Create new<span") == 1
    assert body.count(">Edit<span") == 3


def test_r_clm_4_not_claiming_is_the_default_and_single_assessor_prefilled(cw, member_client):
    claim = start_claim(cw)
    response = member_client.get(edit_url(claim, cw.full))
    body = response.content.decode()
    unit = cw.units[0].pk
    assert (
        f'name="grade-{unit}" value="" class="form-check-input" id="id_grade-{unit}_3" checked'
        in body
    )
    assert f'<option value="{cw.assessor.pk}" selected>' in body


def test_r_clm_4_no_prefill_with_two_assessors(cw, member_client):
    CentreAssessorFactory(centre=cw.centre, qualification=cw.qualification, initials="TO")
    body = member_client.get(edit_url(start_claim(cw), cw.full)).content.decode()
    select = body.split('name="assessor-')[1].split("</select>")[0]
    assert 'value="" selected>' in select


def test_r_clm_4_save_claim(cw, member_client):
    claim = start_claim(cw)
    u0, u1 = cw.units[0].pk, cw.units[1].pk
    response = member_client.post(
        edit_url(claim, cw.full),
        {
            f"grade-{u0}": Grade.MERIT,
            f"assessor-{u0}": cw.assessor.pk,
            f"grade-{u1}": "",
            f"assessor-{u1}": cw.assessor.pk,
        },
    )
    assert response.status_code == 302
    assert list(claim.lines.values_list("registration_id", "unit_id", "grade")) == [
        (cw.full.pk, u0, Grade.MERIT)
    ]


def test_r_clm_4_error_shown_on_the_row_and_choices_kept(cw, member_client):
    claim = start_claim(cw)
    u0, u1 = cw.units[0].pk, cw.units[1].pk
    response = member_client.post(
        edit_url(claim, cw.full),
        {f"grade-{u0}": Grade.PASS, f"assessor-{u0}": cw.assessor.pk, f"grade-{u1}": "merit"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the centre assessor." in body
    assert f'value="merit" class="form-check-input" id="id_grade-{u1}_1" checked' in body
    assert not claim.lines.exists()


def test_r_clm_8_not_claiming_every_unit_removes_the_candidate(cw, member_client):
    claim = claim_with_lines(cw)
    data = {f"grade-{u.pk}": "" for u in cw.units}
    member_client.post(edit_url(claim, cw.full), data)
    assert not claim.lines.filter(registration=cw.full).exists()


def test_r_clm_6_greyed_out_for_full_award_absent_for_unit_entries(cw, member_client):
    submitted_claim(cw)
    claim = start_claim(cw)
    full = member_client.get(edit_url(claim, cw.full))
    assert "claim-row-blocked" in full.content.decode()
    assert f'name="grade-{cw.units[0].pk}"' not in full.content.decode()
    entry = member_client.get(edit_url(claim, cw.unit_entry)).content.decode()
    assert cw.units[0].code not in entry
    assert f'name="grade-{cw.units[1].pk}"' in entry


def test_r_clm_8_unsaved_changes_warning_is_wired(cw, member_client):
    body = member_client.get(edit_url(start_claim(cw), cw.full)).content.decode()
    assert "data-unsaved-warning" in body
    assert "claims/claims.js" in body


def test_r_clm_9_submitted_claim_cannot_be_edited(cw, member_client):
    claim = submitted_claim(cw)
    response = member_client.post(edit_url(claim, cw.full), {f"grade-{cw.units[1].pk}": "pass"})
    assert response["Location"] == reverse("claims:claim-detail", args=[claim.pk])
    assert claim.lines.count() == 4


def test_another_centres_claim_404(cw, client):
    claim = start_claim(cw)
    client.force_login(cw.world.outsider)
    assert client.get(list_url(claim)).status_code == 404
    assert client.get(edit_url(claim, cw.full)).status_code == 404


def test_candidate_not_eligible_404(cw, member_client):
    claim = start_claim(cw)
    other = cw.world.other_learner.registrations.first()
    assert member_client.get(edit_url(claim, other)).status_code == 404


@pytest.mark.parametrize("size", [20, 1000])
def test_by_candidate_query_count_flat(cw, member_client, django_assert_max_num_queries, size):
    claim = start_claim(cw)
    bulk_candidates(cw, size)
    # Session, user, membership; the claim; the count; the Action sort's split (how many
    # have lines); the page, in two parts only where it holds both.
    with django_assert_max_num_queries(8):
        response = member_client.get(list_url(claim), {"sort": "action"})
    assert response.status_code == 200


def test_r_clm_4_names_and_numbers_are_escaped(cw, member_client):
    claim = start_claim(cw)
    learner = cw.full.learner
    learner.last_name, learner.first_name = "O'Brien <b>", 'Ann & "Jo"'
    learner.candidate_number = "<i>1</i>"
    learner.save()
    body = member_client.get(list_url(claim)).content.decode()
    assert "<td>O&#x27;Brien &lt;b&gt;, Ann &amp; &quot;Jo&quot;" in body
    assert "<td>&lt;i&gt;1&lt;/i&gt;</td>" in body
    assert " for Ann &amp; &quot;Jo&quot; O&#x27;Brien &lt;b&gt;</span>" in body
    assert "<b>" not in body and "<i>" not in body
