"""R-DL-1 in Chromium on the demo as `make run` loads it: the moderator prepares a whole
batch as one download, follows its progress, gets the notice and downloads the zip."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from centres.demo import DEMO_PASSWORD
from centres.models import User
from downloads.models import DownloadRequest
from hub import outbox
from moderation.models import BatchDocument
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    """No broker and no worker: the download waits, Queued, until the test runs the outbox
    sweep (the worker's work); the page, polling, then shows it Ready."""
    monkeypatch.setattr(outbox, "send", lambda message_id: None)


def test_moderator_prepares_and_downloads_a_whole_batch(page, live_server):
    call_command("seed_demo", "--quiet")
    outbox.sweep()  # the demo's own emails, so the one run below is the build
    moderator = User.objects.get(email="moderator@demo.test")
    login(page, live_server, moderator, DEMO_PASSWORD)

    page.get_by_role("link", name="Moderation queue").click()
    page.get_by_role("table").first.get_by_role("link").first.click()
    page.get_by_role("button", name="Prepare download").wait_for()
    batch_pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    files = BatchDocument.objects.current().filter(batch_id=batch_pk)
    expected = sorted(document.original_name for document in files)
    assert expected
    page.get_by_role("button", name="Prepare download").click()

    status = page.get_by_test_id("download-status")
    status.get_by_role("heading", name="Queued").wait_for()
    assert page.get_by_role("progressbar", name="Files added").count() == 1
    assert_accessible(page)
    download = DownloadRequest.objects.get(requested_by=moderator)
    assert outbox.sweep() >= 1  # the worker builds it

    status.get_by_role("heading", name="Ready").wait_for(timeout=15_000)
    status.get_by_text("manifest.csv").wait_for()
    assert_accessible(page)
    with page.expect_download() as caught:
        page.get_by_role("link", name=f"Download {download.title}.zip").click()
    archive = zipfile.ZipFile(io.BytesIO(caught.value.path().read_bytes()))
    names = archive.namelist()
    assert names[0] == "manifest.csv"
    assert len(names) == 1 + len(expected)
    assert sorted(name.rsplit("/", 1)[1].split(" - ")[-1] for name in names[1:]) == expected
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert {row["File name"] for row in manifest} == set(names[1:])
    assert any(row["P number"].startswith("P") for row in manifest)

    # The notice says it is ready and leads back to the download.
    page.goto(live_server.url + reverse("home"))
    notices = page.get_by_role("region", name="Your notices")
    notices.get_by_role("link", name=f"Your download is ready: {download.title}").click()
    page.wait_for_url(f"**{reverse('downloads:detail', args=[download.pk])}")
    page.get_by_test_id("download-status").get_by_role("heading", name="Ready").wait_for()
