"""R-BAT-2: files are checked by content, and refused in the wrong section where we can tell."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from moderation.files import check_upload, safe_filename
from moderation.models import DocumentKind

from .factories import PDF_BYTES, zip_upload

IV, BRIEF, SAMPLE = DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF, DocumentKind.SAMPLE


def upload(name, data):
    return SimpleUploadedFile(name, data)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.pdf", PDF_BYTES, "application/pdf"),
        (
            "a.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("a.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100, "application/x-ole-storage"),
        ("a.png", png_bytes(), "image/png"),
    ],
)
def test_r_bat_2_accepted_types_by_content(name, data, content_type):
    assert check_upload(upload(name, data), IV).content_type == content_type


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a Windows program"),  # named .pdf, is not
        ("notes.txt", b"plain text"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),  # PNG signature, broken image
    ],
)
def test_r_bat_2_refused_by_content_whatever_the_name(name, data):
    with pytest.raises(ValidationError):
        check_upload(upload(name, data), IV)


def test_r_bat_2_learner_work_zip_refused_in_iv_and_brief_slots():
    work = {"P1234567 CMI501.pdf": b"%PDF-1", "P7654321 CMI501.pdf": b"%PDF-1"}
    for kind in (IV, BRIEF):
        with pytest.raises(ValidationError, match="P1234567"):
            check_upload(zip_upload("everything.zip", work), kind)


def test_r_bat_2_learner_named_file_refused_as_brief():
    with pytest.raises(ValidationError, match="P number"):
        check_upload(upload("P1234567 essay.pdf", PDF_BYTES), BRIEF)


def test_r_bat_2_other_learners_work_refused_in_a_slot():
    with pytest.raises(ValidationError, match="slot is for P1111111"):
        check_upload(upload("P2222222 CMI501.pdf", PDF_BYTES), SAMPLE, learner_p_number="P1111111")
    checked = check_upload(
        upload("P1111111 CMI501.pdf", PDF_BYTES), SAMPLE, learner_p_number="P1111111"
    )
    assert checked.content_type == "application/pdf"


def test_zip_with_encrypted_member_refused():
    data = bytearray(zip_upload("x.zip", {"a.pdf": b"%PDF-1"}).read())
    # Set the "encrypted" flag bit in the local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1
    with pytest.raises(ValidationError, match="password-protected"):
        check_upload(upload("x.zip", bytes(data)), BRIEF)


def test_zip_nested_one_level_allowed_two_refused():
    inner = zip_upload("inner.zip", {"brief.pdf": b"%PDF-1"}).read()
    check_upload(zip_upload("outer.zip", {"inner.zip": inner}), BRIEF)
    deeper = zip_upload("middle.zip", {"inner.zip": inner}).read()
    with pytest.raises(ValidationError, match="zips inside zips"):
        check_upload(zip_upload("outer.zip", {"middle.zip": deeper}), BRIEF)


def test_zip_uncompressed_size_bounded(settings):
    settings.HUB_MAX_ZIP_UNCOMPRESSED_MB = 1
    bomb = zip_upload(
        "bomb.zip", {"a.txt": b"\0" * (2 * 1024 * 1024)}, compression=zipfile.ZIP_DEFLATED
    )
    assert bomb.size < 100_000
    with pytest.raises(ValidationError, match="unpacks to more than 1 MB"):
        check_upload(bomb, BRIEF)


def test_zip_member_count_bounded():
    many = zip_upload("many.zip", {f"f{i}.pdf": b"%PDF" for i in range(501)})
    with pytest.raises(ValidationError, match="more than 500 files"):
        check_upload(many, BRIEF)


def test_sample_size_limit_is_its_own_setting(settings):
    settings.HUB_MAX_DOCUMENT_MB = 1
    settings.HUB_MAX_SAMPLE_MB = 3
    big = PDF_BYTES + b"0" * (2 * 1024 * 1024)
    check_upload(upload("work.pdf", big), SAMPLE)
    with pytest.raises(ValidationError):
        check_upload(upload("iv.pdf", big), IV)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\work.pdf", "work.pdf"),
        ('a"b;c\r\n.pdf', "a_b_c.pdf"),
        ("", "document"),
    ],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe
