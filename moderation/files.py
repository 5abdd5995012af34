"""Checks on every uploaded file, by content rather than by name (R-BAT-2).

Uploads arrive on disk (FILE_UPLOAD_MAX_MEMORY_SIZE = 0), so the checks read headers and
zip listings from the temporary file and never load a whole file into memory. Every check
costs bounded CPU, memory and time whatever the file holds: zips are read forward once, each
member inflated in chunks and stopped at a cap, and a deadline is checked inside every loop.

``inspect_upload`` is the expensive part (content, structure, zips) and runs before the
batch row is locked; ``check_placement`` is the cheap part (P numbers in names against the
slot) and runs under the lock. ``check_upload`` does both, for callers that need one step.
"""

from __future__ import annotations

import logging
import re
import stat
import struct
import tempfile
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from PIL import Image, UnidentifiedImageError

from .models import DocumentKind

logger = logging.getLogger(__name__)
P_NUMBER = re.compile(r"(?<![A-Za-z0-9])P\d{4,9}(?!\d)", re.IGNORECASE)
MAX_NAME_CHARS = 255  # what Windows and macOS allow; longer names only come from scripts
STORED_NAME_CHARS = 150
MAX_ZIP_MEMBERS = 500
MAX_ZIP_ENTRIES = 2 * MAX_ZIP_MEMBERS  # files and folders together
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024  # the central directory of 1,000 long names
MAX_ZIP_DEPTH = 1  # a zip inside the zip is fine; a zip inside that is not
MAX_CONTAINER_DEPTH = 3  # a zip of Word files with Excel charts inside: zip > docx > xlsx
# Documents and photos shrink a little in a zip, text and XML up to 20-50 times; a member
# that inflates more than this per compressed byte (past the first few MB) is a zip bomb.
MAX_RATIO = 100
RATIO_FLOOR = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 89_478_485  # Pillow's own bomb threshold: 1 GB of RGBA
CHUNK = 64 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff"}
PDF = "application/pdf"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
DOC, XLS, PPT = "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OOXML_TYPES = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
ODF = "application/vnd.oasis.opendocument."
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ACCEPTED = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, an image (JPEG, PNG, GIF, WebP, TIFF) or a zip"
)
# What each checked type is called, the extensions it may carry (the first is the one a
# download gets when the stored name has another), for users' messages and downloads.
TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    PDF: ("a PDF", ("pdf",)),
    ZIP: ("a zip file", ("zip",)),
    DOC: ("a Word document", ("doc", "dot")),
    XLS: ("an Excel workbook", ("xls", "xlt")),
    PPT: ("a PowerPoint presentation", ("ppt", "pps", "pot")),
    OLE: ("an Office document", ("doc", "dot", "xls", "xlt", "ppt", "pps", "pot")),
    DOCX: ("a Word document", ("docx", "docm", "dotx", "dotm")),
    XLSX: ("an Excel workbook", ("xlsx", "xlsm", "xltx", "xltm")),
    PPTX: ("a PowerPoint presentation", ("pptx", "pptm", "ppsx", "ppsm", "potx")),
    ODF + "text": ("an OpenDocument text", ("odt", "ott")),
    ODF + "spreadsheet": ("an OpenDocument spreadsheet", ("ods", "ots")),
    ODF + "presentation": ("an OpenDocument presentation", ("odp", "otp")),
    ODF + "graphics": ("an OpenDocument drawing", ("odg", "otg")),
    "image/jpeg": ("a JPEG image", ("jpg", "jpeg", "jpe", "jfif")),
    "image/png": ("a PNG image", ("png",)),
    "image/gif": ("a GIF image", ("gif",)),
    "image/webp": ("a WebP image", ("webp",)),
    "image/tiff": ("a TIFF image", ("tif", "tiff")),
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    name: str = ""
    members: tuple[str, ...] = field(default=())  # every name in a zip, nested ones included


def max_bytes(kind: str) -> int:
    megabytes = (
        settings.HUB_MAX_SAMPLE_MB if kind == DocumentKind.SAMPLE else settings.HUB_MAX_DOCUMENT_MB
    )
    return megabytes * 1024 * 1024


def check_seconds() -> float:
    return float(settings.HUB_UPLOAD_CHECK_SECONDS)


