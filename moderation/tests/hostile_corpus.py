"""Hostile (and a few honest) files, made by code: no binaries are committed (issue 12).

``corpus()`` returns every case: a name, the bytes, whether the hub must store it intact or
refuse it, and words the refusal must contain. Big payloads are built once and cached.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache

from PIL import Image

STORED, REFUSED = "stored", "refused"
DAMAGED = "damaged"
NOT_ACCEPTED = "not accepted"
PASSWORD = "password-protected"
MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    data: bytes
    expect: str  # STORED or REFUSED
    says: str = ""  # words the refusal must contain (case-insensitive)


# --- building blocks ------------------------------------------------------------------------
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000056 00000 n \n"
    b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n101\n%%EOF\n"
)


def image(fmt: str, size=(8, 8), **kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def zip_of(members, *, method=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name, bytes) pairs, or ZipInfo objects with their bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def office(kind: str) -> bytes:
    part = {"word": "word/document.xml", "xl": "xl/workbook.xml", "ppt": "ppt/presentation.xml"}
    return zip_of([("[Content_Types].xml", b"<Types/>"), (part[kind], b"<x/>")])


def odf(subtype: str, *, encrypted: bool = False) -> bytes:
    manifest = b"<manifest:manifest>"
    if encrypted:
        manifest += b"<manifest:file-entry><manifest:encryption-data/></manifest:file-entry>"
    manifest += b"</manifest:manifest>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", f"application/vnd.oasis.opendocument.{subtype}")
        archive.writestr("content.xml", b"<office:document-content/>", zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def central(data: bytes, index: int = 0) -> int:
    """Offset of the index-th central directory header."""
    at = -1
    for _ in range(index + 1):
        at = data.index(b"PK\x01\x02", at + 1)
    return at


def local(data: bytes, index: int = 0) -> int:
    return struct.unpack_from("<I", data, central(data, index) + 42)[0]


def patch(data: bytes, index: int = 0, **fields) -> bytes:
    """Rewrite header fields of one member, in its local header, central header or both.

    Keys: flags, method, crc, csize, usize (both headers), cd_<key> or lh_<key> for one,
    and eattr (central only).
    """
    out = bytearray(data)
    c, lo = central(data, index), local(data, index)
    spots = {
        "flags": ((c, 8, "H"), (lo, 6, "H")),
        "method": ((c, 10, "H"), (lo, 8, "H")),
        "crc": ((c, 16, "I"), (lo, 14, "I")),
        "csize": ((c, 20, "I"), (lo, 18, "I")),
        "usize": ((c, 24, "I"), (lo, 22, "I")),
    }
    for key, value in fields.items():
        if key == "eattr":
            struct.pack_into("<I", out, c + 38, value)
            continue
        where, _, name = key.partition("_") if key[:3] in ("cd_", "lh_") else ("", "", key)
        for base, offset, fmt in spots[name]:
            if not where or (where == "cd") == (base == c):
                struct.pack_into("<" + fmt, out, base + offset, value)
    return bytes(out)


def raw_member(name: str, payload: bytes, *, usize: int, crc: int, method: int = 8) -> bytes:
    """A one-member zip around an already-compressed ``payload``, headers as given."""
    encoded = name.encode()
    head = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        20,
        0,
        method,
        0,
        0x21,
        crc,
        len(payload),
        usize,
        len(encoded),
        0,
    )
    record = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        method,
        0,
        0x21,
        crc,
        len(payload),
        usize,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = head + encoded + payload
    directory = record + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


@cache
def zeros_deflated(size: int) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = b"\0" * MB
    parts = [compressor.compress(block) for _ in range(size // MB)]
    parts.append(compressor.compress(b"\0" * (size % MB)))
    parts.append(compressor.flush())
    return b"".join(parts)


@cache
def zeros_crc(size: int) -> int:
    crc, block = 0, b"\0" * MB
    for _ in range(size // MB):
        crc = zlib.crc32(block, crc)
    return zlib.crc32(b"\0" * (size % MB), crc)


def bomb(size: int, name: str = "data.bin") -> bytes:
    return raw_member(name, zeros_deflated(size), usize=size, crc=zeros_crc(size))


@cache
def issue_bomb() -> bytes:
    """Issue 12's shape: a small zip whose one deflated member is a big stored zip."""
    inner_size = 64 * MB
    inner_data_crc = zeros_crc(inner_size)
    name = b"payload.bin"
    head = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        20,
        0,
        0,
        0,
        0x21,
        inner_data_crc,
        inner_size,
        inner_size,
        len(name),
        0,
    )
    record = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        0,
        0,
        0x21,
        inner_data_crc,
        inner_size,
        inner_size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    tail = (
        record
        + name
        + struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, 46 + len(name), 30 + len(name) + inner_size, 0
        )
    )
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    crc = zlib.crc32(head + name)
    parts = [compressor.compress(head + name)]
    block = b"\0" * MB
    for _ in range(inner_size // MB):
        parts.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(compressor.compress(tail))
    crc = zlib.crc32(tail, crc)
    parts.append(compressor.flush())
    total = 30 + len(name) + inner_size + len(tail)
    return raw_member("inner.zip", b"".join(parts), usize=total, crc=crc)


def overlapping_bomb(copies: int = 200) -> bytes:
    """David Fifield's trick: many central entries pointing at one compressed block."""
    payload = zeros_deflated(4 * MB)
    crc, name = zeros_crc(4 * MB), b"a"
    head = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(payload), 4 * MB, 1, 0
    )
    body = head + name + payload
    directory = b"".join(
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(payload),
            4 * MB,
            2 + len(str(i)),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + b"a"
        + str(i).encode()
        + b"x"
        for i in range(copies)
    )
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, copies, copies, len(directory), len(body), 0
    )
    return body + directory + end


