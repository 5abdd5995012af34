"""R-CRT-1, R-SLA-2: posted certificates wait for a print run; posting ends the clock."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from centres.models import AuditEvent, Centre
from certificates import services
from certificates.alerts import dispatch_sweep
from certificates.models import (
    Certificate,
    CertificateDispatch,
    Delivery,
    PrintRun,
)
from certificates.selectors import awaiting_print
from certificates.services import (
    certificates_dispatch_for_batch,
    print_run_build,
    print_run_create,
    print_run_mark_posted,
)
from hub.models import AlertKind, DeadlineAlert, OutboxMessage

from .factories import complete_batch, posted_centre_certificates


@pytest.fixture
def batch(world):
    world.centre.contact_email = "exams@northgate.test"
    world.centre.save()
    return posted_centre_certificates(world, learners=3)


def test_r_crt_1_posted_certificates_wait_for_print_and_no_email_goes(batch, mailoutbox):
    assert certificates_dispatch_for_batch(batch_id=batch.pk) is False
    assert mailoutbox == []
    dispatch = CertificateDispatch.objects.get(batch=batch)
    assert (dispatch.method, dispatch.dispatched_at) == (Delivery.POST, None)
    assert awaiting_print().filter(batch=batch).count() == 3


def test_r_crt_1_a_run_takes_the_centres_waiting_certificates_once(world, batch):
    run = print_run_create(actor=world.staff, centre=world.centre)
    assert run.certificate_count == 3
    assert set(Certificate.objects.filter(print_run=run).values_list("batch_id", flat=True)) == {
        batch.pk
    }
    assert not awaiting_print().exists()
    with pytest.raises(services.NothingToPrint):
        print_run_create(actor=world.staff, centre=world.centre)
    assert PrintRun.objects.count() == 1  # the empty second run was rolled back
    assert OutboxMessage.objects.filter(kind="certificates.print_run_build").count() == 1
    assert AuditEvent.objects.filter(action="certificates.print_run_create").count() == 1


def test_only_staff_make_and_post_runs(world, batch):
    for user in (world.director, world.moderator):
        with pytest.raises(PermissionDenied):
            print_run_create(actor=user, centre=world.centre)
    run = print_run_create(actor=world.staff, centre=world.centre)
    with pytest.raises(PermissionDenied):
        print_run_mark_posted(actor=world.moderator, run=run, carrier="DX", tracking_reference="1")


def test_the_merged_pdf_holds_every_certificate_of_the_run(world, batch):
    run = print_run_create(actor=world.staff, centre=world.centre)
    assert print_run_build(run_id=run.pk) is True
    assert print_run_build(run_id=run.pk) is False  # built once
    run.refresh_from_db()
    with run.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    for certificate in Certificate.objects.filter(print_run=run):
        assert certificate.number in text


def test_r_sla_2_posting_ends_the_clock_and_tells_the_centre_with_tracking(
    world, batch, mailoutbox
):
    run = print_run_create(actor=world.staff, centre=world.centre)
    posted = print_run_mark_posted(
        actor=world.staff, run=run, carrier="Royal Mail", tracking_reference="RM123456785GB"
    )
    assert posted.posted_at is not None and posted.printed_at is not None
    assert not Certificate.objects.filter(batch=batch, dispatched_at__isnull=True).exists()
    dispatch = CertificateDispatch.objects.get(batch=batch)
    assert dispatch.dispatched_at == posted.posted_at
    with pytest.raises(services.AlreadyDone):
        print_run_mark_posted(actor=world.staff, run=run, carrier="DX", tracking_reference="2")
    audit = AuditEvent.objects.get(action="certificates.print_run_posted")
    assert audit.detail["tracking_reference"] == "RM123456785GB"
    message = OutboxMessage.objects.get(kind="certificates.email_posted")
    services.print_run_email_posted(**message.payload)
    email = mailoutbox[-1]
    assert email.to == ["exams@northgate.test"]
    assert "RM123456785GB" in email.subject and "Royal Mail" in email.body
    assert reverse("certificates:batch", args=[batch.pk]) in email.body
    assert reverse("certificates:verify") in email.body


def test_posting_needs_carrier_and_tracking(world, batch):
    run = print_run_create(actor=world.staff, centre=world.centre)
    with pytest.raises(ValidationError):
        print_run_mark_posted(actor=world.staff, run=run, carrier=" ", tracking_reference="X")
    assert PrintRun.objects.get(pk=run.pk).posted_at is None


def test_r_crt_1_a_digital_centre_gets_them_at_once_and_the_clock_ends_there(world, mailoutbox):
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    batch = complete_batch(world)
    services.certificates_issue_for_batch(batch_id=batch.pk)
    assert certificates_dispatch_for_batch(batch_id=batch.pk) is True
    assert CertificateDispatch.objects.get(batch=batch).dispatched_at is not None
    assert Certificate.objects.get(batch=batch).delivery == Delivery.DIGITAL
    assert not awaiting_print().exists()


def test_r_sla_2_at_risk_and_late_are_real_until_posted(world, mailoutbox):
    completed = timezone.make_aware(timezone.datetime(2026, 12, 18, 15, 0))
    batch = posted_centre_certificates(world, completed_at=completed)
    assert CertificateDispatch.objects.get(batch=batch).due_on == date(2027, 1, 6)
    # The "ready" email never ends a posted centre's clock: it is still pending when late.
    certificates_dispatch_for_batch(batch_id=batch.pk)
    late = timezone.make_aware(timezone.datetime(2027, 1, 7, 9, 0))
    assert dispatch_sweep(now=late) == 1
    assert dispatch_sweep(now=late) == 0  # alerted once
    assert DeadlineAlert.objects.get().kind == AlertKind.DISPATCH_LATE
    run = print_run_create(actor=world.staff, centre=world.centre)
    print_run_mark_posted(actor=world.staff, run=run, carrier="DX", tracking_reference="DX1")
    later = late + timedelta(days=3)
    assert dispatch_sweep(now=later) == 0


def test_centre_batch_page_shows_due_printed_and_posted_with_tracking(member_client, world, batch):
    url = reverse("certificates:batch", args=[batch.pk])
    due = CertificateDispatch.objects.get(batch=batch).due_on
    body = member_client.get(url).content.decode()
    assert f"{due.day} {due:%B %Y}" in body
    assert "Waiting to be printed" in body
    run = print_run_create(actor=world.staff, centre=world.centre)
    print_run_build(run_id=run.pk)
    run.refresh_from_db()
    services.print_run_mark_printed(run=run)
    body = member_client.get(url).content.decode()
    assert "Printed" in body and "Not yet" in body
    print_run_mark_posted(
        actor=world.staff, run=run, carrier="Royal Mail", tracking_reference="RM123456785GB"
    )
    body = member_client.get(url).content.decode()
    assert "Royal Mail, tracking reference RM123456785GB" in body
    assert body.count("tracking RM123456785GB") == 3  # each certificate's row


def test_staff_print_page_create_download_and_post(client, world, batch):
    client.force_login(world.staff)
    page = client.get(reverse("certificates:print-queue")).content.decode()
    assert world.centre.name in page and "Create print run" in page
    response = client.post(reverse("certificates:print-run-create"), {"centre": world.centre.pk})
    assert response.status_code == 302
    run = PrintRun.objects.get()
    print_run_build(run_id=run.pk)
    page = client.get(reverse("certificates:print-queue")).content.decode()
    assert "Download merged PDF" in page and "Mark posted" in page
    download = client.get(reverse("certificates:print-run-download", args=[run.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert PrintRun.objects.get(pk=run.pk).printed_at is not None
    client.post(
        reverse("certificates:print-run-post", args=[run.pk]),
        {"carrier": "Parcelforce", "tracking_reference": "PF998877"},
    )
    page = client.get(reverse("certificates:print-queue")).content.decode()
    assert "Parcelforce, tracking PF998877" in page


def test_staff_pages_are_not_for_centres_or_moderators(client, world, batch):
    for user in (world.director, world.admin, world.moderator):
        client.force_login(user)
        assert client.get(reverse("certificates:print-queue")).status_code == 403
        response = client.post(
            reverse("certificates:print-run-create"), {"centre": world.centre.pk}
        )
        assert response.status_code == 403
    assert not PrintRun.objects.exists()


def test_dispatch_list_shows_late_batches(client, world):
    completed = timezone.now() - timedelta(days=30)
    late = posted_centre_certificates(world, completed_at=completed)
    client.force_login(world.staff)
    body = client.get(reverse("certificates:dispatch-list"), {"show": "late"}).content.decode()
    assert f"<td>Batch {late.pk}</td>" in body and "Late" in body
    body = client.get(reverse("certificates:dispatch-list"), {"show": "at-risk"}).content.decode()
    assert f"<td>Batch {late.pk}</td>" not in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_print_page_queries_do_not_grow(client, world, django_db_blocker):
    client.force_login(world.staff)
    url = reverse("certificates:print-queue")
    counts = []
    for learners in (2, 30):
        posted_centre_certificates(world, learners=learners)
        run = print_run_create(actor=world.staff, centre=world.centre)
        print_run_build(run_id=run.pk)
        posted_centre_certificates(world, learners=learners)  # waiting again
        counts.append(_queries(client, url))
    assert counts[0] == counts[1], counts
