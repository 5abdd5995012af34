"""The orphan sweep (issue 12): files left in storage by killed work go; nothing a row names does.

Each orphan is made the way it happens: an upload whose request died after the file was
stored (the transaction rolled back), and a certificate PDF stored by a worker that died
before the row was updated with its name. Run on local disk and on the moto S3 server.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, certificate_key
from certificates.tests.factories import issued_certificate
from hub import orphans
from hub import tasks as hub_tasks
from hub.locks import held
from moderation import services as moderation_services
from moderation.models import BatchDocument, BatchStatus, DocumentKind
from moderation.tests.factories import PDF_BYTES, bulk_learner_units, make_batch, pdf

pytestmark = pytest.mark.django_db


def _open_batch(world):
    # Its own learner: world.learner's units are on the certificate's Complete batch.
    selections = bulk_learner_units(world.centre, world.qualification, 1)
    return make_batch(world, BatchStatus.CENTRE_COMPLETING, selections=selections)


def _upload_whose_request_dies(client, world, monkeypatch, batch) -> str:
    """Post learner work while the history write fails: the file is stored, the row is not."""
    unit = batch.units.order_by("pk").first()
    before = set(_all_names())

    def dies(*args, **kwargs):
        raise RuntimeError("the request's process is killed here")

    monkeypatch.setattr(moderation_services, "_history", dies)
    client.force_login(world.admin)
    client.raise_request_exception = False
    response = client.post(
        reverse("moderation:sample-upload", args=[batch.pk, unit.pk]), {"file": pdf("work.pdf")}
    )
    monkeypatch.undo()
    assert response.status_code == 500
    assert not BatchDocument.objects.filter(batch=batch, kind=DocumentKind.SAMPLE).exists()
    (stored,) = set(_all_names()) - before
    return stored


def _pdf_whose_worker_dies() -> str:
    """What certificates.services._render_pdfs does before its UPDATE, then nothing."""
    return default_storage.save(certificate_key(None, ""), ContentFile(b"%PDF-1.4 drawn"))


def _all_names() -> list[str]:
    return [name for folder in orphans.folders() for name in orphans._walk(default_storage, folder)]


def _scene(client, world, monkeypatch) -> dict[str, str]:
    """Referenced files (a document and a certificate PDF) and two orphans of killed work."""
    certificate = issued_certificate(world)
    batch = _open_batch(world)
    document = moderation_services.batch_upload_document(
        actor=world.admin, batch=batch, kind=DocumentKind.BRIEF, upload=pdf("brief.pdf")
    )
    # A file outside every folder the models write to: never the sweep's business.
    outside = default_storage.save("exports/kept-by-someone-else.txt", ContentFile(b"not ours"))
    return {
        "document": document.file.name,
        "certificate": certificate.pdf.name,
        "outside": outside,
        "dead upload": _upload_whose_request_dies(client, world, monkeypatch, batch),
        "dead worker": _pdf_whose_worker_dies(),
    }


def _age(names, hours: int) -> None:
    """Make local files look ``hours`` old (their modification time is what the sweep reads)."""
    then = time.time() - hours * 3600
    for name in names:
        os.utime(default_storage.path(name), (then, then))


def test_folders_are_those_the_models_write_to():
    folders = orphans.folders()
    assert {"certificates", "learner-imports", "moderation", "print-runs"} <= set(folders)
    assert "exports" not in folders  # a folder no model writes to is never looked at


def test_local_disk_old_orphans_go_referenced_and_recent_files_stay(client, world, monkeypatch):
    files = _scene(client, world, monkeypatch)
    _age(files.values(), hours=25)
    recent = _pdf_whose_worker_dies()  # a worker may be about to commit its row

    removed = orphans.sweep(grace=timedelta(hours=24))

    assert sorted(removed) == sorted([files["dead upload"], files["dead worker"]])
    for name in (files["document"], files["certificate"], files["outside"], recent):
        assert default_storage.exists(name), name
    for name in removed:
        assert not default_storage.exists(name)
    # What the rows name still opens.
    assert BatchDocument.objects.get(file=files["document"]).file.read() == PDF_BYTES
    assert Certificate.objects.get(pdf=files["certificate"]).pdf.read().startswith(b"%PDF-")
    assert orphans.sweep(grace=timedelta(hours=24)) == []  # nothing left to do


def test_nothing_goes_within_the_grace_period(client, world, monkeypatch):
    files = _scene(client, world, monkeypatch)
    _age(files.values(), hours=23)
    assert orphans.sweep(grace=timedelta(hours=24)) == []
    assert all(default_storage.exists(name) for name in files.values())


def test_a_file_a_row_comes_to_name_is_kept(world, monkeypatch):
    # Between the chunk's query and the deletion a row is updated to name the file (a slow
    # worker's UPDATE): the last-moment check keeps it.
    name = _pdf_whose_worker_dies()
    _age([name], hours=48)
    certificate = issued_certificate(world)
    real = orphans.referenced
    calls = []

    def referenced_then_attached(names, storage=default_storage):
        calls.append(list(names))
        if len(calls) == 2:  # the last-moment check
            Certificate.objects.filter(pk=certificate.pk).update(pdf=name)
        return real(names, storage)

    monkeypatch.setattr(orphans, "referenced", referenced_then_attached)
    assert orphans.sweep(grace=timedelta(hours=24)) == []
    assert default_storage.exists(name)


def test_the_sweep_stops_at_its_limit_and_the_next_run_goes_on(world):
    names = [_pdf_whose_worker_dies() for _ in range(3)]
    _age(names, hours=48)
    first = orphans.sweep(grace=timedelta(hours=24), limit=2)
    assert len(first) == 2
    second = orphans.sweep(grace=timedelta(hours=24), limit=2)
    assert sorted(first + second) == sorted(names)


def test_beat_task_takes_the_orphan_sweep_lock(world):
    name = _pdf_whose_worker_dies()
    _age([name], hours=48)
    with held("orphan-sweep", ttl=60) as acquired:
        assert acquired
        assert hub_tasks.orphan_sweep.run() is None  # another beat's copy: skipped
    assert default_storage.exists(name)
    assert hub_tasks.orphan_sweep.run() == 1
    assert not default_storage.exists(name)


@pytest.mark.services
def test_s3_old_orphans_go_referenced_and_recent_files_stay(client, world, monkeypatch, s3):
    files = _scene(client, world, monkeypatch)
    assert set(files.values()) <= set(s3.stored_keys())

    # Objects just stored are within the grace period: nothing goes.
    assert orphans.sweep(grace=timedelta(hours=24)) == []
    assert set(files.values()) <= set(s3.stored_keys())

    # A day later (S3 keeps its own LastModified; the clock is moved instead).
    later = timezone.now() + timedelta(hours=25)
    removed = orphans.sweep(grace=timedelta(hours=24), now=later)

    assert sorted(removed) == sorted([files["dead upload"], files["dead worker"]])
    stored = set(s3.stored_keys())
    assert {files["document"], files["certificate"], files["outside"]} <= stored
    assert not stored & set(removed)
    assert s3.read(files["document"]) == PDF_BYTES
