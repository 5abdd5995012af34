"""A claim's full award has the batches' dispatch clock (R-SLA-2, R-CRT-1); a certificate
revoked or replaced while its print run is not posted leaves the run's PDF and count."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates.alerts import dispatch_sweep
from certificates.models import (
    Certificate,
    CertificateDispatch,
    CertificateKind,
    CertificateStatus,
    Delivery,
    PrintRun,
)
from certificates.selectors import awaiting_print
from certificates.services import (
    certificate_reissue,
    certificate_revoke,
    print_run_build,
    print_run_create,
    print_run_mark_posted,
)
from hub.models import AlertKind, DeadlineAlert, OutboxMessage
from hub.workdays import add_working_days
from moderation.dashboard import dashboard_figures

from .factories import posted_centre_certificates, processed_award_claim


@pytest.mark.django_db
def test_a_claims_award_waits_for_print_on_the_ten_day_clock(world):
    claim = processed_award_claim(world)
    award = OutboxMessage.objects.get(kind="certificates.award")
    assert award.payload["claim_id"] == claim.pk
    certificates = Certificate.objects.filter(claim=claim)
    assert certificates.count() == 4
    assert set(certificates.values_list("kind", flat=True)) == {CertificateKind.QUALIFICATION}
    due = add_working_days(timezone.localdate(claim.processed_at), 10)
    dispatch = CertificateDispatch.objects.get(claim=claim)
    assert (dispatch.due_on, dispatch.method, dispatch.certificate_count) == (due, "post", 4)
    assert dispatch.dispatched_at is None and dispatch.batch is None
    assert set(certificates.values_list("dispatch_due_on", flat=True)) == {due}
    assert awaiting_print().filter(claim=claim).count() == 4

    # Posting the run that carried them ends the clock, as for a batch.
    run = print_run_create(actor=world.staff, centre=world.centre)
    print_run_mark_posted(actor=world.staff, run=run, carrier="DX", tracking_reference="DX-1")
    dispatch.refresh_from_db()
    assert dispatch.dispatched_at == PrintRun.objects.get(pk=run.pk).posted_at
    assert dispatch.sent_to == "Posted: DX, DX-1"


@pytest.mark.django_db
def test_a_claims_award_to_a_digital_centre_is_delivered_at_once(world):
    claim = processed_award_claim(world, digital=True)
    dispatch = CertificateDispatch.objects.get(claim=claim)
    assert dispatch.method == Delivery.DIGITAL and dispatch.dispatched_at is not None
    assert not Certificate.objects.filter(claim=claim, dispatched_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_claims_late_award_is_alerted_once_and_listed(world, client, mailoutbox, settings):
    claim = processed_award_claim(world)
    # Three weeks on, nothing posted: the due day has passed.
    after = timezone.now() + timedelta(days=21)
    assert dispatch_sweep(now=after) == 1
    assert dispatch_sweep(now=after) == 0  # once per crossing
    alert = DeadlineAlert.objects.get()
    assert (alert.claim_source, alert.batch, alert.kind) == (claim, None, AlertKind.DISPATCH_LATE)
    (email,) = [m for m in mailoutbox if "dispatch" in m.subject.lower()]
    assert f"claim {claim.number}" in email.subject
    assert f"Claim {claim.number} from {world.centre.number}" in email.body

    CertificateDispatch.objects.filter(claim=claim).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(world.staff)
    body = client.get(reverse("certificates:dispatch-list"), {"show": "late"}).content.decode()
    assert f"<td>Claim {claim.number}</td>" in body
    assert dashboard_figures().certificates_late == 1


def merged_pages(run: PrintRun) -> tuple[int, str]:
    run.refresh_from_db()
    with run.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def built_run(world):
    posted_centre_certificates(world, learners=3)
    run = print_run_create(actor=world.staff, centre=world.centre)
    assert print_run_build(run_id=run.pk)
    return run


@pytest.mark.django_db
def test_revoked_in_an_unposted_run_it_leaves_the_pdf_and_the_count(
    world, built_run, django_capture_on_commit_callbacks
):
    assert merged_pages(built_run)[0] == 3
    first_pdf = PrintRun.objects.get(pk=built_run.pk).pdf.name
    revoked = Certificate.objects.filter(print_run=built_run).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(actor=world.staff, certificate=revoked, reason="Awarded in error.")

    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REVOKED and revoked.print_run is None
    run = PrintRun.objects.get(pk=built_run.pk)
    assert run.certificate_count == 2 and not run.pdf
    assert not run.pdf.storage.exists(first_pdf)  # the old merged file went with the commit
    rebuild = OutboxMessage.objects.filter(
        kind="certificates.print_run_build", payload={"run_id": run.pk}, done_at__isnull=True
    )
    assert rebuild.count() == 2  # the run's first build message and the rebuild
    assert print_run_build(run_id=run.pk)
    pages, text = merged_pages(run)
    assert pages == 2 and revoked.number not in text
    assert not awaiting_print().filter(pk=revoked.pk).exists()


@pytest.mark.django_db
def test_replaced_in_an_unposted_run_the_new_one_waits_for_the_next_run(world, built_run):
    old = Certificate.objects.filter(print_run=built_run).order_by("pk").first()
    new = certificate_reissue(actor=world.staff, certificate=old, reason="Name corrected.")
    old.refresh_from_db()
    assert old.print_run is None and PrintRun.objects.get(pk=built_run.pk).certificate_count == 2
    assert new.print_run is None and new.status == CertificateStatus.VALID


@pytest.mark.django_db
def test_a_posted_run_keeps_what_it_carried(world, built_run):
    print_run_mark_posted(actor=world.staff, run=built_run, carrier="DX", tracking_reference="9")
    revoked = Certificate.objects.filter(print_run=built_run).first()
    certificate_revoke(actor=world.staff, certificate=revoked, reason="Awarded in error.")
    revoked.refresh_from_db()
    run = PrintRun.objects.get(pk=built_run.pk)
    assert revoked.print_run_id == run.pk and run.certificate_count == 3 and run.pdf


@pytest.mark.django_db
def test_a_run_whose_every_certificate_was_revoked_has_nothing_to_build(world):
    posted_centre_certificates(world)
    run = print_run_create(actor=world.staff, centre=world.centre)
    for certificate in Certificate.objects.filter(print_run=run):
        certificate_revoke(actor=world.staff, certificate=certificate, reason="In error.")
    run.refresh_from_db()
    assert run.certificate_count == 0
    assert print_run_build(run_id=run.pk) is False and not PrintRun.objects.get(pk=run.pk).pdf


@pytest.mark.django_db
def test_the_claim_page_shows_its_awards_on_their_way(world, client):
    claim = processed_award_claim(world)
    client.force_login(world.admin)
    url = reverse("claims:claim-detail", args=[claim.pk])
    with CaptureQueriesContext(connection) as four:
        body = client.get(url).content.decode()
    assert "Qualification certificates" in body
    due = CertificateDispatch.objects.get(claim=claim).due_on
    assert f"{due:%-d %B %Y} (10 working days after the claim was processed)" in body
    assert body.count("Waiting to be printed, due by") == 4

    run = print_run_create(actor=world.staff, centre=world.centre)
    print_run_mark_posted(actor=world.staff, run=run, carrier="DX", tracking_reference="DX-77")
    body = client.get(url).content.decode()
    assert body.count("by DX, tracking DX-77") == 4
    # Twice the rows (each reissued: replaced and new), the same queries.
    for certificate in Certificate.objects.filter(claim=claim):
        certificate_reissue(actor=world.staff, certificate=certificate, reason="Lost.")
    with CaptureQueriesContext(connection) as eight:
        body = client.get(url).content.decode()
    assert body.count("Replaced by") == 4
    assert len(eight.captured_queries) == len(four.captured_queries)
    # Another centre's staff never see the claim (R-ACC-2).
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_staff_are_told_the_run_lost_a_revoked_certificate(world, client, built_run):
    certificate = Certificate.objects.filter(print_run=built_run).first()
    client.force_login(world.staff)
    response = client.post(
        reverse("certificates:staff-revoke", args=[certificate.pk]),
        {"reason": "Awarded in error."},
        follow=True,
    )
    body = response.content.decode()
    assert f"Certificate {certificate.number} revoked." in body
    assert f"It was taken out of print run {built_run.pk}" in body
    queue = client.get(reverse("certificates:print-queue")).content.decode()
    assert '<td class="text-end">2</td>' in queue  # the run's count, as the page lists it
