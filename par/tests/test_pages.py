"""PAR's pages of learners (RegistrationPages, hand-written SQL): every page in name order,
by either walk, against the plain sort of the same rows."""

import pytest
from django.db.models import Q
from django.urls import reverse

from centres.models import EntryType, Registration
from centres.tests.factories import LearnerFactory, QualificationFactory, RegistrationFactory
from par import selectors
from par.models import UnitSelection


def expected(world, *conditions, **filters):
    """The registrations the page should list, sorted the slow way."""
    registrations = Registration.objects.filter(
        *conditions, centre=world.centre, is_current=True, **filters
    )
    return list(
        registrations.order_by(
            "qualification__code", "learner__last_name", "learner__first_name", "learner_id"
        ).values_list("pk", flat=True)
    )


def every_page(pages, size=7):
    found = []
    for start in range(0, pages.count(), size):
        found += [r.pk for r in pages[start : start + size]]
    return found


@pytest.fixture
def crowd(world, many_learners, units):
    """40 learners more on the world's qualification, some on a second one; a few with unit
    1 selected, a few on unit entry entered for unit 2 only, one not current."""
    learners = many_learners(40)
    second = QualificationFactory(code="ZZZ-L3")
    for learner in learners[:9]:
        RegistrationFactory(learner=learner, qualification=second)
    registrations = list(
        Registration.objects.filter(learner__in=learners, qualification=world.qualification)
    )
    for registration in registrations[:5]:
        UnitSelection.objects.create(registration=registration, unit=units[1])
    for registration in registrations[5:9]:
        registration.entry_type = EntryType.UNIT
        registration.save()
        registration.entered_units.set([units[2]])
    Registration.objects.filter(pk=registrations[10].pk).update(is_current=False)
    return learners


@pytest.mark.parametrize("sort_at_most", [0, 2000])
def test_every_page_in_name_order_by_either_walk(world, crowd, units, monkeypatch, sort_at_most):
    """0: every group walked off the learner name index (from the nearer end); 2000: sorted."""
    monkeypatch.setattr(selectors, "SORT_AT_MOST", sort_at_most)
    assert every_page(selectors.RegistrationPages(world.centre)) == expected(world)
    assert every_page(
        selectors.RegistrationPages(world.centre, qualification=world.qualification)
    ) == expected(world, qualification=world.qualification)
    term = crowd[3].last_name[1:3].upper()
    found = Q(learner__last_name__icontains=term) | Q(learner__membership_number__icontains=term)
    assert every_page(selectors.RegistrationPages(world.centre, search=term)) == expected(
        world, found
    )
    # Bulk Add: none of units 1 and 2 selected, and a unit-entry learner entered for both;
    # the listing agrees with what "Proceed" would apply (bulk_available_registrations).
    chosen = [units[1].pk, units[2].pk]
    available = set(
        selectors.bulk_available_registrations(
            world.centre, world.qualification, chosen
        ).values_list("pk", flat=True)
    )
    listed = every_page(
        selectors.RegistrationPages(
            world.centre, qualification=world.qualification, available_for=chosen
        )
    )
    assert listed == [
        pk for pk in expected(world, qualification=world.qualification) if pk in available
    ]
    assert len(listed) < len(expected(world, qualification=world.qualification)) - 8


def test_search_matches_surname_or_p_number_any_case_and_escapes_wildcards(world, crowd):
    learner = crowd[0]
    by_number = selectors.RegistrationPages(world.centre, search=learner.membership_number.lower())
    assert {r.learner.pk for r in by_number[0:10]} == {learner.pk}
    assert selectors.RegistrationPages(world.centre, search="%").count() == 0
    assert selectors.RegistrationPages(world.centre, search="_").count() == 0


def test_a_qualification_without_our_learners_is_refused_on_both_filters(member_client, world):
    """Only the centre's qualifications (current registrations there) are accepted: another
    centre's learners on a qualification do not make it ours (R-ACC-2)."""
    theirs = QualificationFactory(code="THEIRS-1")
    RegistrationFactory(
        learner=LearnerFactory(centre=world.other_centre, last_name="Elsewhere"),
        qualification=theirs,
    )
    individual = member_client.get(
        reverse("par:individual"), {"mode": "qualification", "qualification": theirs.pk}
    ).content.decode()
    assert "Select a valid choice" in individual
    assert "Elsewhere" not in individual
    bulk = member_client.get(
        reverse("par:bulk"), {"qualification": theirs.pk, "units": [1], "list": 1}
    ).content.decode()
    assert "Select a valid choice" in bulk
    assert "Elsewhere" not in bulk and "Available learners" not in bulk
    # Ours is offered in both selects, theirs in neither.
    for page in (individual, bulk):
        assert f'value="{world.qualification.pk}"' in page
        assert f'value="{theirs.pk}"' not in page


