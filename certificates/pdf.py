"""The certificate as a PDF, drawn with reportlab (pure Python: no system libraries to install)."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .models import Certificate


def render_certificate(certificate: Certificate) -> bytes:
    """Draw one certificate; the learner, qualification and learner are already loaded."""
    learner = certificate.learner
    qualification = certificate.qualification
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(f"Certificate {certificate.number}")
    pdf.setAuthor("Awarding Body Hub")
    width, height = A4
    y = height - 40 * mm

    def line(text: str, size: int = 11, *, font: str = "Helvetica", gap: float = 7) -> None:
        nonlocal y
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, text)
        y -= gap * mm

    line("Certificate of Unit Achievement", 22, font="Helvetica-Bold", gap=16)
    line("This is to certify that", 12)
    line(learner.full_name, 20, font="Helvetica-Bold", gap=9)
    line(f"Membership number {learner.membership_number}", 11, gap=12)
    line("has achieved the following units of", 12)
    line(f"{qualification.code} {qualification.title}", 13, font="Helvetica-Bold", gap=12)

    pdf.setFont("Helvetica", 10)
    for unit in certificate.units:
        result = unit.get("result", "")
        text = f"{unit['code']}  {unit['title']}"
        pdf.drawString(30 * mm, y, text[:95])
        if result:
            pdf.drawRightString(width - 30 * mm, y, result)
        y -= 6 * mm
        if y < 50 * mm:
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            y = height - 30 * mm

    issued = timezone.localdate(certificate.issued_at)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(30 * mm, 35 * mm, f"Certificate number: {certificate.number}")
    pdf.drawString(30 * mm, 29 * mm, f"Verification code: {certificate.display_code}")
    pdf.drawString(30 * mm, 23 * mm, f"Date of issue: {issued:%d %B %Y}")
    pdf.drawString(
        30 * mm, 15 * mm, "Check this certificate on the Awarding Body Hub's Verify page."
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
