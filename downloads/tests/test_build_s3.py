"""R-DL-1 on S3 for real (moto's server over HTTP): the zip goes up as a multipart upload a
part at a time, members are read from the bucket as they arrive, memory stays flat, and the
link is a short-lived signed URL given only after the access check."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from downloads import services
from downloads.models import DownloadStatus, Scope
from hub import outbox
from hub.storage import UPLOAD_PART_BYTES, part_bytes_for
from hub.tests.test_storage_s3 import assert_signed_redirect, fetch, s3_calls
from moderation.models import BatchStatus
from moderation.tests.factories import PDF_BYTES, make_batch
from testsupport.s3 import ACCESS_KEY, REGION, SECRET_KEY

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def test_parts_grow_so_tens_of_gigabytes_fit_in_10000():
    assert part_bytes_for(10 * MB) == UPLOAD_PART_BYTES
    for size in (45 * 1024 * MB, 80 * 1024 * MB, 500 * 1024 * MB):
        assert -(-size // part_bytes_for(size)) <= 10_000


def test_the_zip_is_built_in_the_bucket_and_downloaded_by_signed_url(client, world, s3, settings):
    from django.core.files.storage import default_storage

    batch = make_batch(world, BatchStatus.WITH_MODERATOR, samples=2, moderator=world.moderator)
    download, _ = services.download_prepare(actor=world.moderator, scope=Scope.BATCH, batch=batch)
    calls = s3_calls(default_storage)
    assert outbox.sweep() >= 1
    download.refresh_from_db()
    assert download.status == DownloadStatus.READY
    operations = [name for name, _ in calls]
    assert operations.count("CreateMultipartUpload") == 1
    assert operations.count("CompleteMultipartUpload") == 1
    assert "PutObject" not in operations  # never one whole-object upload
    assert operations.count("GetObject") == 4  # each member read from the bucket
    archive = zipfile.ZipFile(io.BytesIO(s3.read(download.file.name)))
    assert archive.namelist()[0] == "manifest.csv"
    assert all(archive.read(name) == PDF_BYTES for name in archive.namelist()[1:])

    client.force_login(world.moderator)
    response = client.get(reverse("downloads:file", args=[download.pk]))
    location = assert_signed_redirect(
        response, s3, download.file.name, seconds=settings.HUB_SIGNED_URL_SECONDS
    )
    status, body, headers = fetch(location)
    assert status == 200 and body == s3.read(download.file.name)
    assert "attachment" in headers["Content-Disposition"]
    assert fetch(s3.unsigned_url(download.file.name))[0] == 403
    # Another moderator's (or anyone else's) request for it: 404, no URL handed out.
    client.force_login(world.admin)
    assert client.get(reverse("downloads:file", args=[download.pk])).status_code == 404


MEASURE_BUILD = """
import os, tracemalloc
from datetime import datetime, timezone
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from downloads.building import zip_into
from downloads.selectors import Entry

members, size = int(os.environ["MEMBERS"]), int(os.environ["MEMBER_BYTES"])
key = default_storage.save("moderation/member", ContentFile(os.urandom(size)))
entries = [
    Entry(path=f"work-{i}.bin", key=key, size=size, batch=1, learner="", p_number="",
          unit="", uploaded_at=datetime.now(timezone.utc), uploaded_by="")
    for i in range(members)
]
tracemalloc.start()
written = zip_into(default_storage, "downloads/memory-test.zip", expected_size=members * size,
                   manifest=lambda text: text.write("File name\\n"), entries=entries)
print(written, tracemalloc.get_traced_memory()[1])
"""


def test_a_build_never_holds_a_member_or_the_zip_in_memory(s3):
    """Six 8 MB members (48 MB, 10 parts) with a Python memory peak of about one upload part
    and one read chunk; measured in a process of its own, without the S3 server's memory."""
    members, size = 6, 8 * MB
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "AWS_STORAGE_BUCKET_NAME": s3.name,
        "AWS_S3_ENDPOINT_URL": s3.endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "MEMBERS": str(members),
        "MEMBER_BYTES": str(size),
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_BUILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    written, peak = (int(value) for value in result.stdout.split())
    head = s3.head("downloads/memory-test.zip")
    assert head["ContentLength"] == written > members * size
    assert int(head["ETag"].strip('"').rsplit("-", 1)[1]) >= 9  # uploaded in parts
    # A part being filled and sent (with botocore's copy) plus a 1 MB chunk: under three
    # parts, where a member is 8 MB and the zip 48 MB.
    assert peak < 3 * UPLOAD_PART_BYTES, f"peak {peak / MB:.1f} MB"
