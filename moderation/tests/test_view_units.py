"""R-BAT-4, R-BAT-5: "Select Units to Pass on Batch" and "Submit"."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.tests.factories import LearnerFactory, RegistrationFactory
from moderation import services
from moderation.models import BatchStatus
from par.models import UnitSelection

from .factories import bulk_learner_units, make_batch, selections_for

S = BatchStatus


def url(batch):
    return reverse("moderation:batch-units", args=[batch.pk])


def test_r_bat_4_lists_current_learners_and_only_par_units_have_boxes(member_client, world):
    registration = world.learner.registrations.get()
    selections = [
        UnitSelection.objects.create(registration=registration, unit=unit)
        for unit in world.qualification.units.order_by("code")[:2]
    ]
    no_par = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Nopar"),
        qualification=world.qualification,
    ).learner
    lapsed = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Lapsed"),
        qualification=world.qualification,
        is_current=False,
    ).learner
    batch = make_batch(world)
    page = member_client.get(url(batch)).content.decode()
    for selection in selections:
        assert f'name="selection" value="{selection.pk}"' in page
    assert page.count('name="selection"') == 2  # the other two units are not on PAR
    assert no_par.membership_number in page
    assert "has not had their units selected on PAR" in page
    assert reverse("par:index") in page
    assert lapsed.membership_number not in page
    assert world.other_learner.membership_number not in page


def test_r_bat_4_units_in_open_batch_or_passed_show_why_and_no_box(member_client, world):
    first, second, *_ = selections_for(world.learner, world.qualification)
    other = make_batch(world, S.WITH_MODERATOR, selections=[first])
    second.result, second.result_at = "pass", timezone.now()
    second.save()
    batch = make_batch(world)
    page = member_client.get(url(batch)).content.decode()
    assert f'value="{first.pk}"' not in page and f'value="{second.pk}"' not in page
    assert f"in batch {other.pk} (With Moderator)" in page
    assert "already passed (Pass)" in page


def test_r_bat_5_submit_makes_centre_completing(member_client, world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    response = member_client.post(url(batch), {"selection": ids[:3]})
    assert response["Location"] == reverse("moderation:batch-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING
    assert batch.units.count() == 3


def test_r_bat_4_refusal_keeps_the_ticks(member_client, world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    make_batch(
        world,
        S.CENTRE_COMPLETING,
        selections=[selections_for(world.learner, world.qualification)[3]],
    )
    # The fourth unit was claimed by a colleague after this page was loaded.
    response = member_client.post(url(batch), {"selection": ids})
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be claimed" in page
    assert f'value="{ids[0]}" id="sel-{ids[0]}" checked' in page
    batch.refresh_from_db()
    assert batch.status == S.DRAFT


def test_units_page_needs_the_documents_first(member_client, world):
    batch = make_batch(world, documents=False)
    response = member_client.get(url(batch))
    assert response["Location"] == reverse("moderation:batch-documents", args=[batch.pk])


# Queries per GET of one page, whatever the number of learners: the request's session with
# its user and their centres (one statement), the batch with the counts at the top, its
# documents and the learners registered (one statement, the tally: the page's count when
# nothing filters it), the page's rows, its units, their holders (batches and claims, one
# statement). A search counts its learners: one more.
UNITS_PAGE_QUERIES = 5


@pytest.mark.parametrize("learners", [20, 1000])
def test_query_count_and_size_flat(
    member_client, world, django_assert_num_queries, settings, learners
):
    """20 and 1,000 learners: the same queries, and one page's worth of HTML."""
    settings.HUB_PAGE_SIZE = 50
    bulk_learner_units(world.centre, world.qualification, learners)
    batch = make_batch(world)
    with django_assert_num_queries(UNITS_PAGE_QUERIES):
        response = member_client.get(url(batch))
    page = response.content.decode()
    on_page = min(learners + 1, 50)  # the bulk learners and world.learner
    assert page.count('name="selection"') == (on_page - 1) * 4
    assert len(response.content) < 200_000
    assert f"{learners + 1:,} learners registered and current" in page
    with django_assert_num_queries(UNITS_PAGE_QUERIES + 1):
        found = member_client.get(url(batch), {"q": "learner"}).content.decode()
    assert f"{learners:,} learners found" in found