def ole(streams: dict[str, bytes]) -> bytes:
    """A small, well-formed OLE2 compound file (512-byte sectors, no mini stream)."""
    size = 512
    data_sectors, chains, start = [], [], 2  # sector 0: FAT, sector 1: directory
    for payload in streams.values():
        payload = payload.ljust(max(4096, len(payload)), b"\0")  # past the mini cutoff
        count = -(-len(payload) // size)
        chains.append((start, len(payload)))
        data_sectors.append(payload.ljust(count * size, b"\0"))
        start += count
    fat = [0xFFFFFFFD, 0xFFFFFFFE]
    for first, length in chains:
        count = -(-length // size)
        fat += [first + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))

    def entry(name: str, kind: int, first: int, length: int, child: int = 0xFFFFFFFF) -> bytes:
        raw = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw[: len(encoded)] = encoded
        struct.pack_into("<HB", raw, 64, len(encoded), kind)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<II", raw, 116, first, length)
        return bytes(raw)

    entries = [entry("Root Entry", 5, 0xFFFFFFFE, 0, 1)]
    for name, (first, length) in zip(streams, chains, strict=True):
        entries.append(entry(name, 2, first, length))
    directory = b"".join(entries).ljust(512, b"\0")[:512]
    return bytes(header) + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)


def fib(encrypted: bool) -> bytes:
    return struct.pack("<HHHHH", 0xA5EC, 0xC1, 0, 0x409, 0) + struct.pack(
        "<H", 0x0100 if encrypted else 0
    )


def biff(encrypted: bool) -> bytes:
    records = struct.pack("<HH", 0x0809, 16) + b"\0" * 16
    if encrypted:
        records += struct.pack("<HH", 0x002F, 6) + b"\0" * 6
    return records + struct.pack("<HH", 0x000A, 0)


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header promises ``width`` x ``height``: a decompression bomb to Pillow."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_with_size(width: int, height: int) -> bytes:
    data = bytearray(image("JPEG"))
    at = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data)


def gif_with_size(width: int, height: int) -> bytes:
    data = bytearray(image("GIF"))
    struct.pack_into("<HH", data, 6, width, height)
    return bytes(data)


