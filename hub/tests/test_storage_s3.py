"""Files in S3 for real: a private bucket on moto's S3 server, over HTTP, as in production.

The ``s3`` fixture (testsupport/s3.py) switches the default storage to a fresh bucket with the
options production uses (hub.storage.s3_storage). What is proven here: uploads go to the
bucket in parts and never whole in memory; a download is a redirect to a signed URL that
lives HUB_SIGNED_URL_SECONDS, given only after the access check; certificates and the
moderator's comments document are objects in the bucket; the whole-batch zip is read from
it; an admin's deletion removes the batch's objects; and the bucket refuses unsigned reads.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificates_issue_for_batch
from certificates.tests.factories import complete_batch
from hub.storage import UPLOAD_PART_BYTES
from moderation import services
from moderation.models import BatchDocument, BatchStatus, DocumentKind
from moderation.tests.factories import PDF_BYTES, make_batch, pdf
from testsupport.s3 import ACCESS_KEY, REGION, SECRET_KEY

pytestmark = pytest.mark.services
S = BatchStatus
ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def fetch(url: str) -> tuple[int, bytes, Message]:
    """GET ``url`` as a browser would after a redirect: no credentials but what the URL has."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def s3_calls(storage) -> list[tuple[str, int]]:
    """(operation, request body bytes) of every call the storage's client makes from now on."""
    calls: list[tuple[str, int]] = []

    def record(model, params, **kwargs):
        body = params.get("body")
        size = len(body) if hasattr(body, "__len__") else 0
        calls.append((model.name, size))

    storage.connection.meta.client.meta.events.register("before-call.s3", record)
    return calls


