"""Checks on every uploaded file, by content rather than by name (R-BAT-2).

Uploads arrive on disk (FILE_UPLOAD_MAX_MEMORY_SIZE = 0), so the checks read headers and
zip listings from the temporary file and never load a whole file into memory.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from PIL import Image, UnidentifiedImageError

from .models import DocumentKind

P_NUMBER = re.compile(r"(?<![A-Za-z0-9])P\d{4,9}(?!\d)", re.IGNORECASE)
MAX_ZIP_MEMBERS = 500
MAX_ZIP_DEPTH = 1  # a zip inside the zip is fine; a zip inside that is not
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff"}
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ACCEPTED = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, an image (JPEG, PNG, GIF, WebP, TIFF) or a zip"
)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int


def max_bytes(kind: str) -> int:
    megabytes = (
        settings.HUB_MAX_SAMPLE_MB if kind == DocumentKind.SAMPLE else settings.HUB_MAX_DOCUMENT_MB
    )
    return megabytes * 1024 * 1024


class SizeLimitHandler(FileUploadHandler):
    """Stop storing an upload the moment it passes ``limit`` bytes.

    Runs first in the chain, so an oversize file never fills the disk: Django reads and
    drops the rest, and the view finds the name in ``request.oversize_uploads``.
    """

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        request.oversize_uploads = []

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.oversize_uploads.append((self.field_name, self.file_name))
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def oversize_message(name: str, kind: str) -> str:
    return (
        f"“{safe_filename(name)}” is larger than {max_bytes(kind) // (1024 * 1024)} MB, "
        "the limit here. Nothing was saved."
    )


def safe_filename(name: str, default: str = "document") -> str:
    """The file's own name without folders, control characters or quotes, for downloads."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r'["\\/:*?<>|;]', "_", name).strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or default


def p_numbers(text: str) -> set[str]:
    return {m.upper() for m in P_NUMBER.findall(text)}


def check_upload(upload, kind: str, *, learner_p_number: str = "") -> CheckedFile:
    """Refuse a file that is too big, of a type we do not take, or in the wrong section."""
    name = upload.name or ""
    limit = max_bytes(kind)
    if upload.size > limit:
        raise ValidationError(
            f"“{safe_filename(name)}” is {upload.size / 1024 / 1024:.1f} MB; "
            f"the limit here is {limit // (1024 * 1024)} MB."
        )
    if upload.size == 0:
        raise ValidationError(f"“{safe_filename(name)}” is empty.")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    content_type = _sniff(upload, head)
    if content_type == "application/zip":
        names = _check_zip(upload)
        _check_zip_section(names, kind, learner_p_number)
    elif kind == DocumentKind.BRIEF and p_numbers(name):
        raise ValidationError(
            "This file is named with a learner's P number: learner work goes in the "
            "learner's slot on the batch page, not in the Assessment Brief section."
        )
    if kind == DocumentKind.SAMPLE and learner_p_number:
        others = p_numbers(name) - {learner_p_number.upper()}
        if others:
            raise ValidationError(
                f"This file is named with {', '.join(sorted(others))}, but the slot is for "
                f"{learner_p_number}. Upload it to that learner's slot."
            )
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=upload.size)


def _sniff(upload, head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(OLE2_SIGNATURE):
        return "application/x-ole-storage"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_family(upload)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in IMAGE_TYPES:
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError("This image is damaged and cannot be opened.") from exc
        finally:
            upload.seek(0)
        return kind.mime
    raise ValidationError(f"This type of file is not accepted. Upload {ACCEPTED}.")


def _zip_family(upload) -> str:
    """Office documents are zips too: tell a .docx from a zip of files by its parts."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
                raise ValidationError("This Office file is not a Word, Excel or PowerPoint file.")
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace")
                if mimetype.startswith("application/vnd.oasis.opendocument."):
                    return mimetype
    except zipfile.BadZipFile as exc:
        raise ValidationError("This zip file is damaged and cannot be opened.") from exc
    finally:
        upload.seek(0)
    return "application/zip"


def _check_zip(upload) -> list[str]:
    """Open the zip and check its listing; return every member name, nested ones included."""
    budget = settings.HUB_MAX_ZIP_UNCOMPRESSED_MB * 1024 * 1024
    state = {"members": 0, "bytes": 0}
    names: list[str] = []
    try:
        with zipfile.ZipFile(upload) as archive:
            _walk_zip(archive, 0, state, budget, names)
    except zipfile.BadZipFile as exc:
        raise ValidationError("This zip file is damaged and cannot be opened.") from exc
    except RuntimeError as exc:  # zipfile's answer to an encrypted member it cannot read
        raise ValidationError("This zip holds password-protected files.") from exc
    finally:
        upload.seek(0)
    return names


def _walk_zip(archive: zipfile.ZipFile, depth: int, state: dict, budget: int, names: list) -> None:
    for info in archive.infolist():
        if info.is_dir():
            continue
        state["members"] += 1
        state["bytes"] += info.file_size
        names.append(info.filename)
        if info.flag_bits & 0x1:
            raise ValidationError(
                f"“{safe_filename(info.filename)}” in this zip is password-protected; "
                "the moderator could not open it."
            )
        if state["members"] > MAX_ZIP_MEMBERS:
            raise ValidationError(f"This zip holds more than {MAX_ZIP_MEMBERS} files.")
        if state["bytes"] > budget:
            raise ValidationError(
                f"This zip unpacks to more than {settings.HUB_MAX_ZIP_UNCOMPRESSED_MB} MB."
            )
        if info.filename.lower().endswith(".zip"):
            if depth + 1 > MAX_ZIP_DEPTH:
                raise ValidationError("This zip holds zips inside zips; unpack them one level.")
            with archive.open(info) as member, zipfile.ZipFile(member) as inner:
                _walk_zip(inner, depth + 1, state, budget, names)


def _check_zip_section(names: list[str], kind: str, learner_p_number: str) -> None:
    """R-BAT-2: a zip of learner work belongs in the learners' slots, not the document slots."""
    found = set().union(*(p_numbers(n) for n in names)) if names else set()
    if kind in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF) and found:
        section = DocumentKind(kind).label
        raise ValidationError(
            f"This zip holds files named with learners' P numbers ({', '.join(sorted(found)[:3])}"
            f"{'…' if len(found) > 3 else ''}). Learner work goes in each learner's slot on the "
            f"batch page, not in the {section} section."
        )
    if kind == DocumentKind.SAMPLE and learner_p_number:
        others = found - {learner_p_number.upper()}
        if others:
            raise ValidationError(
                f"This zip holds work named with other learners' P numbers "
                f"({', '.join(sorted(others)[:3])}). Upload each learner's work to their own slot."
            )
