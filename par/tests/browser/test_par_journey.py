"""PAR in Chromium: find a learner, tick units, save; bulk add; check the record."""

import pytest

from centres.tests.factories import PASSWORD, LearnerFactory, RegistrationFactory
from par.models import UnitSelection
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_individual_then_bulk_then_the_learners_record(page, live_server, world):
    units = list(world.qualification.units.order_by("code"))
    others = [
        RegistrationFactory(
            learner=LearnerFactory(centre=world.centre, last_name=name),
            qualification=world.qualification,
        )
        for name in ("Brennan", "Castillo")
    ]
    login(page, live_server, world.admin, PASSWORD)

    page.get_by_role("link", name="ADD Optional Units (Formerly PAR)").click()
    assert_accessible(page)
    page.get_by_role("link", name="Individual Add/Remove").click()

    # R-PAR-1: Filter by Name/Number; pressing Enter searches and loses nothing.
    page.get_by_label("Enter Membership Number or Surname").fill("ashw")
    page.get_by_label("Enter Membership Number or Surname").press("Enter")
    page.get_by_text(world.learner.membership_number).first.wait_for()
    assert page.get_by_label("Enter Membership Number or Surname").input_value() == "ashw"
    assert_accessible(page)

    page.get_by_label(f"{units[1].code} {units[1].title}").check()
    page.get_by_label(f"{units[2].code} {units[2].title}").check()
    page.get_by_role("button", name="Add all selected units.").click()
    page.get_by_text("2 units selected.").wait_for()
    # R-PAR-2: the saved units no longer offer a box.
    assert page.get_by_label(f"{units[1].code} {units[1].title}").count() == 0
    page.get_by_role("link", name="Continue").click()

    # R-PAR-4: Bulk Add Optional Units, units loaded for the chosen qualification.
    page.get_by_role("link", name="Bulk Add Optional Units").click()
    page.get_by_label("Qualification").select_option(str(world.qualification.pk))
    page.get_by_label(f"{units[3].code} {units[3].title}").check()
    page.get_by_role("button", name="List Available Learners").click()
    assert_accessible(page)
    page.get_by_label("Select all learners on this page").check()
    page.get_by_role("button", name="Proceed with Bulk unit update").click()
    page.get_by_text("Bulk unit update done: 3 selections made for 3 learners.").wait_for()

    assert set(
        UnitSelection.objects.filter(unit=units[3]).values_list(
            "registration__learner__last_name", flat=True
        )
    ) == {"Ashworth", "Brennan", "Castillo"}

    # The learner's record shows every unit with its state.
    page.goto(f"{live_server.url}/par/learners/{world.learner.pk}/")
    rows = page.locator("tr.unit-selected")
    assert rows.count() == 3
    assert page.locator("tr.unit-selectable").count() == len(units) - 3
    assert_accessible(page)

    # Remove one again (htmx swaps just this learner's units).
    page.get_by_role("button", name=f"Remove {units[2].code} for {world.learner.full_name}").click()
    page.get_by_text(f"{units[2].code} removed").wait_for()
    assert not UnitSelection.objects.filter(
        registration__learner=world.learner, unit=units[2]
    ).exists()
    assert others[0].unit_selections.count() == 1


def test_bulk_units_are_locked_once_listed_and_change_units_reopens_them(page, live_server, world):
    """Issue 9: listed two units, unticked one, proceeded: both were applied. Now the listed
    units are fixed; "Change units" goes back to choose again."""
    units = list(world.qualification.units.order_by("code"))
    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/par/bulk/")
    page.get_by_label("Qualification").select_option(str(world.qualification.pk))
    page.get_by_label(f"{units[1].code} {units[1].title}").check()
    page.get_by_label(f"{units[2].code} {units[2].title}").check()
    page.get_by_role("button", name="List Available Learners").click()
    page.get_by_role("heading", name="Available learners").wait_for()
    assert_accessible(page)

    # The chosen units are shown as text: no box left to untick.
    chosen = page.locator("#bulk-chosen-units li")
    assert chosen.count() == 2
    assert page.get_by_label(f"{units[2].code} {units[2].title}").count() == 0

    page.get_by_role("link", name="Change units").click()
    page.get_by_label(f"{units[2].code} {units[2].title}").uncheck()
    assert page.get_by_label(f"{units[1].code} {units[1].title}").is_checked()
    page.get_by_role("button", name="List Available Learners").click()
    assert page.locator("#bulk-chosen-units li").count() == 1
    page.get_by_label(f"{world.learner.last_name}, {world.learner.first_name}").check()
    page.get_by_role("button", name="Proceed with Bulk unit update").click()
    page.get_by_text("Bulk unit update done: 1 selection made for 1 learner.").wait_for()
    assert list(
        UnitSelection.objects.filter(registration__learner=world.learner).values_list(
            "unit__code", flat=True
        )
    ) == [units[1].code]