def assert_signed_redirect(response, bucket, key: str, *, seconds: int) -> str:
    assert response.status_code == 302
    location = response["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == bucket.endpoint
    assert parts.path == f"/{bucket.name}/{key}"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == [str(seconds)]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query
    assert response["Cache-Control"] == "private, no-store"
    return location


def test_an_upload_goes_to_the_bucket_in_parts(member_client, world, s3, settings):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = batch.units.first()
    size = 3 * UPLOAD_PART_BYTES - MB  # three parts: 5, 5 and 4 MB
    calls = s3_calls(default_storage)
    response = member_client.post(
        reverse("moderation:sample-upload", args=[batch.pk, unit.pk]),
        {"file": pdf(f"{world.learner.membership_number} essay.pdf", size=size)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    document = BatchDocument.objects.get(batch=batch, kind=DocumentKind.SAMPLE)
    assert s3.stored_keys() == sorted(
        [d.file.name for d in BatchDocument.objects.filter(batch=batch)]
    )
    head = s3.head(document.file.name)
    assert head["ContentLength"] == size == document.size
    # An ETag "<md5>-3" is S3's mark of an object written as a three-part multipart upload.
    assert head["ETag"].strip('"').endswith("-3")
    operations = [name for name, _ in calls]
    assert operations.count("CreateMultipartUpload") == 1
    assert operations.count("UploadPart") == 3
    assert operations.count("CompleteMultipartUpload") == 1
    assert "PutObject" not in operations
    assert max(size for name, size in calls if name == "UploadPart") == UPLOAD_PART_BYTES
    assert s3.read(document.file.name)[: len(PDF_BYTES)] == PDF_BYTES


MEASURE_UPLOAD = """
import os, tracemalloc
import django
django.setup()
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile

size = int(os.environ["UPLOAD_BYTES"])
# What Django hands a view for any upload (FILE_UPLOAD_MAX_MEMORY_SIZE = 0): a file on disk.
upload = TemporaryUploadedFile("work.pdf", "application/pdf", size, None)
block = os.urandom(1024 * 1024)
for _ in range(size // len(block)):
    upload.write(block)
upload.seek(0)
default_storage.exists("warm-up")  # the client and its connection pool, made before measuring
tracemalloc.start()
name = default_storage.save("moderation/memory-test", upload)
print(name, tracemalloc.get_traced_memory()[1])
"""


def test_an_upload_never_holds_the_whole_file_in_memory(s3):
    """A 40 MB upload is saved with a Python memory peak of two or so parts, never the file.

    Measured in a process of its own, so the in-process S3 server's memory (it keeps what it
    receives) is not counted: only what the hub's side of the upload holds.
    """
    size = 40 * MB
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "AWS_STORAGE_BUCKET_NAME": s3.name,
        "AWS_S3_ENDPOINT_URL": s3.endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "UPLOAD_BYTES": str(size),
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_UPLOAD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    name, peak = result.stdout.split()
    assert s3.head(name)["ContentLength"] == size
    assert s3.head(name)["ETag"].strip('"').endswith("-8")
    # One part in flight and the next being read (with their copies): under three parts,
    # whatever the file's size; here under three eighths of it.
    assert int(peak) < 3 * UPLOAD_PART_BYTES, f"peak {int(peak) / MB:.1f} MB"


def test_a_download_is_a_signed_url_given_only_after_the_access_check(client, world, s3, settings):
    batch = make_batch(world, S.CENTRE_COMPLETING, documents=False)
    document = services.batch_upload_sample(
        actor=world.admin,
        batch=batch,
        batch_unit=batch.units.first(),
        upload=pdf(f"{world.learner.membership_number} essay.pdf"),
    )
    url = reverse("moderation:document-download", args=[batch.pk, document.pk])

    client.force_login(world.outsider)
    refused = client.get(url)
    assert refused.status_code == 404
    assert "Location" not in refused
    assert s3.name not in refused.content.decode() and "X-Amz" not in refused.content.decode()

    client.force_login(world.admin)
    response = client.get(url)
    location = assert_signed_redirect(
        response, s3, document.file.name, seconds=settings.HUB_SIGNED_URL_SECONDS
    )
    status, body, headers = fetch(location)
    assert status == 200
    assert body == PDF_BYTES
    # S3 answers with the attachment name and type the view chose, and no cache keeps it.
    assert headers["Content-Disposition"].startswith("attachment;")
    assert f"{world.learner.membership_number} essay.pdf" in headers["Content-Disposition"]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "private, no-store"

    # A signed URL opens only what it was signed for: another key with its query is refused.
    forged = location.replace(document.file.name, "moderation/00/" + "0" * 32)
    assert fetch(forged)[0] == 403


def test_the_bucket_is_private_unsigned_reads_are_refused(world, s3):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    keys = s3.stored_keys()
    assert keys and set(keys) == set(batch.documents.values_list("file", flat=True))
    for key in keys:
        status, body, _ = fetch(s3.unsigned_url(key))
        assert status == 403
        assert PDF_BYTES not in body


def test_certificate_pdfs_live_in_the_bucket_and_download_by_signed_url(
    client, world, s3, settings
):
    batch = complete_batch(world)
    certificates_issue_for_batch(batch_id=batch.pk)
    certificate = Certificate.objects.get(batch=batch)
    assert certificate.pdf.name in s3.stored_keys()
    assert s3.read(certificate.pdf.name).startswith(b"%PDF-")

    url = reverse("certificates:download", args=[certificate.pk])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.director)
    location = assert_signed_redirect(
        client.get(url), s3, certificate.pdf.name, seconds=settings.HUB_SIGNED_URL_SECONDS
    )
    status, body, headers = fetch(location)
    assert status == 200 and body.startswith(b"%PDF-")
    assert f"certificate-{certificate.number}.pdf" in headers["Content-Disposition"]
    assert fetch(s3.unsigned_url(certificate.pdf.name))[0] == 403


def test_the_moderators_comments_document_lives_in_the_bucket(client, world, s3, settings):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    services.batch_set_outcome(
        actor=world.moderator,
        batch=batch,
        outcome="returned",
        comments_file=pdf("Comments for Northgate.pdf"),
    )
    document = BatchDocument.objects.get(batch=batch, kind=DocumentKind.COMMENTS)
    assert document.file.name in s3.stored_keys()
    assert s3.read(document.file.name) == PDF_BYTES

    client.force_login(world.admin)
    response = client.get(reverse("moderation:document-download", args=[batch.pk, document.pk]))
    status, body, headers = fetch(
        assert_signed_redirect(
            response, s3, document.file.name, seconds=settings.HUB_SIGNED_URL_SECONDS
        )
    )
    assert status == 200 and body == PDF_BYTES
    assert "Comments for Northgate.pdf" in headers["Content-Disposition"]


def test_the_whole_batch_zip_streams_from_the_bucket(client, world, s3):
    batch = make_batch(world, S.WITH_MODERATOR, samples=2, moderator=world.moderator)
    client.force_login(world.moderator)
    calls = s3_calls(default_storage)
    response = client.get(reverse("moderation:review-zip", args=[batch.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert calls == []  # nothing is read before the response is sent...
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    # ...then each file is read from the bucket as the zip is written.
    assert [name for name, _ in calls].count("GetObject") == 4
    names = archive.namelist()
    assert "IV Feedback/iv_feedback.pdf" in names
    assert "Assessment Brief/brief.pdf" in names
    assert len([n for n in names if n.startswith("Learner work/")]) == 2
    assert all(archive.read(name) == PDF_BYTES for name in names)
    assert archive.testzip() is None


def test_a_batch_deleted_by_an_admin_removes_its_objects(
    world, s3, django_capture_on_commit_callbacks
):
    doomed = make_batch(world, S.WITH_MODERATOR, samples=1)
    kept = make_batch(world, S.WITH_MODERATOR, centre=world.other_centre, selections=[])
    doomed_keys = set(doomed.documents.values_list("file", flat=True))
    kept_keys = set(kept.documents.values_list("file", flat=True))
    assert doomed_keys | kept_keys == set(s3.stored_keys())

    with django_capture_on_commit_callbacks(execute=True):
        services.batch_admin_delete(actor=world.staff, batch=doomed)
    assert set(s3.stored_keys()) == kept_keys
    for key in doomed_keys:
        assert fetch(s3.unsigned_url(key))[0] in (403, 404)
        with pytest.raises(s3.client.exceptions.ClientError):
            s3.head(key)
