"""R-SLA-2 in Chromium: the centre downloads a certificate and the verify page confirms it."""

from pathlib import Path

import pytest

from centres.tests.factories import PASSWORD
from certificates.tests.factories import issued_certificate
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_centre_downloads_a_certificate_and_verify_confirms_it(page, live_server, world):
    certificate = issued_certificate(world)
    learner = certificate.learner
    login(page, live_server, world.admin, PASSWORD)
    page.goto(f"{live_server.url}/certificates/batch/{certificate.batch_id}/")
    page.get_by_role("heading", name=f"Certificates for batch {certificate.batch_id}").wait_for()
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download certificate {certificate.number}").click()
    download = info.value
    assert download.suggested_filename == f"certificate-{certificate.number}.pdf"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF")
    assert learner.full_name.encode() in body
    assert learner.membership_number.encode() in body

    page.goto(f"{live_server.url}/certificates/verify/")
    assert_accessible(page)
    page.get_by_label("Certificate number").fill(certificate.number)
    page.get_by_label("Verification code").fill(certificate.display_code)
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name=f"Certificate {certificate.number} is genuine").wait_for()
    assert learner.full_name in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_label("Verification code").fill("AAAA-AAAA-AAAA")
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Not found").wait_for()
    assert learner.full_name not in page.locator("main").inner_text()


def test_staff_see_the_moderation_dashboard(page, live_server, world):
    login(page, live_server, world.staff, PASSWORD)
    page.get_by_role("link", name="Moderation dashboard").click()
    page.get_by_role("heading", name="Moderation dashboard").wait_for()
    assert_accessible(page)
