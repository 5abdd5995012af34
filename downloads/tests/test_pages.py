"""The downloads pages: what each side is offered, and queries pinned at two sizes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from downloads.models import DownloadStatus
from moderation.models import BatchStatus
from moderation.tests.factories import bulk_learner_units, make_batch

from .factories import make_download

S = BatchStatus
INDEX = reverse("downloads:index")


def _batches(world, count, **kwargs):
    return [
        make_batch(
            world,
            S.WITH_MODERATOR,
            selections=bulk_learner_units(world.centre, world.qualification, 1),
            samples=1,
            **kwargs,
        )
        for _ in range(count)
    ]


def test_the_centre_is_offered_each_qualification_and_sees_its_downloads(member_client, world):
    batch = _batches(world, 1)[0]
    make_download(world.admin, batch)
    make_download(world.director, batch)  # someone else's: not listed
    page = member_client.get(INDEX).content.decode()
    assert f"{world.qualification.code} {world.qualification.title}" in page
    assert (
        reverse("downloads:prepare-qualification", args=[world.centre.pk, world.qualification.pk])
        in page
    )
    assert page.count(f"Batch {batch.pk}</a>") == 1
    assert "everything sent to me" not in page


def test_the_moderator_is_offered_their_centres_and_the_month(client, world):
    _batches(world, 1, moderator=world.moderator)
    client.force_login(world.moderator)
    page = client.get(INDEX).content.decode()
    assert f"{world.centre.number} {world.centre.name}: {world.qualification.code}" in page
    assert "everything sent to me in" in page


@pytest.mark.parametrize("size", [1, 12])
def test_index_queries_do_not_grow(member_client, world, size, django_assert_num_queries):
    for batch in _batches(world, size):
        make_download(world.admin, batch)
    member_client.get(INDEX)  # warm the session
    # session with the user and their memberships, the choices (one grouped query), the downloads
    with django_assert_num_queries(3):
        response = member_client.get(INDEX)
    assert response.content.decode().count("Ready</td>") == size


@pytest.mark.parametrize("size", [1, 12])
def test_detail_queries_do_not_grow(member_client, world, size, django_assert_num_queries):
    batch = _batches(world, size)[-1]
    download = make_download(world.admin, batch, status=DownloadStatus.BUILDING)
    url = reverse("downloads:detail", args=[download.pk])
    member_client.get(url)
    # session with the user and their memberships, the download with its scope
    with django_assert_num_queries(2):
        response = member_client.get(url)
    assert "Building" in response.content.decode()


def test_the_pages_are_valid_html(member_client, world):
    """Issue 14's bar: the Nu HTML Checker finds nothing on the list and each state."""
    from testsupport import nu

    if reason := nu.missing_reason():
        pytest.skip(reason)
    batch = _batches(world, 1)[0]
    pages = {"index": member_client.get(INDEX).content.decode()}
    for status in (DownloadStatus.QUEUED, DownloadStatus.READY, DownloadStatus.EXPIRED):
        download = make_download(world.admin, batch, status=status)
        url = reverse("downloads:detail", args=[download.pk])
        pages[status] = member_client.get(url).content.decode()
    pages["index with downloads"] = member_client.get(INDEX).content.decode()
    assert nu.check(pages) == {}