class SizeLimitHandler(FileUploadHandler):
    """Stop storing an upload the moment it passes ``limit`` bytes, or its name is too long.

    Runs first in the chain, so an oversize file never fills the disk: Django reads and
    drops the rest, and the view finds the name in ``request.oversize_uploads``. A name
    longer than any desktop allows is refused here too (``request.refused_uploads``): the
    temporary-file handler after this one would otherwise fail on it.
    """

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        request.oversize_uploads = []
        request.refused_uploads = []

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        if len(file_name or "") > MAX_NAME_CHARS:
            self.request.refused_uploads.append((field_name, long_name_message(file_name)))
            raise SkipFile()

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


def long_name_message(name: str | None = None) -> str:
    length = f"{len(name):,} characters" if name else "too long"
    return (
        f"This file's name is {length}; the most is {MAX_NAME_CHARS}. Rename the file with a "
        "shorter name and upload it again. Nothing was saved."
    )


def unreadable_upload_response(request) -> HttpResponse:
    """Django could not read the upload (a part's header passed 1 KB: a file name of ~1,000
    characters): say so in words, not a bare "Bad Request (400)". Nothing was changed."""
    message = (
        "This upload could not be read: the file's name is probably far too long (the most "
        f"is {MAX_NAME_CHARS} characters). Rename the file with a shorter name and upload it "
        "again. Nothing was saved."
    )
    if request.headers.get("HX-Request") == "true":  # a slot's upload: no page to show it in
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(
        request, "moderation/upload_refused.html", {"message": message, "back": back}, status=400
    )


def safe_filename(name: str, default: str = "document") -> str:
    """The file's own name without folders, control characters or quotes, for downloads."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r'["\\/:*?<>|;]', "_", name).strip(" .")
    if len(name) > STORED_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: STORED_NAME_CHARS - len(ext) - 1].rstrip(" .") + dot + ext)
            if dot and len(ext) <= 10
            else name[:STORED_NAME_CHARS]
        )
    return name or default


def _extension(name: str) -> str:
    stem, dot, ext = safe_filename(name, default="").rpartition(".")
    return ext.lower() if dot and stem and 0 < len(ext) <= 10 else ""


def download_name(name: str, content_type: str) -> str:
    """The name to send a file under: its own, with an extension that matches its checked type.

    A file stored before extensions were checked (a PDF named ``x.html``) goes out as
    ``x.pdf``, so no browser or desktop opens it as anything else.
    """
    name = safe_filename(name)
    known = TYPES.get(content_type)
    extensions = known[1] if known else ("bin",)
    if _extension(name) in extensions:
        return name
    stem = name.rpartition(".")[0] if _extension(name) else name
    return f"{stem or 'document'}.{extensions[0]}"


def p_numbers(text: str) -> set[str]:
    return {m.upper() for m in P_NUMBER.findall(text)}


# --- the checks -----------------------------------------------------------------------------
class _Deadline:
    """Wall and CPU time for one file's checks; ``check`` sits inside every loop."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.wall = time.monotonic() + seconds
        self.cpu = time.thread_time() + seconds  # this thread's own CPU, right under threads

    def check(self) -> None:
        if time.monotonic() > self.wall or time.thread_time() > self.cpu:
            raise ValidationError(
                f"This file took more than {self.seconds:g} seconds to check, so nothing was "
                "saved. Zip fewer files together, or upload them one at a time."
            )


def check_upload(upload, kind: str, *, learner_p_number: str = "") -> CheckedFile:
    """Refuse a file that is too big, of a type we do not take, or in the wrong section."""
    checked = inspect_upload(upload, kind)
    check_placement(checked, kind, learner_p_number=learner_p_number)
    return checked


def inspect_upload(upload, kind: str) -> CheckedFile:
    """Check the file's content and structure; the costly part, done before any row lock.

    The form runs it when the request's files are cleaned, outside any transaction; the
    answer is kept on the upload, so the service's own call costs nothing (once per upload).
    """
    cached = getattr(upload, "hub_checked", None)
    if cached is not None and cached[0] == kind:
        return cached[1]
    checked = _inspect(upload, kind)
    upload.hub_checked = (kind, checked)
    return checked


