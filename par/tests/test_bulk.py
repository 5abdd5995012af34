"""Bulk Add Optional Units (R-PAR-4)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import EntryType
from centres.tests.factories import LearnerFactory, RegistrationFactory
from par.models import UnitSelection

URL = reverse("par:bulk")


def test_choosing_a_qualification_lists_its_units_without_errors(member_client, world, units):
    body = member_client.get(URL, {"qualification": world.qualification.pk}).content.decode()
    for unit in units:
        assert unit.code in body
    assert "Tick at least one unit" not in body
    assert "List Available Learners" in body


def test_listing_without_units_asks_for_one(member_client, world):
    body = member_client.get(
        URL, {"qualification": world.qualification.pk, "list": "1"}
    ).content.decode()
    assert "Tick at least one unit." in body


def test_r_par_4_lists_current_learners_without_any_chosen_unit(
    member_client, world, registration, units
):
    has_one = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Hasone"),
        qualification=world.qualification,
    )
    UnitSelection.objects.create(registration=has_one, unit=units[2])
    RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Notcurrent"),
        qualification=world.qualification,
        is_current=False,
    )
    partial_entry = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Partial"),
        qualification=world.qualification,
        entry_type=EntryType.UNIT,
    )
    partial_entry.entered_units.add(units[1])
    body = member_client.get(
        URL,
        {"qualification": world.qualification.pk, "units": [units[1].pk, units[2].pk], "list": "1"},
    ).content.decode()
    assert "Ashworth" in body
    assert "Hasone" not in body and "Notcurrent" not in body
    assert "Partial" not in body  # no entry for units[2]: R-PAR-5
    assert "Beaumont" not in body  # another centre


def test_r_par_4_proceed_gives_every_ticked_learner_all_chosen_units(
    member_client, world, registration, units, many_learners
):
    learners = many_learners(3)
    registrations = [registration] + [lr.registrations.get() for lr in learners]
    back = f"{URL}?qualification={world.qualification.pk}&units={units[1].pk}&units={units[2].pk}&list=1"
    response = member_client.post(
        reverse("par:bulk-apply"),
        {
            "qualification": world.qualification.pk,
            "units": [units[1].pk, units[2].pk],
            "registration": [r.pk for r in registrations[:3]],
            "next": back,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Bulk unit update done: 6 selections made for 3 learners." in body
    assert UnitSelection.objects.count() == 6
    for r in registrations[:3]:
        assert set(r.unit_selections.values_list("unit_id", flat=True)) == {
            units[1].pk,
            units[2].pk,
        }
    # The updated learners drop out of the list; the fourth remains.
    assert registrations[3].learner.membership_number in body
    assert registrations[0].learner.membership_number not in body


def test_bulk_skips_learners_who_were_given_a_unit_meanwhile(
    member_client, world, registration, units
):
    UnitSelection.objects.create(registration=registration, unit=units[1])
    response = member_client.post(
        reverse("par:bulk-apply"),
        {
            "qualification": world.qualification.pk,
            "units": [units[1].pk],
            "registration": [registration.pk],
        },
        follow=True,
    )
    assert (
        "0 selections made for 0 learners. 1 ticked learner was no longer available."
        in response.content.decode()
    )


def test_bulk_no_learners_ticked(member_client, world, units):
    response = member_client.post(
        reverse("par:bulk-apply"),
        {"qualification": world.qualification.pk, "units": [units[1].pk]},
        follow=True,
    )
    assert "No learners were ticked" in response.content.decode()


def test_bulk_list_query_count_is_flat_from_20_to_2000(client, world, many_learners, units):
    client.force_login(world.admin)
    params = {
        "qualification": world.qualification.pk,
        "units": [units[1].pk, units[2].pk],
        "list": "1",
    }
    counts = []
    for add in (20, 1980):
        many_learners(add)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, params).status_code == 200
        counts.append(len(ctx.captured_queries))
    # Session, user with memberships, the qualification, its units, the count and the page
    # (the qualification is read once: the form's field takes the one it read).
    assert counts[0] == counts[1] and counts[1] <= 6, counts


def test_bulk_apply_500_learners_is_one_request_of_bulk_writes(client, world, many_learners, units):
    client.force_login(world.admin)
    learners = many_learners(500)
    data = {
        "qualification": world.qualification.pk,
        "units": [units[1].pk],
        "registration": [lr.registrations.get().pk for lr in learners],
    }
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("par:bulk-apply"), data)
    assert response.status_code == 302
    assert UnitSelection.objects.count() == 500
    # No query per learner: 500 rows in a handful of bulk INSERTs.
    assert len(ctx.captured_queries) < 40, len(ctx.captured_queries)


def test_listed_units_are_fixed_and_proceed_applies_exactly_those(
    member_client, world, registration, units
):
    """Issue 9: after "List Available Learners" the unit boxes used to stay editable while
    "Proceed" applied hidden copies; unticking one still selected it."""
    params = {"qualification": world.qualification.pk, "units": [units[1].pk, units[2].pk]}
    body = member_client.get(URL, {**params, "list": "1"}).content.decode()
    assert 'type="checkbox" name="units"' not in body
    assert "List Available Learners" not in body
    listed = body[body.index('id="bulk-chosen-units"') : body.index("Change units")]
    assert units[1].code in listed and units[2].code in listed
    assert units[0].code not in listed and units[3].code not in listed
    hidden = sorted(
        int(chunk.split('"')[0])
        for chunk in body.split('<input type="hidden" name="units" value="')[1:]
    )
    assert hidden == sorted([units[1].pk, units[2].pk])
    change = f'href="{URL}?qualification={world.qualification.pk}&amp;units={units[1].pk}&amp;units={units[2].pk}"'
    assert change in body

    # "Change units" goes back to step one with both still ticked, and nothing listed.
    body = member_client.get(URL, params).content.decode()
    assert body.count(" checked>") == 2
    assert "Available learners" not in body


def test_bulk_pages_keep_every_chosen_unit(client, world, many_learners, units):
    client.force_login(world.admin)
    many_learners(120)
    params = {
        "qualification": world.qualification.pk,
        "units": [units[1].pk, units[2].pk],
        "list": "1",
    }
    body = client.get(URL, params).content.decode()
    assert f"units={units[1].pk}&amp;units={units[2].pk}" in body
    assert "page=2" in body
    second = client.get(URL, {**params, "page": 2}).content.decode()
    assert "121 learners registered and current" in second
    assert "showing 101&ndash;121" in second
