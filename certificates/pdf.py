"""The certificate as a PDF a learner would frame (R-CRT-3), drawn with reportlab.

Pure Python, no system libraries: the font is Bitstream Vera, which reportlab ships in its
own package, embedded (subset) in every file, so it prints the same on any machine. The QR
code is reportlab's own and holds the verify page's address with the number and code
filled in; the short address under it does the same for anyone typing it.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import reportlab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from .models import Certificate, CertificateKind

FONT, BOLD, ITALIC = "HubSerifless", "HubSerifless-Bold", "HubSerifless-Italic"
NAVY = colors.HexColor("#1d2f4f")
GOLD = colors.HexColor("#a4823c")
GREY = colors.HexColor("#555555")
WIDTH, HEIGHT = A4
MARGIN = 14 * mm  # inside the border
UNITS_PER_PAGE = 12


@cache
def _fonts() -> None:
    """Register reportlab's bundled Vera faces once per process."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((FONT, "Vera.ttf"), (BOLD, "VeraBd.ttf"), (ITALIC, "VeraIt.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def verify_url(certificate: Certificate) -> str:
    """The short address that opens the verify page with this certificate's number and code."""
    path = reverse("certificates:verify-short", kwargs={"token": certificate.short_token})
    return settings.HUB_SITE_URL.rstrip("/") + path


def _border(pdf: canvas.Canvas) -> None:
    pdf.setStrokeColor(NAVY)
    pdf.setLineWidth(3)
    pdf.rect(8 * mm, 8 * mm, WIDTH - 16 * mm, HEIGHT - 16 * mm)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(0.8)
    pdf.rect(11 * mm, 11 * mm, WIDTH - 22 * mm, HEIGHT - 22 * mm)
    # Small corner ornaments: a framed look without images.
    for x, y in (
        (11, 11),
        (WIDTH / mm - 11, 11),
        (11, HEIGHT / mm - 11),
        (WIDTH / mm - 11, HEIGHT / mm - 11),
    ):
        pdf.setFillColor(GOLD)
        pdf.circle(x * mm, y * mm, 1.6 * mm, stroke=0, fill=1)


def _centred(pdf: canvas.Canvas, y: float, text: str, font: str, size: float, color=NAVY) -> None:
    pdf.setFont(font, size)
    pdf.setFillColor(color)
    pdf.drawCentredString(WIDTH / 2, y, text)


def _wrapped(pdf: canvas.Canvas, y: float, text: str, *, size: float, font: str = BOLD) -> float:
    """Draw ``text`` centred, wrapped to the page; return the y under it."""
    style = ParagraphStyle(
        "centred",
        fontName=font,
        fontSize=size,
        leading=size * 1.25,
        alignment=TA_CENTER,
        textColor=NAVY,
    )
    paragraph = Paragraph(text, style)
    _, height = paragraph.wrap(WIDTH - 2 * MARGIN - 20 * mm, HEIGHT)
    paragraph.drawOn(pdf, MARGIN + 10 * mm, y - height)
    return y - height