def _inspect(upload, kind: str) -> CheckedFile:
    name = upload.name or ""
    shown = safe_filename(name)
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(long_name_message(name))
    limit = max_bytes(kind)
    if upload.size > limit:
        raise ValidationError(
            f"“{shown}” is {upload.size / 1024 / 1024:.1f} MB; "
            f"the limit here is {limit // (1024 * 1024)} MB."
        )
    if upload.size == 0:
        raise ValidationError(f"“{shown}” is empty.")
    deadline = _Deadline(check_seconds())
    try:
        content_type, members = _check_content(upload, deadline)
    except ValidationError:
        raise
    except Exception as exc:
        # A parser tripped on a shape nobody planned for: the file is refused, never a 500.
        logger.warning("Upload %r refused: its check failed with %r", shown, exc)
        raise ValidationError(
            f"“{shown}” is damaged and cannot be opened. Save it again and upload the new copy."
        ) from exc
    finally:
        upload.seek(0)
    _check_extension(shown, content_type)
    return CheckedFile(content_type=content_type, size=upload.size, name=shown, members=members)


def _check_content(upload, deadline: _Deadline) -> tuple[str, tuple[str, ...]]:
    upload.seek(0)
    head = upload.read(8192)
    if head.startswith(b"%PDF-"):
        return _check_pdf(upload, deadline), ()
    if head.startswith(OLE2_SIGNATURE):
        return _check_ole(upload, deadline), ()
    if head.startswith(ZIP_SIGNATURES[:2]):
        return _check_zip(upload, deadline)
    return _check_image(upload, head, deadline), ()


def check_placement(checked: CheckedFile, kind: str, *, learner_p_number: str = "") -> None:
    """R-BAT-2: refuse learner work in the document sections, or another learner's in a slot."""
    if checked.content_type == ZIP:
        _check_zip_section(list(checked.members), kind, learner_p_number)
        return
    if kind == DocumentKind.BRIEF and p_numbers(checked.name):
        raise ValidationError(
            "This file is named with a learner's P number: learner work goes in the "
            "learner's slot on the batch page, not in the Assessment Brief section."
        )
    if kind == DocumentKind.SAMPLE and learner_p_number:
        others = p_numbers(checked.name) - {learner_p_number.upper()}
        if others:
            raise ValidationError(
                f"This file is named with {', '.join(sorted(others))}, but the slot is for "
                f"{learner_p_number}. Upload it to that learner's slot."
            )


def _not_accepted() -> ValidationError:
    return ValidationError(f"This type of file is not accepted. Upload {ACCEPTED}.")


def _password_protected(what: str) -> ValidationError:
    return ValidationError(
        f"This {what} is password-protected, so the moderator could not open it. Save a copy "
        "without the password and upload that."
    )


def _check_extension(name: str, content_type: str) -> None:
    """The name must say what the file is: a PNG named scan.pdf is refused, saying so."""
    ext = _extension(name)
    label, extensions = TYPES[content_type]
    if ext and ext not in extensions:
        stem = name.rpartition(".")[0]
        raise ValidationError(
            f"“{name}” is named as a .{ext} file but it is {label}. Rename it "
            f"“{stem}.{extensions[0]}”, or save it in the type its name says, and upload it again."
        )


# --- PDF --------------------------------------------------------------------------------------
def _check_pdf(upload, deadline: _Deadline) -> str:
    """A header, an end marker and no encryption; read from both ends, never the whole file."""
    upload.seek(0)
    if not re.match(rb"%PDF-[12]\.\d", upload.read(16)):
        raise ValidationError("This PDF is damaged: its header is not a PDF version.")
    tail = _read_tail(upload, 64 * 1024)
    eof = tail.rfind(b"%%EOF")
    if eof < 0:
        # Some writers append padding after the end marker: look further back, in chunks.
        eof = _find_backwards(upload, b"%%EOF", deadline)
        if eof < 0:
            raise ValidationError(
                "This PDF is incomplete (it has no end marker): it was cut short while being "
                "saved or sent. Save or export it again and upload the new copy."
            )
        upload.seek(max(0, eof - 64 * 1024))
        tail = upload.read(64 * 1024 + 5)
    if _pdf_encrypted(upload, tail):
        raise _password_protected("PDF")
    return PDF


def _read_tail(upload, length: int) -> bytes:
    upload.seek(max(0, upload.size - length))
    return upload.read(length)


