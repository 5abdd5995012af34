"""Two web nodes, two workers and one beat on the same PostgreSQL, Redis and S3 (issue 11).

Real processes, as the production profile runs them (DJANGO_DEBUG=0, gunicorn, celery): a
centre administrator logs in on node A and uploads learner work there, downloads it from
node B; the moderator logs in on B, opens the batch on A as well, and completes it on B.
Whichever worker takes each task, and with beat's sweeps racing the normal path (they heal
anything older than zero minutes here), exactly one certificate set and one email come out,
and each person's one session is valid on both nodes.

Every process must open the test database, the broker and the bucket, so this runs in the
PostgreSQL + Redis leg of .ci/run, with moto's S3 server (testsupport/s3.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre
from certificates.models import Certificate, CertificateDispatch
from hub.celery import app as hub_app
from moderation.models import Batch, BatchDocument, BatchStatus, DocumentKind
from moderation.tests.factories import PDF_BYTES, make_batch
from testsupport import nodes
from testsupport.s3 import ACCESS_KEY, REGION, SECRET_KEY

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "two-nodes-pass-123"


@pytest.fixture
def shared_database():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip(
            "two nodes need a database, broker and cache other processes can open: runs in "
            "the PostgreSQL + Redis leg of .ci/run"
        )
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def hub_processes(shared_database, s3, tmp_path):
    """Start node A, node B, two workers and beat; stop them all afterwards."""
    mail = tmp_path / "mail"
    mail.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "two-nodes-test-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": shared_database,
        "REDIS_URL": settings.REDIS_URL,
        # This test's own queue: no other test's tasks reach these workers, nor theirs ours.
        "HUB_CELERY_QUEUE": f"two-nodes-{uuid.uuid4().hex[:8]}",
        "AWS_STORAGE_BUCKET_NAME": s3.name,
        "AWS_S3_ENDPOINT_URL": s3.endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        # django-environ drops one leading slash: four make the path absolute.
        "EMAIL_URL": f"filemail:///{mail}",
        # Collected static files only (media is in S3); kept between runs so collectstatic
        # only copies what changed.
        "HUB_VAR_DIR": str(ROOT / "var" / "two-nodes"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        # Beat's sweeps run every 2 s and heal work of any age, racing the normal path.
        "HUB_CERTIFICATE_SWEEP_SECONDS": "2",
        "HUB_OUTBOX_SWEEP_SECONDS": "2",
        "HUB_OUTBOX_RETRY_SECONDS": "1",
        "HUB_HEAL_AFTER_MINUTES": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        timeout=120,
    )
    ports = {"A": nodes.free_port(), "B": nodes.free_port()}
    processes = {
        "node A": nodes.gunicorn(ports["A"], env=env, log=logs / "node-a.log"),
        "node B": nodes.gunicorn(ports["B"], env=env, log=logs / "node-b.log"),
        "worker 1": nodes.worker("one", env=env, log=logs / "worker-1.log"),
        "worker 2": nodes.worker("two", env=env, log=logs / "worker-2.log"),
        "beat": nodes.beat(env=env, log=logs / "beat.log"),
    }
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        for url in urls.values():
            assert nodes.wait_until_serving(url, timeout=60), _tails(logs)
        yield urls, mail, logs, env["HUB_CELERY_QUEUE"]
    finally:
        nodes.stop_all(processes.values())


SWEEPS = ("certificates.tasks.sweep_certificates", "hub.tasks.outbox_sweep")


def _finished(worker_logs: list[Path], task: str) -> int:
    """How many runs of ``task`` the workers have logged as succeeded."""
    pattern = re.compile(re.escape(task) + r"\[[0-9a-f-]{36}\] succeeded")
    return sum(len(pattern.findall(path.read_text(errors="replace"))) for path in worker_logs)


def _tails(logs: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}"
        for path in sorted(logs.glob("*.log"))
    )


def test_two_nodes_two_workers_one_beat_share_the_work(world, settings, s3, hub_processes):
    urls, mail, logs, queue = hub_processes
    a, b = urls["A"], urls["B"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for user in (world.admin, world.moderator):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    # R-CRT-1: a centre taking digital certificates is emailed at once (posted ones wait for
    # a print run), so the email is the dispatch this test counts.
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    batch = make_batch(world, BatchStatus.CENTRE_COMPLETING)
    unit = batch.units.first()

    centre = nodes.Browser()
    centre.log_in(a, email=world.admin.email, password=PASSWORD)

    # Upload on node A, through the batch page's form.
    detail = f"{a}{reverse('moderation:batch-detail', args=[batch.pk])}"
    upload = centre.submit(
        detail,
        {},
        action=f"{a}{reverse('moderation:sample-upload', args=[batch.pk, unit.pk])}",
        files={"file": ("essay.pdf", PDF_BYTES, "application/pdf")},
    )
    assert upload.status_code == 302, upload.text[-2000:]
    document = BatchDocument.objects.get(batch=batch, kind=DocumentKind.SAMPLE)
    assert s3.read(document.file.name) == PDF_BYTES  # in the shared bucket, not on node A

    # Download on node B with the session node A started: a signed URL to the bucket.
    download = centre.get(
        f"{b}{reverse('moderation:document-download', args=[batch.pk, document.pk])}"
    )
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download.history and download.history[0].status_code == 302

    # The centre sends it; the moderator has it.
    now = timezone.now()
    Batch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.WITH_MODERATOR,
        moderator=world.moderator,
        submitted_at=now,
        sla_started_at=now,
        sla_due_at=now + timezone.timedelta(days=28),
    )

    moderator = nodes.Browser()
    moderator.log_in(b, email=world.moderator.email, password=PASSWORD)
    review = reverse("moderation:review", args=[batch.pk])
    assert moderator.get(f"{a}{review}").status_code == 200  # B's session, valid on A
    outcome = moderator.submit(
        f"{b}{review}",
        {"outcome": BatchStatus.COMPLETE, "comments": "Passed, completed on node B."},
        action=f"{b}{reverse('moderation:outcome', args=[batch.pk])}",
    )
    assert outcome.status_code == 302, outcome.text[-2000:]

    def dispatched() -> bool:
        return CertificateDispatch.objects.filter(batch=batch, dispatched_at__isnull=False).exists()

    assert nodes.wait_for(dispatched, timeout=60), _tails(logs)
    # Let every sweep, redelivery and retry that could still run have its turn: two more
    # certificate and outbox sweeps after the dispatch, and nothing left in the broker.
    # Nothing may be added by them.
    workers = [logs / "worker-1.log", logs / "worker-2.log"]
    before = {task: _finished(workers, task) for task in SWEEPS}

    def swept_twice_more_and_settled() -> bool:
        return all(
            _finished(workers, task) >= before[task] + 2 for task in SWEEPS
        ) and nodes.broker_settled(hub_app, queue, workers)

    assert nodes.wait_for(swept_twice_more_and_settled, timeout=60), _tails(logs)

    certificates = Certificate.objects.filter(batch=batch)
    assert certificates.count() == 1  # one learner on the batch: one certificate
    assert certificates.exclude(pdf="").count() == 1
    assert s3.read(certificates.get().pdf.name).startswith(b"%PDF-")
    sent = [(m["Subject"], m["To"]) for m in nodes.emails_in(mail)]
    certificate_emails = [to for subject, to in sent if subject.startswith("Certificates ready")]
    assert certificate_emails == [CertificateDispatch.objects.get(batch=batch).sent_to]
    assert len(sent) == len(set(sent)), sent  # the outcome's own emails: once each too

    # Both people's sessions still hold on both nodes.
    batch_page = reverse("moderation:batch-detail", args=[batch.pk])
    for node in (a, b):
        page = centre.get(f"{node}{batch_page}", allow_redirects=False)
        assert page.status_code == 200, (node, page.status_code)
        assert moderator.get(f"{node}{review}", allow_redirects=False).status_code == 200

    # Each node served part of the journey and logged it as JSON with its request id, and
    # the work the outcome caused was logged by a worker under the outcome's request id.
    for log_name in ("node-a.log", "node-b.log"):
        assert '"logger": "hub.request"' in (logs / log_name).read_text()
    caused = f'"request_id": "{outcome.headers["X-Request-ID"]}"'
    workers = (logs / "worker-1.log").read_text() + (logs / "worker-2.log").read_text()
    assert any("outbox_deliver" in line and caused in line for line in workers.splitlines())