def test_search_by_name_or_p_number(member_client, world):
    bulk_learner_units(world.centre, world.qualification, 30)
    batch = make_batch(world)
    page = member_client.get(url(batch), {"q": "learner00007"}).content.decode()
    assert "Learner00007, Bulk" in page
    assert "Learner00008" not in page and "Ashworth" not in page
    assert "1 learner found" in page
    p_number = world.learner.membership_number
    page = member_client.get(url(batch), {"q": p_number.lower()}).content.decode()
    assert f"({p_number})" in page and "Learner00007" not in page
    # Every word must match: first name and surname together.
    first = world.learner.first_name
    page = member_client.get(url(batch), {"q": f"{first} ashworth"}).content.decode()
    assert "Ashworth" in page and "1 learner found" in page
    page = member_client.get(url(batch), {"q": "nobody-called-this"}).content.decode()
    assert "No learner matches this search." in page


def test_only_learners_with_units_free_to_claim(member_client, world):
    taken = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Taken"),
        qualification=world.qualification,
    ).learner
    make_batch(world, S.WITH_MODERATOR, selections=selections_for(taken, world.qualification))
    passed = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Passed"),
        qualification=world.qualification,
    ).learner
    UnitSelection.objects.filter(
        pk__in=[s.pk for s in selections_for(passed, world.qualification)]
    ).update(result="pass", result_at=timezone.now())
    no_par = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Nopar"),
        qualification=world.qualification,
    ).learner
    mine = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre, last_name="Mine"),
        qualification=world.qualification,
    ).learner
    batch = make_batch(world)
    # Units already on this batch are still tickable here (they can be unticked).
    services.batch_select_units(
        actor=world.admin,
        batch=batch,
        add=[s.pk for s in selections_for(mine, world.qualification)],
    )
    selections_for(world.learner, world.qualification)
    everyone = member_client.get(url(batch)).content.decode()
    for learner in (taken, passed, no_par, mine, world.learner):
        assert learner.membership_number in everyone
    free = member_client.get(url(batch), {"show": "free"}).content.decode()
    for learner in (taken, passed, no_par):
        assert learner.membership_number not in free
    for learner in (mine, world.learner):
        assert learner.membership_number in free
    assert "2 learners found" in free


def test_pages_have_numbers_and_keep_the_search(member_client, world, settings):
    settings.HUB_PAGE_SIZE = 10
    bulk_learner_units(world.centre, world.qualification, 45)
    batch = make_batch(world)
    first = member_client.get(url(batch), {"q": "bulk"}).content.decode()
    assert "45 learners found; showing 1&ndash;10" in first
    assert 'aria-label="Page 5"' in first and "q=bulk&amp;page=2" in first
    assert "Learner00000" in first and "Learner00010" not in first
    third = member_client.get(url(batch), {"q": "bulk", "page": 3}).content.decode()
    assert "showing 21&ndash;30" in third
    assert "Learner00020" in third and "Learner00019" not in third


def _choices(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="selection" value="(\d+)"', page)}


def _checked(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'value="(\d+)" id="sel-\d+" checked', page)}


