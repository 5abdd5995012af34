"""Issue 9: the batch page's slots come a page at a time, with a filter and counts on top."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation import services
from moderation.models import BatchDocument, BatchHistory, BatchStatus, BatchUnit, HistoryEvent

from .factories import bulk_learner_units, make_batch, pdf

S = BatchStatus
XHR = {"HX-Request": "true"}  # what htmx sends


def url(batch):
    return reverse("moderation:batch-detail", args=[batch.pk])


def slot_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="slot-(\d+)"', page)]


@pytest.fixture
def two_learners(world, settings):
    """Two learners of four units each (8 slots), three slots a page."""
    settings.HUB_PAGE_SIZE = 3
    selections = bulk_learner_units(world.centre, world.qualification, 2)
    return make_batch(world, S.CENTRE_COMPLETING, selections=selections)


def test_slots_paged_by_learner_then_unit_a_learner_cut_by_the_break_is_continued(
    member_client, two_learners
):
    batch = two_learners
    ordered = list(
        batch.units.order_by(
            "selection__registration__learner__last_name", "selection__unit__code"
        ).values_list("pk", flat=True)
    )
    pages = [member_client.get(url(batch), {"page": n}).content.decode() for n in (1, 2, 3)]
    assert [slot_ids(p) for p in pages] == [ordered[:3], ordered[3:6], ordered[6:]]
    assert "continued" not in pages[0]
    # Page 2: the first learner's fourth unit (continued), then the second learner begins.
    assert pages[1].count("continued</span>") == 1
    assert "Learner00000, Bulk" in pages[1] and "Learner00001, Bulk" in pages[1]
    assert 'aria-current="page"><span class="page-link">2</span>' in pages[1]
    assert 'aria-label="Page 3"' in pages[1]


def test_slots_without_a_file_filter_and_counts_on_top(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    with_file = BatchDocument.objects.get(kind="sample").batch_unit_id
    page = member_client.get(url(batch), {"slots": "missing"}).content.decode()
    assert len(slot_ids(page)) == 3 and with_file not in slot_ids(page)
    assert "data-has-file" not in page
    counts = page.split('data-testid="slot-counts"')[1].split(">", 1)[1].split("</p>")[0]
    counts = " ".join(re.sub(r"<[^>]+>", "", counts).split())
    assert counts == (
        "4 learner-units claimed, 1 with a file, 3 without; minimum sample 4: 3 more needed."
    )
    assert 'active" aria-current="page" href="?slots=missing">Slots without a file</a>' in page
    everything = member_client.get(url(batch)).content.decode()
    assert len(slot_ids(everything)) == 4


def test_slots_to_fill_filter_lists_the_suggested_slots_and_top_ups_still_without_a_file(
    member_client, world, two_learners
):
    """Issue 15: beside "Slots without a file", "Slots to fill" lists the slots the centre
    accepted from "Suggest a sample" (R-SMP-1) and the moderator's top-ups (R-SMP-3) that
    have no file yet, paged and in slot order; a filled one, or an empty slot that is
    neither, is not listed."""
    batch = two_learners
    ordered = list(
        batch.units.order_by(
            "selection__registration__learner__last_name", "selection__unit__code"
        ).values_list("pk", flat=True)
    )
    assert "Slots to fill" not in member_client.get(url(batch)).content.decode()
    BatchUnit.objects.filter(pk__in=[ordered[0], ordered[1], ordered[4], ordered[7]]).update(
        to_fill=True
    )
    BatchUnit.objects.filter(pk=ordered[6]).update(top_up=True)
    for filled in (ordered[7], ordered[2]):  # a slot to fill with its file; a plain slot's
        services.batch_upload_sample(
            actor=world.admin,
            batch=batch,
            batch_unit=BatchUnit.objects.get(pk=filled),
            upload=pdf(f"work {filled}.pdf"),
        )
    pill = (
        'href="?slots=to-fill" data-testid="slots-to-fill">Slots to fill'
        ' <span class="badge rounded-pill text-bg-secondary">4</span></a>'
    )
    assert pill in member_client.get(url(batch)).content.decode()

    first = member_client.get(url(batch), {"slots": "to-fill"}).content.decode()
    second = member_client.get(url(batch), {"slots": "to-fill", "page": 2}).content.decode()
    assert slot_ids(first) == [ordered[0], ordered[1], ordered[4]]
    assert slot_ids(second) == [ordered[6]]
    assert f'active" aria-current="page" {pill}' in first
    assert "Page 1 of 2" in first and "data-has-file" not in first + second
    assert first.count("Slot to fill</span>") == 3 and "Top-up asked for</span>" in second
    # The page's links keep the filter, so an upload comes back to it.
    upload = reverse("moderation:sample-upload", args=[batch.pk, ordered[6]])
    assert f'action="{upload}?slots=to-fill&amp;page=2"' in second

    for pk in (ordered[0], ordered[1], ordered[4], ordered[6]):
        services.batch_upload_sample(
            actor=world.admin,
            batch=batch,
            batch_unit=BatchUnit.objects.get(pk=pk),
            upload=pdf(f"work {pk}.pdf"),
        )
    done = member_client.get(url(batch), {"slots": "to-fill"}).content.decode()
    assert slot_ids(done) == [] and "Every slot to fill has a file." in done
    assert 'text-bg-secondary">0</span></a>' in done


def test_upload_without_script_comes_back_to_the_same_page_and_filter(
    member_client, world, two_learners
):
    batch = two_learners
    page = member_client.get(url(batch), {"page": 2, "slots": "missing"}).content.decode()
    unit_pk = slot_ids(page)[0]
    action = (
        f"{reverse('moderation:sample-upload', args=[batch.pk, unit_pk])}?slots=missing&amp;page=2"
    )
    assert f'action="{action}"' in page
    unit = batch.units.select_related("selection__registration__learner").get(pk=unit_pk)
    p_number = unit.selection.registration.learner.membership_number
    response = member_client.post(action.replace("&amp;", "&"), {"file": pdf(f"{p_number}.pdf")})
    assert response["Location"] == f"{url(batch)}?slots=missing&page=2#slot-{unit_pk}"
    assert BatchDocument.objects.current().filter(batch_unit_id=unit_pk).exists()


def test_xhr_upload_answers_the_slot_with_the_batch_counts_and_keeps_its_links(
    member_client, world
):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    unit = batch.units.exclude(documents__kind="sample").order_by("pk").first()
    upload = reverse("moderation:sample-upload", args=[batch.pk, unit.pk])
    name = f"{world.learner.membership_number} work.pdf"
    response = member_client.post(f"{upload}?slots=missing", {"file": pdf(name)}, headers=XHR)
    assert response.status_code == 200
    assert response["X-Sample-Claimed"] == "4" and response["X-Sample-Uploaded"] == "2"
    body = response.content.decode()
    assert f'data-upload-url="{upload}?slots=missing"' in body
    assert name in body and "data-has-file" in body


def _batch_with_history(world, events: int):
    """A Centre Completing batch with ``events`` history rows a minute apart, "event 00" first."""
    batch = make_batch(world, S.CENTRE_COMPLETING)
    start = timezone.now()
    BatchHistory.objects.bulk_create(
        [
            BatchHistory(
                batch=batch,
                event=HistoryEvent.DOCUMENT,
                note=f"event {i:02d}",
                at=start + timezone.timedelta(minutes=i),
            )
            for i in range(events)
        ]
    )
    return batch


def test_history_paged_newest_first(member_client, world):
    batch = _batch_with_history(world, 25)
    first = member_client.get(url(batch)).content.decode()
    assert "25 events, newest first." in first
    assert "event 24" in first and "event 05" in first and "event 04" not in first
    assert first.index("event 24") < first.index("event 23")
    second = member_client.get(url(batch), {"history_page": 2}).content.decode()
    assert "event 04" in second and "event 00" in second and "event 05" not in second


def test_history_page_read_with_the_counts_and_past_the_end(
    member_client, world, django_assert_max_num_queries
):
    """The history page asked for comes with the counts' statement; a number past the end
    (or not a number) shows the page the paginator picks, read apart."""
    batch = _batch_with_history(world, 25)
    member_client.get(url(batch))
    with django_assert_max_num_queries(4):
        second = member_client.get(url(batch), {"history_page": 2}).content.decode()
    assert "event 04" in second and "event 05" not in second
    for asked in ("9", "0", "x", "-1"):
        page = member_client.get(url(batch), {"history_page": asked}).content.decode()
        last = asked != "x"  # past either end: the last page; not a number: the first
        assert ("event 04" in page) is last and ("event 24" in page) is not last
