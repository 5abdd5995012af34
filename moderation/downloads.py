"""Sending files: one at a time, or a whole batch as a zip streamed as it is written."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from hub.storage import private_download

from .files import download_name, safe_filename
from .models import Batch, BatchDocument, DocumentKind

CHUNK = 64 * 1024


def document_response(document: BatchDocument) -> HttpResponse:
    """The file as an attachment under its own (cleaned) name; never rendered inline.

    The name always ends in an extension of the type the checks found, so a PDF that was
    named ``x.html`` goes out as ``x.pdf``; nosniff keeps browsers to the declared type.
    """
    filename = download_name(document.original_name, document.content_type)
    content_type = document.content_type or "application/octet-stream"
    # On S3 the browser fetches the object itself through a short-lived signed URL.
    return private_download(document.file, filename=filename, content_type=content_type)


class _Pipe:
    """A write-only file for zipfile whose bytes the response generator takes as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def member_path(document: BatchDocument) -> str:
    """Where ``document`` goes in a batch's zip: learner work in a folder per learner."""
    name = download_name(document.original_name, document.content_type)
    if document.kind == DocumentKind.SAMPLE:
        selection = document.batch_unit.selection
        learner = selection.registration.learner
        folder = safe_filename(f"{learner.membership_number} {learner.last_name}")
        return f"Learner work/{folder}/{safe_filename(selection.unit.code)} - {name}"
    return f"{DocumentKind(document.kind).label}/{name}"


def unique_path(path: str, used: set[str]) -> str:
    """``path``, or with " (2)", " (3)"... before the extension if ``used`` holds it; kept."""
    # A second "essay.pdf" becomes "essay (2).pdf": the extension stays last.
    stem, dot, ext = path.rpartition(".")
    if "/" in ext or not dot:
        stem, dot, ext = path, "", ""
    n, candidate = 1, path
    while candidate in used:
        n += 1
        candidate = f"{stem} ({n}){dot}{ext}"
    used.add(candidate)
    return candidate


def batch_entries(batch: Batch) -> list[tuple[str, BatchDocument]]:
    """(name in the zip, document) for every current file of the batch, names unique."""
    documents = (
        BatchDocument.objects.current()
        .filter(batch=batch)
        .select_related(
            "batch_unit__selection__registration__learner", "batch_unit__selection__unit"
        )
        .order_by("kind", "pk")
    )
    used: set[str] = set()
    return [(unique_path(member_path(document), used), document) for document in documents]


def _zip_stream(entries: list[tuple[str, BatchDocument]]) -> Iterator[bytes]:
    pipe = _Pipe()
    # Files are mostly PDFs and Office documents, compressed already: store, do not deflate.
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for path, document in entries:
            with (
                archive.open(path, "w", force_zip64=True) as target,
                document.file.open("rb") as source,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if data := pipe.drain():
                        yield data
            if data := pipe.drain():
                yield data
    yield pipe.drain()


def batch_zip_response(batch: Batch) -> StreamingHttpResponse:
    """Every current file of the batch in one zip, written while it is sent."""
    response = StreamingHttpResponse(
        _zip_stream(batch_entries(batch)), content_type="application/zip"
    )
    name = safe_filename(f"Batch {batch.pk} {batch.centre.number} {batch.qualification.code}.zip")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