def _find_backwards(upload, needle: bytes, deadline: _Deadline) -> int:
    end = upload.size
    while end > 0:
        deadline.check()
        start = max(0, end - 1024 * 1024)
        upload.seek(start)
        at = upload.read(end - start + len(needle)).rfind(needle)
        if at >= 0:
            return start + at
        end = start
    return -1


def _pdf_encrypted(upload, tail: bytes) -> bool:
    """The last trailer, or the cross-reference stream it points at, names /Encrypt."""
    trailer = tail.rfind(b"trailer")
    if trailer >= 0 and b"/Encrypt" in tail[trailer:]:
        return True
    found = re.findall(rb"startxref\s+(\d{1,12})", tail)
    if found:
        offset = int(found[-1])
        if 0 < offset < upload.size:
            upload.seek(offset)
            block = upload.read(16 * 1024)
            dictionary = block.split(b"stream", 1)[0] if b"/XRef" in block else b""
            return b"/Encrypt" in dictionary
    return False


# --- Office 97-2003 (OLE2 compound files) ------------------------------------------------------
def _check_ole(upload, deadline: _Deadline) -> str:
    """Which Office program's file this is, and whether a password protects it."""
    if upload.size < 0x4C:  # shorter than the header's fixed fields: a signature and no file
        raise ValidationError(
            "This Office file is incomplete: it was cut short while being saved or sent. Save "
            "it again and upload the new copy."
        )
    streams = _ole_directory(upload, deadline)
    if streams is None:  # too damaged to read the directory: Office may still repair it
        return OLE
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        # A password-protected .docx, .xlsx or .pptx is an encrypted package in OLE2.
        raise _password_protected("Office file")
    if "WordDocument" in streams:
        fib = _ole_stream_head(upload, streams["WordDocument"], 12)
        if len(fib) == 12 and struct.unpack_from("<H", fib, 10)[0] & 0x0100:  # fEncrypted
            raise _password_protected("Word document")
        return DOC
    for book in ("Workbook", "Book"):
        if book in streams:
            head = _ole_stream_head(upload, streams[book], 512)
            if len(head) >= 8:
                # FILEPASS (0x2F) straight after BOF means the workbook is encrypted.
                bof_length = struct.unpack_from("<H", head, 2)[0]
                at = 4 + bof_length
                if at + 2 <= len(head) and struct.unpack_from("<H", head, at)[0] == 0x2F:
                    raise _password_protected("Excel workbook")
            return XLS
    if "PowerPoint Document" in streams:
        if "EncryptedSummary" in streams:
            raise _password_protected("PowerPoint presentation")
        return PPT
    return OLE


def _ole_directory(upload, deadline: _Deadline) -> dict[str, tuple[int, int, int]] | None:
    """Stream name -> (start sector, size, sector size) from the compound file's directory."""
    upload.seek(0)
    header = upload.read(512)
    if len(header) < 512:
        return None
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return None
    size = 1 << shift
    per_sector = size // 4
    sectors = max(1, upload.size // size)
    fat_count, first_dir = struct.unpack_from("<II", header, 0x2C)
    mini_cutoff, _, _, first_difat, difat_count = struct.unpack_from("<IIIII", header, 0x38)
    if fat_count > sectors:
        return None
    fat = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < 0xFFFFFFFA]
    sector, seen = first_difat, 0
    while sector < 0xFFFFFFFA and seen < min(difat_count, sectors) and len(fat) < fat_count:
        deadline.check()
        upload.seek((sector + 1) * size)
        block = upload.read(size)
        if len(block) < size:
            return None
        entries = struct.unpack(f"<{per_sector}I", block)
        fat.extend(s for s in entries[:-1] if s < 0xFFFFFFFA)
        sector, seen = entries[-1], seen + 1

    def next_sector(current: int) -> int:
        index, slot = divmod(current, per_sector)
        if index >= len(fat):
            return 0xFFFFFFFE
        upload.seek((fat[index] + 1) * size + slot * 4)
        raw = upload.read(4)
        return struct.unpack("<I", raw)[0] if len(raw) == 4 else 0xFFFFFFFE

    streams: dict[str, tuple[int, int, int]] = {}
    sector, visited = first_dir, set()
    while sector < 0xFFFFFFFA and sector not in visited and len(visited) < sectors:
        deadline.check()
        visited.add(sector)
        upload.seek((sector + 1) * size)
        block = upload.read(size)
        for at in range(0, len(block) - 127, 128):
            name_length, kind = struct.unpack_from("<HB", block, at + 64)
            if kind in (1, 2, 5) and 2 <= name_length <= 64:
                name = block[at : at + name_length - 2].decode("utf-16-le", "replace")
                start, length = struct.unpack_from("<II", block, at + 116)
                streams[name] = (start, length if length >= mini_cutoff else 0, size)
        sector = next_sector(sector)
    return streams


