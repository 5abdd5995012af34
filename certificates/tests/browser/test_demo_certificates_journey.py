"""Issue 13's "Done when", in Chromium on the demo as `make run` loads it (seed_demo).

The moderator completes a batch and the centre sees its certificates issued with their due
date; staff print and post the run; the centre sees "posted" with the tracking reference.
The learner whose units now meet the rule of combination gets a qualification certificate
whose QR code, read from the PDF drawn as a picture, opens the verify page with the code
filled in and a valid result. Every batch outcome emails the centre a link that, opened as
the centre user, lands on that batch.
"""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import User
from certificates.models import Certificate, CertificateKind, PrintRun
from moderation.models import Batch, BatchStatus
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACKING = "RM123456785GB"


def as_user(page, live_server, email):
    page.context.clear_cookies()
    login(page, live_server, User.objects.get(email=email), DEMO_PASSWORD)


def qr_codes(pdf: bytes) -> list[str]:
    """The QR codes on the PDF's first page, drawn as a picture at 200 dpi."""
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=200 / 72).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def set_outcome(page, live_server, batch, label, comments):
    page.goto(f"{live_server.url}/moderation/review/{batch.pk}/")
    page.get_by_label(label, exact=True).check()
    page.get_by_label("Comments", exact=True).fill(comments)
    page.get_by_role("button", name="Set outcome").click()
    expect(page.get_by_test_id("batch-status")).to_contain_text(label)


def outcome_link(batch) -> str:
    """The link in the centre's outcome email for ``batch`` (its contact and its builder)."""
    subject = re.compile(rf"\bbatch {batch.pk}\b", re.IGNORECASE)
    emails = [m for m in mail.outbox if subject.search(m.subject)]
    assert emails, [m.subject for m in mail.outbox]
    centre_emails = [m for m in emails if batch.centre.contact_email in m.to]
    assert centre_emails, [(m.subject, m.to) for m in emails]
    body = centre_emails[-1].body
    links = re.findall(r"https?://\S+", body)
    return next(link for link in links if f"/moderation/{batch.pk}/" in link)


def test_done_when_on_the_demo(page, live_server, settings):
    # Outbox work (certificates, emails) runs in the live server's thread once each
    # transaction commits, as the worker would run it.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", "--quiet")
    settings.HUB_SITE_URL = live_server.url
    northgate = "10001"
    holding = Batch.objects.get(
        centre__number=northgate,
        status=BatchStatus.WITH_MODERATOR,
        moderator__email="moderator@demo.test",
    )
    overdue = Batch.objects.get(
        centre__number=northgate, status=BatchStatus.WITH_MODERATOR, moderator__isnull=True
    )
    resubmitted = Batch.objects.get(centre__number=northgate, status=BatchStatus.RESUBMITTED)
    mail.outbox.clear()

    # The moderator completes the batch they hold; it completes a learner's diploma.
    as_user(page, live_server, "moderator@demo.test")
    set_outcome(page, live_server, holding, "Complete", "Evidence meets every criterion.")
    assert_accessible(page)
    # ...returns the overdue one from the queue for editing...
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation queue").click()
    page.get_by_role("button", name=f"Take batch {overdue.pk}").click()
    set_outcome(
        page, live_server, overdue, "Returned for editing", "Name the learners' work files."
    )
    # ...and finds the re-submitted one still short of evidence.
    set_outcome(
        page, live_server, resubmitted, "Insufficient sample", "Add a second learner's work."
    )

    # Every outcome emailed the centre a link that lands on that batch (R-NTF-1).
    links = {batch: outcome_link(batch) for batch in (holding, overdue, resubmitted)}
    as_user(page, live_server, "admin@demo.test")
    for batch, link in links.items():
        page.goto(live_server.url + urlsplit(link).path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Batch {batch.pk}")
        expect(page.get_by_test_id("batch-status")).to_be_visible()
    assert_accessible(page)

    # The centre sees the certificates issued, each with its due date (R-SLA-2, R-CRT-1).
    award = Certificate.objects.get(batch=holding, kind=CertificateKind.QUALIFICATION)
    page.goto(f"{live_server.url}/moderation/{holding.pk}/")
    page.get_by_role("link", name="Certificates").click()
    page.get_by_role("heading", name=f"Certificates for batch {holding.pk}").wait_for()
    row = page.locator("tr", has_text=award.number)
    expect(row).to_contain_text("Qualification")
    due = award.dispatch_due_on
    expect(row).to_contain_text(re.compile(rf"Waiting to be printed, due by .*{due.year}"))
    assert_accessible(page)

    # Staff gather Northgate's waiting certificates into a run, print it and post it.
    as_user(page, live_server, "staff@demo.test")
    page.goto(f"{live_server.url}/certificates/staff/print/")
    assert_accessible(page)
    page.locator("tr", has_text="Northgate College").get_by_role(
        "button", name="Create print run"
    ).click()
    page.get_by_text(re.compile(r"Print run \d+ created for 10001 Northgate College")).wait_for()
    run = PrintRun.objects.filter(centre__number=northgate).latest("pk")
    assert run.certificates.filter(pk=award.pk).exists()
    run_row = page.locator("tr", has=page.locator(f"#carrier-{run.pk}"))
    with page.expect_download() as info:
        run_row.get_by_role("link", name="Download merged PDF").click()
    merged = Path(info.value.path()).read_bytes()
    assert len(pypdfium2.PdfDocument(io.BytesIO(merged))) == run.certificate_count
    page.reload()
    run_row = page.locator("tr", has=page.locator(f"#carrier-{run.pk}"))
    expect(run_row).to_contain_text("Printed")
    run_row.get_by_label("Carrier").fill("Royal Mail Tracked 24")
    run_row.get_by_label("Tracking reference").fill(TRACKING)
    run_row.get_by_role("button", name="Mark posted").click()
    expect(page.locator("tr", has_text=TRACKING)).to_contain_text("Royal Mail Tracked 24")

    # The centre sees "posted" with the tracking reference.
    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/certificates/batch/{holding.pk}/")
    row = page.locator("tr", has_text=award.number)
    expect(row).to_contain_text(
        re.compile(rf"Posted .* by Royal Mail Tracked 24, tracking {TRACKING}")
    )

    # The qualification certificate's QR code, read from the page as drawn, opens the verify
    # page with the code filled in and a valid result (R-CRT-2, R-CRT-3).
    with page.expect_download() as info:
        row.get_by_role("link", name=f"Download certificate {award.number}").click()
    pdf = Path(info.value.path()).read_bytes()
    (code,) = qr_codes(pdf)
    assert award.short_token in code
    page.context.clear_cookies()  # anyone holding the paper, signed in or not
    page.goto(live_server.url + urlsplit(code).path)
    page.get_by_role("heading", name=f"Certificate {award.number} is genuine").wait_for()
    expect(page.get_by_label("Verification code")).to_have_value(
        re.compile(f"^({award.verification_code}|{award.display_code})$")
    )
    expect(page.locator("main")).to_contain_text(award.learner.full_name)
    expect(page.locator("main")).to_contain_text("Qualification")
    assert_accessible(page)
