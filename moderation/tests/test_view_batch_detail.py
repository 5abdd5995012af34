"""The batch page (R-BAT-5, R-BAT-6, R-NEW-3, R-NEW-4): slots, sample, history."""

from django.urls import reverse

from moderation import services
from moderation.models import BatchStatus, CentreSampleRate

from .factories import bulk_learner_units, make_batch, pdf

S = BatchStatus


def url(batch):
    return reverse("moderation:batch-detail", args=[batch.pk])


def test_r_bat_5_one_slot_per_learner_unit_under_the_learners_name(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    page = member_client.get(url(batch)).content.decode()
    assert page.count("data-slot ") == 4
    assert (
        f"{world.learner.last_name}, {world.learner.first_name} ({world.learner.membership_number})"
        in page
    )
    assert page.count("data-slot-upload") == 4
    assert page.count(">X</button>") == 1  # only the slot with a file can be cleared
    assert "Submit Batch</a>" in page


def test_r_bat_6_sample_requirement_shown(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    page = member_client.get(url(batch)).content.decode()
    # The centre's first submission: every claimed learner-unit is needed.
    assert "4 of 4 claimed learner-units (100%" in page
    assert "3 more needed." in page


def test_r_bat_6_page_shows_the_standard_minimum_then_the_centre_rate(member_client, world):
    """The page reads the centre's rate and any earlier submission with its counts."""
    make_batch(world, S.COMPLETE, selections=[])  # submitted before: not the first
    selections = bulk_learner_units(world.centre, world.qualification, 5)[:20]
    batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=1)
    assert "3 of 20 claimed learner-units (15%" in member_client.get(url(batch)).content.decode()
    CentreSampleRate.objects.create(centre=world.centre, percent=50)
    assert "10 of 20 claimed learner-units (50%" in member_client.get(url(batch)).content.decode()


def test_r_bat_8_returned_for_editing_offers_documents_not_learner_work(member_client, world):
    batch = make_batch(world, S.RETURNED, samples=1)
    page = member_client.get(url(batch)).content.decode()
    assert "data-slot-upload" not in page and ">X</button>" not in page
    assert "Replace IV Feedback or Assessment Brief" in page
    assert "Resubmit</button>" in page
    assert "Request deletion" in page
    assert "Delete batch" not in page


def test_r_bat_8_insufficient_sample_offers_learner_work_but_no_x(member_client, world):
    batch = make_batch(world, S.INSUFFICIENT_SAMPLE, samples=1)
    page = member_client.get(url(batch)).content.decode()
    assert page.count("data-slot-upload") == 4
    assert ">X</button>" not in page


def test_r_new_3_r_new_4_history_shows_transitions_and_earlier_versions(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = batch.units.first()
    p = world.learner.membership_number
    for name in ("first.pdf", "second.pdf"):
        services.batch_upload_sample(
            actor=world.admin, batch=batch, batch_unit=unit, upload=pdf(f"{p} {name}")
        )
    services.batch_upload_document(
        actor=world.admin, batch=batch, kind="brief", upload=pdf("brief v2.pdf")
    )
    page = member_client.get(url(batch)).content.decode()
    assert "Earlier versions (1)" in page
    assert f"{p} first.pdf" in page
    assert "replaces brief.pdf, kept as an earlier version" in page
    assert "earlier version</th>" in page


def test_draft_redirects_to_documents(member_client, world):
    batch = make_batch(world)
    assert member_client.get(url(batch))["Location"] == reverse(
        "moderation:batch-documents", args=[batch.pk]
    )


def test_query_count_and_size_flat_at_20_and_1000_learner_units(
    member_client, world, django_assert_max_num_queries, settings
):
    """Issue 9: one page of slots, the same queries and at most 200 KB whatever the size."""
    measured = []
    for learners in (5, 250):
        selections = bulk_learner_units(world.centre, world.qualification, learners)
        batch = make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=learners)
        # Session with its user and memberships; the batch (with its centre, qualification,
        # moderator); the counts (slots, files, sample basis, slots to fill, history); the
        # page's slots (a window of the order index joined to learners and units) with
        # their files and the batch's documents, one statement; the page of history.
        with django_assert_max_num_queries(5) as queries:
            response = member_client.get(url(batch))
        page = response.content.decode()
        assert page.count("data-slot ") == min(learners * 4, settings.HUB_PAGE_SIZE)
        assert f"<span data-slots-claimed>{learners * 4}</span> learner-units claimed" in page
        assert len(response.content) <= 200_000
        measured.append(len(queries))
        # "Slots to fill" (issue 15): the same statements, filtered.
        batch.units.update(to_fill=True)
        with django_assert_max_num_queries(5) as queries:
            response = member_client.get(url(batch), {"slots": "to-fill"})
        page = response.content.decode()
        assert page.count("data-slot ") == min(learners * 3, settings.HUB_PAGE_SIZE)
        assert len(response.content) <= 200_000
        measured.append(len(queries))
    assert len(set(measured)) == 1


def test_outsider_404_and_post_405(client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    client.force_login(world.outsider)
    assert client.get(url(batch)).status_code == 404
    client.force_login(world.admin)
    assert client.post(url(batch)).status_code == 405
