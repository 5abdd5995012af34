"""Issue 12.6: "Add all selected units." audits only the selections it really made.

Parallel or repeated posts of the same ticks used to write an audit row per unit per request,
so the history told of selections that never happened.
"""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from centres.models import AuditEvent
from par.models import UnitSelection
from par.services import selections_add


def test_posting_the_same_ticks_twice_writes_one_audit_row_per_selection(
    member_client, world, registration, units
):
    ticks = {"unit": [f"{registration.pk}:{u.pk}" for u in units[:3]]}
    first = member_client.post(reverse("par:add"), ticks, follow=True).content.decode()
    second = member_client.post(reverse("par:add"), ticks, follow=True).content.decode()
    assert "3 units selected." in first
    assert "0 units selected. 3 had been selected already." in second
    assert UnitSelection.objects.filter(registration=registration).count() == 3
    events = AuditEvent.objects.filter(action="par.select")
    assert events.count() == 3
    assert sorted(e.detail["unit"] for e in events) == sorted(u.pk for u in units[:3])


def test_a_row_a_colleague_inserted_first_is_neither_counted_nor_audited(
    world, registration, units, monkeypatch
):
    """The colleague's row lands between our check and our insert."""
    real_filter = UnitSelection.objects.filter

    def filter_missing_the_colleague(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        UnitSelection.objects.bulk_create(
            [UnitSelection(registration=registration, unit=units[0])], ignore_conflicts=True
        )
        return qs.none()

    monkeypatch.setattr(UnitSelection.objects, "filter", filter_missing_the_colleague)
    outcome = selections_add(
        actor=world.admin,
        centre=world.centre,
        pairs=[(registration.pk, units[0].pk), (registration.pk, units[1].pk)],
    )
    monkeypatch.undo()
    assert (outcome.created, outcome.already_selected) == (1, 1)
    assert list(AuditEvent.objects.values_list("detail__unit", flat=True)) == [units[1].pk]


def test_inserted_selections_carry_who_and_when(world, registration, units):
    before = timezone.now()
    selections_add(actor=world.admin, centre=world.centre, pairs=[(registration.pk, units[0].pk)])
    selection = UnitSelection.objects.get()
    assert selection.selected_by == world.admin
    assert before - timedelta(seconds=1) <= selection.selected_at <= timezone.now()
    assert (selection.result, selection.result_at, selection.result_source) == ("", None, "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (the PostgreSQL leg)"
)
def test_parallel_posts_of_the_same_ticks_audit_each_selection_once(world, many_learners, units):
    """Six requests at once, each adding the same 40 selections: 40 rows, 40 audit rows."""
    learners = many_learners(20)
    pairs = [(lr.registrations.get().pk, u.pk) for lr in learners for u in units[:2]]
    start = threading.Barrier(6)
    errors: list[BaseException] = []
    created: list[int] = []

    def post():
        try:
            start.wait()
            created.append(
                selections_add(actor=world.admin, centre=world.centre, pairs=pairs).created
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(created) == len(pairs) == 40
    assert UnitSelection.objects.count() == 40
    assert AuditEvent.objects.filter(action="par.select").count() == 40