@pytest.mark.parametrize("probe_below", [0, 1000])
def test_bulk_count_equals_the_orm_count_for_every_choice_of_units(
    world, many_learners, units, monkeypatch, probe_below
):
    """Bulk Add's count is the tally less what the chosen units rule out (hand-written, issue
    9); it must equal the ORM's count of bulk_available_registrations and the rule counted
    in Python, for common and rare units, unit entries entered for all, some or none of the
    chosen units, ended registrations and another centre's learners on the qualification.
    On PostgreSQL, 0: the full entries ruled out found by walking the group; 1000: from the
    chosen units' selections."""
    monkeypatch.setattr(selectors, "PROBE_SELECTIONS_BELOW", probe_below)
    u0, u1, u2, u3 = units
    # Another centre's learners on the same qualification, one holding u3, one a unit entry
    # (made first: add_learners numbers its learners after the highest P number).
    theirs = [world.other_learner.registrations.get()] + [
        RegistrationFactory(
            learner=LearnerFactory(centre=world.other_centre), qualification=world.qualification
        )
        for _ in range(2)
    ]
    ours = list(
        Registration.objects.filter(
            learner__in=many_learners(30), qualification=world.qualification
        ).order_by("pk")
    )
    common, rare, unit_entries, ended = ours[:18], ours[18:19], ours[20:26], ours[26:29]
    for registration in common:  # u0 is common; a third of them also hold u1
        UnitSelection.objects.create(registration=registration, unit=u0)
    for registration in common[::3]:
        UnitSelection.objects.create(registration=registration, unit=u1)
    UnitSelection.objects.create(registration=rare[0], unit=u3)
    entered_for = [[u0, u1], [u1], [u0, u1, u2, u3], [], [u2], [u0, u1]]
    for registration, entered in zip(unit_entries, entered_for, strict=True):
        registration.entry_type = EntryType.UNIT
        registration.save()
        registration.entered_units.set(entered)
    UnitSelection.objects.create(registration=unit_entries[2], unit=u2)
    UnitSelection.objects.create(registration=unit_entries[5], unit=u1)
    # Ended: a full entry holding u0, one holding nothing, a unit entry entered for all.
    UnitSelection.objects.create(registration=ended[0], unit=u0)
    ended[2].entry_type = EntryType.UNIT
    ended[2].save()
    ended[2].entered_units.set(units)
    Registration.objects.filter(pk__in=[r.pk for r in ended]).update(is_current=False)
    UnitSelection.objects.create(registration=theirs[1], unit=u3)
    theirs[2].entry_type = EntryType.UNIT
    theirs[2].save()
    theirs[2].entered_units.set(units)

    def by_rule(chosen):
        count = 0
        for registration in Registration.objects.filter(
            centre=world.centre, qualification=world.qualification, is_current=True
        ).prefetch_related("unit_selections", "entered_units"):
            held = {s.unit_id for s in registration.unit_selections.all()}
            entered = {u.pk for u in registration.entered_units.all()}
            count += not held & set(chosen) and (
                registration.entry_type == EntryType.FULL or set(chosen) <= entered
            )
        return count

    counts = set()
    for chosen in ([u0], [u3], [u2], [u0, u1], [u1, u2], [u2, u3], units, [u0, u0], []):
        chosen = [u.pk for u in chosen]
        pages = selectors.RegistrationPages(
            world.centre, qualification=world.qualification, available_for=chosen
        )
        assert pages.counted_by_units
        orm = selectors.bulk_available_registrations(
            world.centre, world.qualification, chosen
        ).count()
        assert pages.count() == orm == by_rule(chosen), chosen
        assert pages.groups() == ([(world.qualification.pk, orm)] if orm else [])
        assert len(every_page(pages, size=10)) == orm
        counts.add(orm)
    assert len(counts) >= 5  # the choices above rule out different learners