def _units_table(units: list[dict], *, total: int | None) -> Table:
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
    rows = [["Unit", "Title", "Level", "Credits", "Result"]]
    for unit in units:
        rows.append(
            [
                unit.get("code", ""),
                Paragraph(unit.get("title", ""), cell),
                str(unit.get("level", "")),
                str(unit.get("credits", "")),
                unit.get("result", ""),
            ]
        )
    if total is not None:
        rows.append(["", "Total credits", "", str(total), ""])
    table = Table(
        rows,
        colWidths=[22 * mm, 98 * mm, 14 * mm, 17 * mm, 24 * mm],
        repeatRows=1,
    )
    style = [
        ("FONT", (0, 0), (-1, 0), BOLD, 9),
        ("FONT", (0, 1), (-1, -1), FONT, 9),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("ALIGN", (2, 0), (3, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#c9c9c9")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if total is not None:
        style += [("FONT", (0, -1), (-1, -1), BOLD, 9), ("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY)]
    table.setStyle(TableStyle(style))
    return table


def _qr(pdf: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """reportlab's QR code, its squares drawn straight onto the page.

    Through renderPDF a drawing would name Helvetica (its default state) on the page, a
    font the file does not carry; the squares alone need no font at all.
    """
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    pdf.saveState()
    pdf.translate(x, y)
    pdf.scale(size / (right - left), size / (top - bottom))
    pdf.translate(-left, -bottom)
    for square in widget.draw().getContents():
        if square.fillColor is not None:
            pdf.setFillColor(square.fillColor)
            pdf.rect(square.x, square.y, square.width, square.height, stroke=0, fill=1)
    pdf.restoreState()


def _footer(pdf: canvas.Canvas, certificate: Certificate) -> None:
    """Issue date, number, code, signature and the QR code: the part people check."""
    issued = timezone.localdate(certificate.issued_at)
    left = MARGIN + 6 * mm
    pdf.setFillColor(colors.black)
    details = (
        ("Date of issue", f"{issued.day} {issued:%B %Y}"),
        ("Certificate number", certificate.number),
        ("Verification code", certificate.display_code),
    )
    y = 58 * mm
    for label, value in details:
        pdf.setFont(FONT, 8)
        pdf.setFillColor(GREY)
        pdf.drawString(left, y + 4 * mm, label)
        pdf.setFont(BOLD, 11)
        pdf.setFillColor(colors.black)
        pdf.drawString(left, y, value)
        y -= 11 * mm
    # Signature line, centre of the footer.
    middle = WIDTH / 2 + 5 * mm
    pdf.setStrokeColor(NAVY)
    pdf.setLineWidth(0.6)
    pdf.line(middle - 28 * mm, 42 * mm, middle + 28 * mm, 42 * mm)
    pdf.setFont(ITALIC, 9)
    pdf.setFillColor(NAVY)
    pdf.drawCentredString(middle, 37 * mm, "Chief Executive")
    pdf.setFont(FONT, 8)
    pdf.drawCentredString(middle, 33 * mm, f"for {settings.HUB_AWARDING_BODY_NAME}")
    # QR code, bottom right, and the address it holds in short.
    size = 30 * mm
    qr_x = WIDTH - MARGIN - 6 * mm - size
    _qr(pdf, verify_url(certificate), x=qr_x, y=33 * mm, size=size)
    pdf.setFont(FONT, 7)
    pdf.setFillColor(GREY)
    pdf.drawCentredString(qr_x + size / 2, 30 * mm, "Scan to check this certificate")
    address = verify_url(certificate).split("://", 1)[-1]
    pdf.setFont(FONT, 7.5)
    pdf.setFillColor(colors.black)
    pdf.drawCentredString(WIDTH / 2, 20 * mm, f"Check it at {address}")


def render_certificate(certificate: Certificate) -> bytes:
    """Draw one certificate; its learner, qualification and centre are already loaded."""
    _fonts()
    learner = certificate.learner
    qualification = certificate.qualification
    centre = certificate.centre
    full_award = certificate.kind == CertificateKind.QUALIFICATION
    body = settings.HUB_AWARDING_BODY_NAME
    buffer = io.BytesIO()
    # The initial font too, or each page would name an unembedded Helvetica.
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0, initialFontName=FONT)
    pdf.setTitle(f"Certificate {certificate.number}")
    pdf.setAuthor(body)
    pdf.setSubject(f"{qualification.code} {qualification.title}")

    units = list(certificate.units)
    pages = [units[i : i + UNITS_PER_PAGE] for i in range(0, len(units), UNITS_PER_PAGE)] or [[]]
    for number, page_units in enumerate(pages, start=1):
        _border(pdf)
        _centred(pdf, HEIGHT - 30 * mm, body.upper(), BOLD, 13, GOLD)
        if number > 1:
            _centred(
                pdf, HEIGHT - 42 * mm, f"Certificate {certificate.number}, continued", FONT, 11
            )
            y = HEIGHT - 52 * mm
        else:
            title = (
                "Certificate of Achievement" if full_award else "Certificate of Unit Achievement"
            )
            _centred(pdf, HEIGHT - 46 * mm, title, BOLD, 26)
            pdf.setStrokeColor(GOLD)
            pdf.setLineWidth(1)
            pdf.line(WIDTH / 2 - 35 * mm, HEIGHT - 52 * mm, WIDTH / 2 + 35 * mm, HEIGHT - 52 * mm)
            _centred(pdf, HEIGHT - 64 * mm, "This is to certify that", ITALIC, 12, GREY)
            _centred(pdf, HEIGHT - 78 * mm, learner.full_name, BOLD, 24, colors.black)
            _centred(
                pdf,
                HEIGHT - 86 * mm,
                f"Membership number {learner.membership_number}",
                FONT,
                10,
                GREY,
            )
            lead = "has been awarded" if full_award else "has achieved the units below towards"
            _centred(pdf, HEIGHT - 98 * mm, lead, ITALIC, 12, GREY)
            y = _wrapped(pdf, HEIGHT - 102 * mm, qualification.title, size=16)
            level = f"Level {qualification.level}" if qualification.level else ""
            _centred(
                pdf,
                y - 6 * mm,
                " · ".join(part for part in (f"Qualification {qualification.code}", level) if part),
                FONT,
                10,
                GREY,
            )
            _centred(
                pdf,
                y - 12 * mm,
                f"Studied at {centre.name} (centre {centre.number})",
                FONT,
                10,
                GREY,
            )
            y -= 20 * mm
        last = number == len(pages)
        table = _units_table(page_units, total=certificate.total_credits if last else None)
        _, height = table.wrapOn(pdf, WIDTH - 2 * MARGIN, HEIGHT)
        table.drawOn(pdf, (WIDTH - 175 * mm) / 2, y - height)
        if last:
            _footer(pdf, certificate)
        else:
            _centred(pdf, 20 * mm, "Continued overleaf", ITALIC, 9, GREY)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