def _ole_stream_head(upload, entry: tuple[int, int, int], length: int) -> bytes:
    """The first bytes of a stream held in normal sectors (small ones live elsewhere)."""
    start, size, sector_size = entry
    if not size:
        return b""
    upload.seek((start + 1) * sector_size)
    return upload.read(min(length, size, sector_size))


# --- images -----------------------------------------------------------------------------------
def _check_image(upload, head: bytes, deadline: _Deadline) -> str:
    kind = filetype.guess(head)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise _not_accepted()
    damaged = ValidationError(
        "This image is damaged or incomplete and cannot be opened. Save it again and upload "
        "the new copy."
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            image.verify()  # PNG: every chunk's checksum, up to the end chunk
        deadline.check()
        if kind.mime == "image/jpeg":
            # Decode at an eighth of the size: cheap, and a cut-short JPEG fails here.
            upload.seek(0)
            with Image.open(upload) as image:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except Image.DecompressionBombError as exc:
        numbers = re.findall(r"\d+", str(exc))
        pixels = f"{int(numbers[0]):,} pixels" if numbers else "too many pixels"
        raise ValidationError(
            f"This image has {pixels}; the most we take is {MAX_IMAGE_PIXELS:,}. Save it at a "
            "smaller size and upload it again."
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise damaged from exc
    if kind.mime == "image/png" and _find_backwards(upload, b"IEND\xaeB`\x82", deadline) < 0:
        raise damaged  # Pillow's verify stops quietly at the end of a PNG cut short
    if kind.mime == "image/gif" and _read_tail(upload, 1) != b";":
        raise damaged  # every GIF ends with its trailer byte
    if kind.mime == "image/webp":
        declared = struct.unpack_from("<I", head, 4)[0] + 8
        if declared > upload.size:
            raise damaged
    return kind.mime


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        f"This image is {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
        f"the most we take is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels. Save it at a smaller "
        "size and upload it again."
    )


# --- zips -------------------------------------------------------------------------------------
@dataclass
class _ZipBudget:
    deadline: _Deadline
    limit: int
    members: int = 0
    declared: int = 0
    inflated: int = 0
    names: list[str] = field(default_factory=list)

    def too_big(self) -> ValidationError:
        return ValidationError(
            f"This zip unpacks to more than {self.limit // (1024 * 1024)} MB. Split the files "
            "into smaller zips."
        )


@dataclass
class _Archive:
    names: list[str]
    mimetype: bytes = b""
    manifest: bytes = b""

    @property
    def is_document(self) -> bool:
        """An Office or OpenDocument file (a zip of its parts), not a zip of someone's files."""
        return "[Content_Types].xml" in self.names or self.mimetype.startswith(ODF.encode())

    @property
    def content_type(self) -> str:
        if "[Content_Types].xml" in self.names:
            for prefix, mime in OOXML_TYPES.items():
                if any(n.startswith(prefix) for n in self.names):
                    return mime
            raise ValidationError("This Office file is not a Word, Excel or PowerPoint file.")
        mimetype = self.mimetype.decode("ascii", "replace").strip()
        if mimetype in TYPES and mimetype.startswith(ODF):
            return mimetype
        return ZIP


def _check_zip(upload, deadline: _Deadline) -> tuple[str, tuple[str, ...]]:
    """Check a zip (or an Office file, which is a zip) and every zip inside it, once."""
    budget = _ZipBudget(deadline, settings.HUB_MAX_ZIP_UNCOMPRESSED_MB * 1024 * 1024)
    archive = _check_archive(upload, upload.size, budget, depth=0, zip_depth=0)
    content_type = archive.content_type
    if content_type.startswith(ODF) and b"encryption-data" in archive.manifest:
        raise _password_protected("OpenDocument file")
    if content_type == ZIP and not archive.names:
        raise ValidationError("This zip is empty: it holds no files. Zip the files again.")
    return content_type, tuple(budget.names) if content_type == ZIP else ()


def _damaged_zip(detail: str = "") -> ValidationError:
    return ValidationError(
        "This zip file is damaged and cannot be opened"
        + (f" ({detail})" if detail else "")
        + ". Zip the files again and upload the new copy."
    )


def _directory_size(source, size: int) -> tuple[int, int]:
    """(entries, central directory bytes) from the end record, before zipfile reads them."""
    source.seek(max(0, size - 65_557))
    tail = source.read(65_557)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _damaged_zip()
    disk, cd_disk, _, entries, cd_size = struct.unpack_from("<HHHHI", tail, at + 4)
    if disk or cd_disk:
        raise ValidationError("This is one part of a split zip. Upload a single, whole zip.")
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= 20:
        locator = tail[at - 20 : at]
        if locator[:4] == b"PK\x06\x07":
            source.seek(struct.unpack_from("<Q", locator, 8)[0])
            record = source.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                entries, cd_size = struct.unpack_from("<QQ", record, 32)
    return entries, cd_size


def _check_archive(source, size: int, budget: _ZipBudget, *, depth: int, zip_depth: int):
    entries, cd_size = _directory_size(source, size)
    if entries > MAX_ZIP_ENTRIES or budget.members + entries > MAX_ZIP_ENTRIES:
        raise ValidationError(f"This zip holds more than {MAX_ZIP_MEMBERS} files.")
    if cd_size > MAX_ZIP_DIRECTORY_BYTES:
        raise _damaged_zip("its list of files is far too long")
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:  # reads the central directory, once
            infos = archive.infolist()
            directory_start = archive.start_dir
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise _damaged_zip() from exc
    result = _Archive(names=[i.filename for i in infos])
    _check_listing(infos, budget)
    infos.sort(key=lambda i: i.header_offset)
    for index, info in enumerate(infos):
        end = infos[index + 1].header_offset if index + 1 < len(infos) else directory_start
        nested = _inflate_member(source, info, end, budget)
        if info.filename == "mimetype":
            result.mimetype = nested.captured
        elif info.filename == "META-INF/manifest.xml":
            result.manifest = nested.captured
        if nested.spool is None:
            continue
        with nested.spool:
            nested_size = nested.spool.tell()
            if depth + 1 > MAX_CONTAINER_DEPTH:
                raise ValidationError("This zip holds files nested too deeply inside each other.")
            names_before = len(budget.names)
            inner = _check_archive(
                nested.spool, nested_size, budget, depth=depth + 1, zip_depth=zip_depth + 1
            )
            if not inner.is_document:
                if zip_depth + 1 > MAX_ZIP_DEPTH:
                    raise ValidationError("This zip holds zips inside zips; unpack them one level.")
            else:
                # An Office file's parts are not the learner's files: keep their names out.
                del budget.names[names_before:]
    return result


def _check_listing(infos: list[zipfile.ZipInfo], budget: _ZipBudget) -> None:
    """What the central directory says, checked before a byte is inflated."""
    seen = set()
    for info in infos:
        name = info.filename
        shown = safe_filename(name)
        if not info.is_dir():
            budget.members += 1
            budget.names.append(name)
        if budget.members > MAX_ZIP_MEMBERS:
            raise ValidationError(f"This zip holds more than {MAX_ZIP_MEMBERS} files.")
        budget.declared += info.file_size
        if budget.declared > budget.limit:
            raise budget.too_big()
        path = name.replace("\\", "/")
        if path.startswith("/") or re.match(r"[A-Za-z]:", path):
            raise ValidationError(
                f"“{shown}” in this zip has a full path from the top of a drive. Zip the files "
                "from their own folder and upload again."
            )
        if ".." in path.split("/"):
            raise ValidationError(
                f"“{shown}” in this zip points outside the zip's folder (“..”). Zip the files "
                "from their own folder and upload again."
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ValidationError(
                f"“{shown}” in this zip is a link to another file, not a file. Zip the file "
                "itself and upload again."
            )
        if any(unicodedata.category(ch)[0] == "C" for ch in info.orig_filename):
            raise ValidationError(
                f"“{shown}” in this zip has control characters in its name. Rename it and zip "
                "the files again."
            )
        if path.lower() in seen:
            raise ValidationError(f"This zip holds two files named “{shown}”. Rename one.")
        seen.add(path.lower())
        if info.flag_bits & 0x41 or info.compress_type == 99:  # encrypted, strong or AES
            raise ValidationError(
                f"“{shown}” in this zip is password-protected; the moderator could not open it. "
                "Zip the files again without a password."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValidationError(
                f"“{shown}” in this zip uses a compression method (number "
                f"{info.compress_type}) the moderator's computer may not open. Zip the files "
                "again with your computer's standard “Compress” or “Send to zip” option."
            )


@dataclass
class _Member:
    spool: object | None = None  # the member's bytes, when it is itself a zip
    captured: bytes = b""


def _inflate_member(source, info: zipfile.ZipInfo, end: int, budget: _ZipBudget) -> _Member:
    """Inflate one member forward, in chunks, counting every byte; never trust its sizes."""
    shown = safe_filename(info.filename)
    source.seek(info.header_offset)
    local = source.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise _damaged_zip(f"“{shown}” is missing")
    method, name_length, extra_length = struct.unpack_from("<H", local, 8) + struct.unpack_from(
        "<HH", local, 26
    )
    local_name = source.read(name_length)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if method != info.compress_type or local_name.decode(encoding, "replace") != (
        info.orig_filename
    ):
        raise _damaged_zip(f"“{shown}” is listed differently from how it is stored")
    start = info.header_offset + 30 + name_length + extra_length
    if start + info.compress_size > end:
        # Members that overlap are how the smallest zip bombs reuse one block many times.
        raise _damaged_zip(f"“{shown}” overlaps another file")
    source.seek(start)
    inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None
    member = _Member()
    left, consumed, produced, crc = info.compress_size, 0, 0, 0
    first = b""

    def take(data: bytes) -> None:
        nonlocal produced, crc, first
        produced += len(data)
        budget.inflated += len(data)
        if produced > info.file_size:
            raise ValidationError(
                f"“{shown}” in this zip holds more than its listed size: the zip says one "
                "thing and holds another. Zip the files again."
            )
        if budget.inflated > budget.limit:
            raise budget.too_big()
        if produced > RATIO_FLOOR and produced > MAX_RATIO * max(consumed, 1):
            raise ValidationError(
                f"“{shown}” in this zip expands far more than real documents do (a “zip "
                "bomb”). Zip the original files again."
            )
        crc = zlib.crc32(data, crc)
        if len(first) < 4:
            first += data[: 4 - len(first)]
            if len(first) >= 4 and first.startswith(ZIP_SIGNATURES):
                # Closed by the caller once the nested zip is checked (or on an error here).
                member.spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        if member.spool is not None:
            member.spool.write(data)
        if info.filename in ("mimetype", "META-INF/manifest.xml") and len(member.captured) < (
            1024 * 1024
        ):
            member.captured += data[: 1024 * 1024 - len(member.captured)]

    try:
        while left > 0:
            budget.deadline.check()
            raw = source.read(min(CHUNK, left))
            if not raw:
                raise _damaged_zip(f"“{shown}” is cut short")
            left -= len(raw)
            consumed += len(raw)
            if inflater is None:
                take(raw)
                continue
            data = inflater.decompress(raw, CHUNK)
            take(data)
            while inflater.unconsumed_tail:
                budget.deadline.check()
                take(inflater.decompress(inflater.unconsumed_tail, CHUNK))
            if inflater.eof and (left or inflater.unused_data):
                raise _damaged_zip(f"“{shown}” has data after its end")
        if inflater is not None and not inflater.eof:
            take(inflater.flush())
            if not inflater.eof:
                raise _damaged_zip(f"“{shown}” is cut short")
    except zlib.error as exc:
        if member.spool is not None:
            member.spool.close()
        raise _damaged_zip(f"“{shown}” cannot be unpacked") from exc
    except ValidationError:
        if member.spool is not None:
            member.spool.close()
        raise
    if produced != info.file_size or crc != info.CRC:
        if member.spool is not None:
            member.spool.close()
        detail = "its checksum does not match" if produced == info.file_size else "sizes differ"
        raise _damaged_zip(f"“{shown}”: {detail}")
    return member


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