def test_ticks_are_kept_across_pages(member_client, world, settings):
    settings.HUB_PAGE_SIZE = 10
    bulk_learner_units(world.centre, world.qualification, 25)
    batch = make_batch(world)
    page_one = member_client.get(url(batch)).content.decode()
    shown = _choices(page_one)
    ticked = set(sorted(shown)[:6])
    response = member_client.post(
        url(batch) + "?page=1",
        {"action": "save", "shown": ",".join(map(str, shown)), "selection": list(ticked)},
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=1")
    assert set(batch.units.values_list("selection_id", flat=True)) == ticked
    page_two = member_client.get(url(batch), {"page": 2}).content.decode()
    assert "6 units selected for 2 learners" in page_two
    assert not _checked(page_two)
    again = member_client.get(url(batch), {"page": 1}).content.decode()
    assert _checked(again) == ticked
    # Unticking a saved box on the page takes that unit off the batch; other pages keep theirs.
    keep = set(sorted(ticked)[:2])
    member_client.post(
        url(batch), {"action": "save", "shown": ",".join(map(str, shown)), "selection": list(keep)}
    )
    assert set(batch.units.values_list("selection_id", flat=True)) == keep


def test_saving_the_same_ticks_twice_inserts_once(member_client, world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    data = {"action": "save", "shown": ",".join(map(str, ids)), "selection": ids[:2]}
    member_client.post(url(batch), data)
    response = member_client.post(url(batch), data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert batch.units.count() == 2


def test_tick_all_matching_in_one_request(member_client, world):
    bulk_learner_units(world.centre, world.qualification, 30)
    first, second, *_ = selections_for(world.learner, world.qualification)
    other = make_batch(world, S.CENTRE_COMPLETING, selections=[first])
    second.result, second.result_at = "pass", timezone.now()
    second.save()
    outsider_units = selections_for(world.other_learner, world.qualification)
    batch = make_batch(world)
    response = member_client.post(url(batch), {"action": "add_matching"})
    assert response.status_code == 302
    expected = set(
        UnitSelection.objects.filter(registration__learner__centre=world.centre)
        .exclude(pk__in=[first.pk, second.pk])
        .values_list("pk", flat=True)
    )
    assert len(expected) == 30 * 4 + 2
    assert set(batch.units.values_list("selection_id", flat=True)) == expected
    assert other.units.get().selection_id == first.pk  # still only in the other batch
    assert not batch.units.filter(selection__in=outsider_units).exists()
    page = member_client.get(url(batch)).content.decode()
    assert "122 units selected for 31 learners" in page
    # A second click adds nothing.
    response = member_client.post(url(batch), {"action": "add_matching"}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert batch.units.count() == 122


# The request's session with its user and their centres (one statement) and batch; per service (the page's ticks, then tick
# all) a savepoint, the batch row lock and the member check; the one INSERT ... SELECT; the
# centre and the audit row; the outer savepoint.
TICK_ALL_QUERIES = 15


@pytest.mark.parametrize("learners", [20, 1000])
def test_tick_all_matching_queries_flat(member_client, world, django_assert_num_queries, learners):
    """20 and 1,000 learners: the same queries, the units inserted by one statement."""
    bulk_learner_units(world.centre, world.qualification, learners)
    batch = make_batch(world)
    with django_assert_num_queries(TICK_ALL_QUERIES):
        response = member_client.post(url(batch), {"action": "add_matching"})
    assert response.status_code == 302
    assert batch.units.count() == learners * 4


def test_tick_all_matching_the_search_only(member_client, world):
    bulk_learner_units(world.centre, world.qualification, 30)
    batch = make_batch(world)
    response = member_client.post(url(batch) + "?q=learner0001", {"action": "add_matching"})
    assert response["Location"].endswith("?q=learner0001")
    names = set(batch.units.values_list("selection__registration__learner__last_name", flat=True))
    assert names == {f"Learner{i:05d}" for i in range(10, 20)}
    assert batch.units.count() == 40
    # Untick all for a narrower search leaves the rest.
    member_client.post(url(batch) + "?q=learner00019", {"action": "remove_matching"})
    assert batch.units.count() == 36


def test_tick_all_matching_outsider_404_and_nothing_added(client, world):
    bulk_learner_units(world.centre, world.qualification, 5)
    batch = make_batch(world)
    client.force_login(world.outsider)
    assert client.post(url(batch), {"action": "add_matching"}).status_code == 404
    assert not batch.units.exists()


def test_double_submit_claims_once(member_client, world):
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    batch = make_batch(world)
    data = {"action": "submit", "shown": ",".join(map(str, ids)), "selection": ids}
    first = member_client.post(url(batch), data)
    second = member_client.post(url(batch), data)
    assert (
        first["Location"]
        == second["Location"]
        == reverse("moderation:batch-detail", args=[batch.pk])
    )
    assert batch.units.count() == 4
    assert batch.history.filter(to_status=S.CENTRE_COMPLETING).count() == 1


def test_unknown_action_is_refused(member_client, world):
    batch = make_batch(world)
    assert member_client.post(url(batch), {"action": "explode"}).status_code == 400


def test_units_outsider_404(client, world):
    batch = make_batch(world)
    client.force_login(world.outsider)
    assert client.get(url(batch)).status_code == 404