# --- the corpus -------------------------------------------------------------------------------
def corpus() -> list[Case]:
    cases: list[Case] = []

    def add(id_, name, data, expect=REFUSED, says=""):
        cases.append(Case(id_, name, data, expect, says))

    png, jpeg, gif = image("PNG"), image("JPEG"), image("GIF")
    webp, tiff = image("WEBP"), image("TIFF")
    small_zip = zip_of([("notes.pdf", PDF), ("photo.png", png)])

    # Honest files: stored, byte for byte.
    for id_, name, data in [
        ("pdf", "essay.pdf", PDF),
        ("pdf-upper-ext", "ESSAY.PDF", PDF),
        ("pdf-padded", "padded.pdf", PDF + b"\0" * 5000),
        ("png", "photo.png", png),
        ("jpeg", "photo.jpg", jpeg),
        ("jpeg-long-ext", "photo.jpeg", jpeg),
        ("gif", "anim.gif", gif),
        ("webp", "pic.webp", webp),
        ("tiff", "scan.tif", tiff),
        ("docx", "report.docx", office("word")),
        ("xlsx", "marks.xlsx", office("xl")),
        ("pptx", "talk.pptx", office("ppt")),
        ("odt", "report.odt", odf("text")),
        ("ods", "marks.ods", odf("spreadsheet")),
        ("zip", "work.zip", small_zip),
        ("zip-stored", "work-stored.zip", zip_of([("a.pdf", PDF)], method=zipfile.ZIP_STORED)),
        ("zip-nested-once", "nested.zip", zip_of([("inner.zip", small_zip)])),
        ("zip-of-docx", "docs.zip", zip_of([("a.docx", office("word")), ("b.pdf", PDF)])),
        (
            "zip-docx-with-xlsx",
            "charts.zip",
            zip_of(
                [
                    (
                        "a.docx",
                        zip_of(
                            [
                                ("[Content_Types].xml", b"<T/>"),
                                ("word/document.xml", b"<w/>"),
                                ("word/embeddings/chart.xlsx", office("xl")),
                            ]
                        ),
                    )
                ]
            ),
        ),
        ("zip-with-folders", "folders.zip", zip_of([("unit 1/", b""), ("unit 1/a.pdf", PDF)])),
        ("doc", "old.doc", ole({"WordDocument": fib(False)})),
        ("xls", "old.xls", ole({"Workbook": biff(False)})),
        ("ppt", "old.ppt", ole({"PowerPoint Document": b"\0" * 16})),
        ("no-extension", "essay", PDF),
        ("name-255", "n" * 251 + ".pdf", PDF),
        ("unicode-name", "Évaluation – unité 3 ✓.pdf", PDF),
        ("polyglot-pdf-html-as-pdf", "x.pdf", PDF + b"<html><script>alert(1)</script></html>"),
        ("polyglot-pdf-zip", "both.pdf", PDF + small_zip),
        ("polyglot-png-html", "page.png", png + b"<html><script>alert(1)</script>"),
        ("polyglot-jpeg-zip", "photo2.jpg", jpeg + small_zip),
        ("zip-ratio-honest", "text.zip", zip_of([("log.txt", b"line of text\n" * 50_000)])),
    ]:
        add(id_, name, data, STORED)

    # Zip bombs: refused by the ratio, the total or the caps, without inflating it all.
    for size in (6 * MB, 20 * MB, 100 * MB):
        add(f"bomb-{size // MB}mb", "bomb.zip", bomb(size), says="zip bomb")
    add("bomb-issue-12", "payload.zip", issue_bomb(), says="zip bomb")
    add("bomb-issue-12-as-dat", "payload.dat", issue_bomb())
    add("bomb-nested", "nested-bomb.zip", zip_of([("inner.zip", bomb(20 * MB))]), says="zip bomb")
    add("bomb-overlapping-fifield", "overlap.zip", overlapping_bomb(20), says=DAMAGED)
    two = zip_of([("a.pdf", PDF), ("b.pdf", PDF)], method=zipfile.ZIP_STORED)
    add("bomb-overlapping", "overlap.zip", patch(two, cd_csize=len(PDF) + 40), says="overlaps")
    add("bomb-overlapping-many", "overlap.zip", overlapping_bomb(200), says="more than 500 MB")
    add(
        "zeros-small",
        "zeros.zip",
        zip_of([(f"f{i}.bin", b"\0" * 2 * MB) for i in range(3)]),
        STORED,
    )
    add(
        "bomb-42-style",
        "42.zip",
        zip_of([(f"{i}.zip", bomb(6 * MB)) for i in range(4)]),
        says="zip bomb",
    )

    # Sizes that lie.
    honest = zip_of([("a.pdf", PDF * 20)])
    member = zip_of([("a.pdf", PDF * 20)], method=zipfile.ZIP_STORED)
    for id_, data in [
        ("lie-usize-small", patch(honest, usize=10)),
        ("lie-usize-big", patch(honest, usize=len(PDF) * 40)),
        ("lie-cd-usize-small", patch(honest, cd_usize=1)),
        ("lie-stored-usize", patch(member, usize=5)),
        ("lie-csize-small", patch(honest, csize=3)),
        ("lie-csize-huge", patch(honest, csize=0x7FFFFFFF)),
        (
            "lie-1kb-declared-bomb",
            raw_member("a.bin", zeros_deflated(20 * MB), usize=1024, crc=zeros_crc(1024)),
        ),
        ("lie-declared-over-cap", patch(honest, usize=0xFFFFFFF0)),
        ("lie-local-method", patch(honest, lh_method=0)),
    ]:
        add(id_, "lies.zip", data)

    # Traversal, absolute names, links, odd names.
    for i, bad in enumerate(
        [
            "../evil.pdf",
            "a/../../evil.pdf",
            "..\\evil.pdf",
            "a/..",
            "..",
            "ok/../../../etc/passwd",
            "x\\..\\..\\y.pdf",
        ]
    ):
        add(f"traversal-{i}", "trav.zip", zip_of([(bad, PDF)]), says="outside")
    for i, bad in enumerate(
        [
            "/etc/passwd",
            "/tmp/x.pdf",
            "C:/x.pdf",
            "C:\\x.pdf",
            "c:x.pdf",
            "\\\\server\\share\\x.pdf",
            "\\x.pdf",
        ]
    ):
        add(f"absolute-{i}", "abs.zip", zip_of([(bad, PDF)]), says="full path")
    for i, target in enumerate([b"/etc/passwd", b"../../secret", b"a.pdf", b"C:/Windows"]):
        data = patch(zip_of([("link.pdf", target)]), eattr=(stat.S_IFLNK | 0o777) << 16)
        add(f"symlink-{i}", "links.zip", data, says="link")
    add("dup-names", "dup.zip", zip_of([("a.pdf", PDF), ("A.pdf", PDF)]), says="two files")
    add(
        "nul-in-name",
        "nul.zip",
        raw_member("a.pdf\0.exe", PDF, usize=len(PDF), crc=zlib.crc32(PDF), method=0),
        says="control",
    )
    add("newline-in-name", "nl.zip", zip_of([("a\n.pdf", PDF)]), says="control")

    # Nesting found by content, whatever the member is called.
    deep = zip_of([("inner.zip", small_zip)])
    for i, name in enumerate(["inner.dat", "notes.pdf", "photo.png", "readme", "x.zip.txt"]):
        add(f"nested-by-content-{i}", "outer.zip", zip_of([(name, deep)]), says="zips inside")
    add("nested-three-disguised", "o.zip", zip_of([("a.dat", zip_of([("b.dat", deep)]))]))
    add("nested-empty-zips", "o2.zip", zip_of([("a.bin", zip_of([("b.bin", zip_of([]))]))]))

    # Checksums, methods, encryption, structure.
    for i, crc in enumerate([0, 1, 0xFFFFFFFF, 0xDEADBEEF]):
        add(f"bad-crc-{i}", "crc.zip", patch(honest, crc=crc), says="checksum")
    flipped = bytearray(member)
    flipped[local(member) + 30 + 5 + 10] ^= 0xFF
    add("bad-crc-data", "crc.zip", bytes(flipped), says="checksum")
    corrupt = bytearray(honest)
    corrupt[local(honest) + 30 + 5 + 2] ^= 0xFF
    add("corrupt-deflate", "bits.zip", bytes(corrupt), says=DAMAGED)
    for method in (1, 6, 9, 12, 14, 19, 93, 95, 97, 98, 200):
        add(f"method-{method}", "method.zip", patch(member, method=method), says="compression")
    add("encrypted-flag", "locked.zip", patch(honest, flags=0x1), says=PASSWORD)
    add("encrypted-strong", "locked.zip", patch(honest, flags=0x41), says=PASSWORD)
    add("encrypted-aes", "locked.zip", patch(honest, method=99, flags=0x1), says=PASSWORD)
    add(
        "encrypted-pdf",
        "locked.pdf",
        PDF.replace(b"trailer<</Size 3", b"trailer<</Size 3/Encrypt 4 0 R"),
        says=PASSWORD,
    )
    add(
        "encrypted-pdf-xref-stream",
        "locked2.pdf",
        b"%PDF-1.7\n5 0 obj<</Type/XRef/Size 6/Encrypt 4 0 R/Length 0>>stream\nendstream\n"
        b"endobj\nstartxref\n9\n%%EOF\n",
        says=PASSWORD,
    )
    add(
        "encrypted-docx",
        "locked.docx",
        ole({"EncryptionInfo": b"\4\0\4\0", "EncryptedPackage": b"\0" * 64}),
        says=PASSWORD,
    )
    add("encrypted-doc", "locked.doc", ole({"WordDocument": fib(True)}), says=PASSWORD)
    add("encrypted-xls", "locked.xls", ole({"Workbook": biff(True)}), says=PASSWORD)
    add(
        "encrypted-ppt",
        "locked.ppt",
        ole({"PowerPoint Document": b"\0" * 16, "EncryptedSummary": b"\0" * 16}),
        says=PASSWORD,
    )
    add("encrypted-odt", "locked.odt", odf("text", encrypted=True), says=PASSWORD)
    add(
        "too-many-members",
        "many.zip",
        zip_of([(f"f{i}.pdf", b"x") for i in range(501)]),
        says="more than 500",
    )
    add(
        "too-many-folders",
        "dirs.zip",
        zip_of([(f"d{i}/", b"") for i in range(1001)]),
        says="more than 500",
    )
    end = bytearray(small_zip)
    struct.pack_into("<HH", end, len(end) - 22 + 8, 0xFFFF, 0xFFFF)
    add("eocd-claims-65535", "claims.zip", bytes(end))
    split = bytearray(small_zip)
    struct.pack_into("<H", split, len(split) - 22 + 4, 1)
    add("split-zip", "part.zip", bytes(split), says="split")
    add("empty-zip", "empty.zip", zip_of([]), says="empty")
    add(
        "data-after-end",
        "after.zip",
        raw_member(
            "a.bin", zlib.compress(b"abc")[2:-4] + b"junkjunk", usize=3, crc=zlib.crc32(b"abc")
        ),
    )
    add("office-not-word", "x.docx", zip_of([("[Content_Types].xml", b"<T/>"), ("v/x.xml", b"")]))

    # Magic numbers alone, and files cut short.
    for i, magic in enumerate(
        [
            b"%PDF-",
            b"%PDF-1.7",
            b"%PDF-1.7\n",
            b"\x89PNG\r\n\x1a\n",
            b"\xff\xd8\xff",
            b"\xff\xd8\xff\xe0",
            b"GIF89a",
            b"GIF87a",
            b"RIFF\0\0\0\0WEBP",
            b"II*\0",
            b"MM\0*",
            b"PK\x03\x04",
            b"PK\x05\x06",
            bytes.fromhex("D0CF11E0A1B11AE1"),
        ]
    ):
        add(f"magic-only-{i}", "magic", magic)
    for cut in (10, 40, 100, len(PDF) - 7, len(PDF) - 2):
        add(f"pdf-cut-{cut}", "cut.pdf", PDF[:cut])
    for cut in (16, 33, 50, len(png) - 12, len(png) - 4):
        add(f"png-cut-{cut}", "cut.png", png[:cut])
    for cut in (20, 200, len(jpeg) // 2, len(jpeg) - 10):
        add(f"jpeg-cut-{cut}", "cut.jpg", jpeg[:cut])
    for cut in (10, len(gif) // 2, len(gif) - 1):
        add(f"gif-cut-{cut}", "cut.gif", gif[:cut])
    for cut in (20, len(webp) // 2):
        add(f"webp-cut-{cut}", "cut.webp", webp[:cut])
    for cut in (30, len(small_zip) // 2, len(small_zip) - 30, len(small_zip) - 1):
        add(f"zip-cut-{cut}", "cut.zip", small_zip[:cut])
    docx = office("word")
    add("docx-cut", "cut.docx", docx[: len(docx) // 2])
    add("png-bad-crc", "crc.png", png[:-5] + bytes([png[-5] ^ 0xFF]) + png[-4:], says=DAMAGED)

    # Image bombs: refused with a message, never Pillow's error as a 500.
    for width, height in [
        (30_000, 30_000),
        (100_000, 1_000),
        (65_535, 65_535),
        (10_000, 9_000),
        (1, 2_000_000_000),
        (2_000_000_000, 1),
    ]:
        add(f"png-bomb-{width}x{height}", "huge.png", png_header(width, height), says="pixels")
    add("jpeg-bomb", "huge.jpg", jpeg_with_size(65_000, 65_000), says="pixels")
    add("gif-bomb", "huge.gif", gif_with_size(65_535, 65_535), says="pixels")

    # Names and contents that disagree; polyglots named as what a browser would run.
    for id_, name, data, says in [
        ("png-as-pdf", "scan.pdf", png, "a PNG image"),
        ("jpeg-as-png", "photo.png", jpeg, "a JPEG image"),
        ("pdf-as-docx", "essay.docx", PDF, "a PDF"),
        ("zip-as-pdf", "work.pdf", small_zip, "a zip file"),
        ("docx-as-xlsx", "marks.xlsx", office("word"), "a Word document"),
        ("xlsx-as-docx", "essay.docx", office("xl"), "an Excel workbook"),
        ("odt-as-docx", "essay.docx", odf("text"), "OpenDocument"),
        ("doc-as-pdf", "old.pdf", ole({"WordDocument": fib(False)}), "a Word document"),
        ("pdf-as-html", "x.html", PDF + b"<html><script>alert(1)</script></html>", "a PDF"),
        ("pdf-as-htm", "x.htm", PDF, "a PDF"),
        ("pdf-as-svg", "x.svg", PDF, "a PDF"),
        ("pdf-as-exe", "setup.exe", PDF, "a PDF"),
        ("png-as-html", "page.html", png + b"<script>alert(1)</script>", "a PNG image"),
        ("gif-as-js", "x.js", gif, "a GIF image"),
        ("zip-as-jar", "app.jar", small_zip, "a zip file"),
        ("pdf-double-ext", "essay.pdf.exe", PDF, "a PDF"),
    ]:
        add(id_, name, data, says=says)

    # Not documents at all.
    for i, data in enumerate(
        [
            b"<html><script>alert(1)</script></html>",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            b"MZ\x90\0" + b"\0" * 100,
            b"\x7fELF" + b"\0" * 100,
            b"#!/bin/sh\nrm -rf /\n",
            b"plain text",
            b"\0" * 1000,
            b" ",
            b"x",
            b"{\\rtf1 hello}",
            b"<?xml version='1.0'?><a/>",
            b"Rar!\x1a\x07\0" + b"\0" * 20,
            b"7z\xbc\xaf\x27\x1c" + b"\0" * 20,
            b"\x1f\x8b\x08" + b"\0" * 20,
            b"BM" + b"\0" * 60,
            b"<html>%PDF-1.4 hidden</html>",
        ]
    ):
        add(f"not-a-document-{i}", "file.pdf", data)
    add("empty", "empty.pdf", b"", says="empty")

    # Names: too long to keep (refused with words), or long and shortened when stored.
    for length in (256, 300, 600):
        add(f"name-{length}", "n" * (length - 4) + ".pdf", PDF, says="characters")
    add("name-unicode-300", "é" * 296 + ".pdf", PDF, says="characters")
    add("name-only-dots", "....pdf", PDF, STORED)
    add("name-with-path", "../../etc/essay.pdf", PDF, STORED)
    add("name-windows-path", "C:\\Users\\me\\essay.pdf", PDF, STORED)
    add("name-quotes", 'a";b\r\n.pdf', PDF, STORED)
    add("name-rtl-override", "essay\u202efdp.exe", PDF, says="a PDF")
    return cases
