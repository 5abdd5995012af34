"""Individual Add/Remove (R-PAR-1, R-PAR-2, R-PAR-3)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import Registration
from centres.tests.factories import LearnerFactory, QualificationFactory, RegistrationFactory
from par.models import UnitSelection

URL = reverse("par:individual")


def test_r_par_1_filter_by_name_is_partial_and_case_insensitive(member_client, world):
    response = member_client.get(URL, {"mode": "name", "q": "ASHW"})
    assert response.status_code == 200
    assert world.learner.membership_number in response.content.decode()
    assert world.other_learner.membership_number not in response.content.decode()


def test_r_par_1_filter_by_p_number(member_client, world):
    response = member_client.get(
        URL, {"mode": "name", "q": world.learner.membership_number[:5].lower()}
    )
    assert world.learner.membership_number in response.content.decode()


def test_r_par_1_filter_by_name_never_shows_another_centre(member_client, world):
    response = member_client.get(URL, {"mode": "name", "q": "Beaumont"})
    assert world.other_learner.membership_number not in response.content.decode()
    assert "No registered, current learners match" in response.content.decode()


def test_r_par_1_empty_search_says_what_to_type(member_client):
    response = member_client.get(URL, {"mode": "name", "q": ""})
    assert "Enter a membership number or part of a surname" in response.content.decode()


def test_r_par_1_filter_by_qualification(member_client, world):
    other_qualification = QualificationFactory()
    RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Zephyr"),
        qualification=other_qualification,
    )
    response = member_client.get(
        URL, {"mode": "qualification", "qualification": world.qualification.pk}
    )
    body = response.content.decode()
    assert "Ashworth" in body and "Zephyr" not in body


def test_r_par_1_display_all_records_groups_by_qualification(member_client, world):
    other_qualification = QualificationFactory(title="Second qualification")
    RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Zephyr"),
        qualification=other_qualification,
    )
    body = member_client.get(URL, {"mode": "all"}).content.decode()
    assert body.index(world.qualification.title) < body.index("Ashworth")
    assert body.index("Second qualification") < body.index("Zephyr")


def test_not_current_registrations_are_not_listed(member_client, world):
    RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Gone"),
        qualification=world.qualification,
        is_current=False,
    )
    assert "Gone" not in member_client.get(URL, {"mode": "all"}).content.decode()


def test_r_par_2_selected_units_have_no_checkbox_and_achieved_show_their_result(
    member_client, world, registration, units
):
    UnitSelection.objects.create(registration=registration, unit=units[0])
    UnitSelection.objects.create(
        registration=registration,
        unit=units[1],
        result="pass",
        result_at=timezone.make_aware(timezone.datetime(2026, 3, 12, 14, 5)),
        result_source="Batch 3",
    )
    body = member_client.get(URL, {"mode": "all"}).content.decode()
    assert f'value="{registration.pk}:{units[0].pk}"' not in body
    assert f'value="{registration.pk}:{units[1].pk}"' not in body
    assert f'value="{registration.pk}:{units[2].pk}"' in body
    assert "Pass, 12 Mar 2026 14:05 (Batch 3)" in body


def test_r_par_3_add_all_selected_units_saves_every_tick(member_client, world, registration, units):
    next_url = f"{URL}?mode=all"
    response = member_client.post(
        reverse("par:add"),
        {
            "unit": [f"{registration.pk}:{units[1].pk}", f"{registration.pk}:{units[2].pk}"],
            "next": next_url,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == next_url
    assert "2 units selected." in response.content.decode()
    assert set(registration.unit_selections.values_list("unit_id", flat=True)) == {
        units[1].pk,
        units[2].pk,
    }
    assert "Continue" in response.content.decode()


def test_r_par_3_nothing_ticked_says_so(member_client):
    response = member_client.post(reverse("par:add"), {}, follow=True)
    assert "No units were ticked" in response.content.decode()


def test_r_par_5_tampered_tick_saves_nothing_and_explains(
    member_client, world, registration, units
):
    foreign = QualificationFactory(units=1).units.get()
    response = member_client.post(
        reverse("par:add"),
        {"unit": [f"{registration.pk}:{units[1].pk}", f"{registration.pk}:{foreign.pk}"]},
        follow=True,
    )
    assert "Nothing was saved" in response.content.decode()
    assert not UnitSelection.objects.exists()


def test_outsider_cannot_select_for_our_learner(client, world, registration, units):
    client.force_login(world.outsider)
    response = client.post(
        reverse("par:add"), {"unit": [f"{registration.pk}:{units[1].pk}"]}, follow=True
    )
    assert "Nothing was saved" in response.content.decode()
    assert not UnitSelection.objects.exists()


def registration_ids(learners):
    return Registration.objects.filter(learner__in=learners).values_list("pk", flat=True)


@pytest.mark.parametrize("mode", ["all", "qualification", "name"])
def test_individual_pages_query_count_is_flat_from_20_to_2000_learners(
    client, world, many_learners, units, mode, django_assert_max_num_queries
):
    client.force_login(world.admin)
    params = {"mode": mode, "qualification": world.qualification.pk, "q": "P"}
    counts = []
    for size in (20, 2000):
        learners = many_learners(size - len(counts) * 20)
        UnitSelection.objects.bulk_create(
            [UnitSelection(registration_id=r, unit=units[1]) for r in registration_ids(learners)]
        )
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, params)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # At most (by qualification): session, user with memberships, the qualifications for the
    # form with their tallies (the chosen one found among them: its count), the page, its
    # units, selections and their holders (batches and claims, one statement). The other
    # modes read their count in a statement of its own.
    assert counts[1] <= (7 if mode == "qualification" else 8), counts


@pytest.mark.parametrize("mode", ["name", "qualification"])
def test_opening_a_filter_tab_shows_no_error_before_anything_is_typed(member_client, mode):
    """Issue 14: the first screen of the guide's journey says nothing went wrong."""
    response = member_client.get(URL, {"mode": mode})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" not in page
    assert "is-invalid" not in page
    assert "There is a problem" not in page
    assert "invalid-feedback" not in page


def test_filter_by_qualification_pressed_with_none_chosen_says_what_to_do(member_client):
    response = member_client.get(URL, {"mode": "qualification", "qualification": ""})
    page = response.content.decode()
    assert "Choose a qualification</div>" in page
    assert "There is a problem" in page
    assert '<a href="#id_qualification"' in page
