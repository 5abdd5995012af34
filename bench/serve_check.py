"""`make serve` on PostgreSQL, Redis, an S3-compatible server and SMTP, driven in Chromium.

    make serve-check      # or: .venv/bin/python bench/serve_check.py

What it does (about two minutes; issue 11's "serves the browser journeys"):

1. starts moto's S3 server (a private bucket) and an aiosmtpd SMTP server, in this process
   on free loopback ports; makes a throwaway database ``hub_serve_<pid>`` on the PostgreSQL
   server ``DATABASE_URL`` names (default ``postgres://postgres@127.0.0.1:5432/postgres``)
   and uses ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) with a queue of its own;
2. runs ``make serve`` with the production profile pointed at them (plain HTTP on loopback,
   so ``DJANGO_SECURE_SSL_REDIRECT=0``): the release steps, gunicorn, the worker and beat;
3. loads the demo data (``seed_demo``, which the production profile refuses, so it runs
   with ``DJANGO_DEBUG=1`` against the same database and bucket);
4. drives the batch guide's main journey in Debian's Chromium: the Centre Administrator
   logs in, selects a unit on the PAR, adds a batch, uploads the IV feedback, the
   assessment brief and the learner work, submits it; the moderator takes it and completes
   it; the centre downloads the learner's certificate;
5. checks the uploads and the certificate PDF are objects in the bucket (and an unsigned
   GET of one is refused), and that the emails the journey caused arrived over SMTP with
   links to ``HUB_SITE_URL``; prints what it saw, stops everything and drops the database.

Exits non-zero, with the server's log tail, on the first thing that does not work.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEMO_PASSWORD = "demo-pass-123"
REGION = "eu-west-2"
ACCESS_KEY, SECRET_KEY = "serve-check-key", "serve-check-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the services ------------------------------------------------------------------------
class Services:
    def __init__(self, database_url: str, redis_url: str) -> None:
        self.admin_url = database_url
        self.redis_url = redis_url
        self.db_name = f"hub_serve_{os.getpid()}"
        self.bucket = f"hub-serve-{uuid.uuid4().hex[:8]}"
        self.inbox: list[email.message.EmailMessage] = []
        self._moto = self._smtp = None

    def start(self) -> None:
        import boto3
        from aiosmtpd.controller import Controller
        from moto.server import ThreadedMotoServer

        # werkzeug logs every request moto serves; the checks read the bucket instead.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.s3_endpoint = f"http://{host}:{port}"
        self.s3 = boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        self.s3.create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

        inbox = self.inbox

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                inbox.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
                return "250 Message accepted for delivery"

        self.smtp_port = free_port()
        self._smtp = Controller(Handler(), hostname="127.0.0.1", port=self.smtp_port)
        self._smtp.start()

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        parts = urllib.parse.urlsplit(self.admin_url)
        self.database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.db_name}"))

    def forget_queue(self, queue: str) -> None:
        """Drop what beat left on this run's own queue (and kombu's binding for it)."""
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        try:
            keys = list(client.scan_iter(match=f"*{queue}*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError as exc:
            say(f"could not drop the queue {queue}: {exc}")
        finally:
            client.close()

    def stop(self) -> None:
        if self._smtp is not None:
            self._smtp.stop()
        if self._moto is not None:
            self._moto.stop()
        try:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        except psycopg.Error as exc:
            say(f"could not drop {self.db_name}: {exc}")

    def keys(self) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def production_env(services: Services, port: int, var_dir: Path) -> dict:
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "serve-check-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback, no proxy in front
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "HUB_CELERY_QUEUE": f"serve-check-{uuid.uuid4().hex[:8]}",
        "AWS_STORAGE_BUCKET_NAME": services.bucket,
        "AWS_S3_ENDPOINT_URL": services.s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "EMAIL_URL": f"smtp://127.0.0.1:{services.smtp_port}",
        "HUB_SITE_URL": f"http://127.0.0.1:{port}/",
        "PORT": str(port),
        "GUNICORN_BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "HUB_VAR_DIR": str(var_dir),
    }


# --- the journey -------------------------------------------------------------------------
def journey(base: str, learner: dict) -> dict:
    """The batch guide's main journey; returns what it made (batch, learner, unit...)."""
    from playwright.sync_api import sync_playwright

    pdf = {"mimeType": "application/pdf", "buffer": PDF_BYTES}
    seen: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        context = browser.new_context(base_url=base, locale="en-GB", accept_downloads=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        failures: list[str] = []
        page.on(
            "response",
            lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )

        def log_in(email_address: str) -> None:
            context.clear_cookies()
            page.goto("/accounts/login/")
            page.get_by_label("Email address").fill(email_address)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/")

        # The Centre Administrator selects a unit on the PAR (R-PAR-3).
        log_in("admin@demo.test")
        say("logged in as admin@demo.test")
        page.get_by_role("link", name="ADD Optional Units (Formerly PAR)").first.click()
        page.get_by_role("link", name="Individual Add/Remove").click()
        seen["learner"] = learner
        page.get_by_label("Enter Membership Number or Surname").fill(learner["number"])
        page.get_by_role("button", name="Update Optional Units").click()
        page.get_by_label(f"{learner['unit_code']} {learner['unit_title']}").check()
        page.get_by_role("button", name="Add all selected units.").click()
        page.get_by_text("1 unit selected.").wait_for()
        say(f"PAR: {learner['unit_code']} selected for {learner['number']}")

        # Add Batch, documents, the learner-unit, the learner work (R-BAT-1, 4, 5).
        page.goto("/moderation/")
        page.get_by_role("link", name="Add Batch").click()
        page.get_by_label("Qualification").select_option(str(learner["qualification_pk"]))
        page.get_by_role("button", name="Click Here").click()
        page.get_by_label("IV Feedback").set_input_files({"name": "iv-feedback.pdf", **pdf})
        page.get_by_label("Assessment Brief").set_input_files({"name": "brief.pdf", **pdf})
        page.get_by_role("button", name="Upload documents").click()
        page.get_by_test_id("iv-done").wait_for()
        batch_pk = int(re.search(r"/moderation/(\d+)/", page.url).group(1))
        seen["batch"] = batch_pk
        say(f"batch {batch_pk}: IV feedback and assessment brief uploaded")
        page.get_by_role("link", name="Select Units to Pass on Batch").click()
        card = page.locator("details", has_text=learner["number"])
        card.locator("summary").click()
        card.get_by_label(f"{learner['unit_code']} {learner['unit_title']}").check()
        page.get_by_role("button", name="Submit").click()
        page.get_by_test_id("batch-status").get_by_text("Centre Completing").wait_for()
        slot = page.locator(
            f'[data-slot][data-p-number="{learner["number"]}"]'
            f'[data-unit-code="{learner["unit_code"]}"]'
        )
        slot.locator('input[type="file"]').set_input_files(
            {"name": f"{learner['number']} {learner['unit_code']}.pdf", **pdf}
        )
        slot.get_by_role("button", name="Upload").click()
        slot.locator("a.doc-done").wait_for()
        say("learner work uploaded")
        page.get_by_role("link", name="Submit Batch").click()
        page.get_by_text("The sample is met.").wait_for()
        page.get_by_role("button", name="Submit Batch").click()
        page.get_by_test_id("batch-status").get_by_text("With Moderator").wait_for()
        say("Submit Batch: With Moderator")

        # The moderator takes it and completes it (R-BAT-7, R-BAT-8, R-BAT-10).
        log_in("moderator@demo.test")
        page.get_by_role("link", name="Moderation queue").first.click()
        page.get_by_role("button", name=f"Take batch {batch_pk}").click()
        with page.expect_download() as zipped:
            page.get_by_role("link", name="Download the whole batch (zip)").click()
        seen["zip_bytes"] = len(Path(zipped.value.path()).read_bytes())
        page.get_by_label("Complete").check()
        page.get_by_label("Comments", exact=True).fill("Well evidenced; passed.")
        page.get_by_role("button", name="Set outcome").click()
        page.get_by_test_id("batch-status").get_by_text("Complete").wait_for()
        say(f"moderator: batch {batch_pk} Complete (whole-batch zip {seen['zip_bytes']} bytes)")

        # The centre downloads the certificate once the worker has drawn it (R-SLA-2).
        log_in("admin@demo.test")
        certificates = f"/certificates/batch/{batch_pk}/"

        def certificate_listed() -> bool:
            page.goto(certificates)
            return page.get_by_role("link", name=re.compile("Download")).count() > 0

        if not wait_for(certificate_listed, timeout=60, every=2):
            raise AssertionError(f"No certificate to download on {certificates}")
        with page.expect_download() as downloaded:
            page.get_by_role("link", name=re.compile("Download")).first.click()
        body = Path(downloaded.value.path()).read_bytes()
        seen["certificate"] = (downloaded.value.suggested_filename, len(body))
        if not body.startswith(b"%PDF-"):
            raise AssertionError("The certificate download is not a PDF")
        say(f"certificate downloaded: {seen['certificate'][0]} ({len(body)} bytes)")
        if failures:
            raise AssertionError(f"Server errors during the journey: {failures}")
        browser.close()
    return seen


_LEARNER = """
import json
from centres.models import Learner, Qualification
from par.models import UnitSelection
qualification = Qualification.objects.get(code="CMI-L5-DML")
unit = qualification.units.get(code="CMI507")
taken = UnitSelection.objects.filter(unit=unit).values("registration__learner")
learner = (
    Learner.objects.filter(
        centre__number="10001",
        registrations__qualification=qualification,
        registrations__is_current=True,
    )
    .exclude(pk__in=taken)
    .order_by("membership_number")
    .first()
)
print(json.dumps({"number": learner.membership_number, "qualification_pk": qualification.pk,
                  "unit_code": unit.code, "unit_title": unit.title}))
"""


def demo_learner(env: dict) -> dict:
    """A Northgate learner on the demo's CMI-L5-DML without its unit CMI507 selected yet."""
    import json

    found = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _LEARNER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


# --- the checks --------------------------------------------------------------------------
def check_storage(services: Services, seen: dict) -> list[str]:
    with psycopg.connect(services.database_url) as conn:
        documents = [
            r[0]
            for r in conn.execute(
                "SELECT file FROM moderation_batchdocument WHERE batch_id = %s ORDER BY id",
                [seen["batch"]],
            )
        ]
        pdfs = [
            r[0]
            for r in conn.execute(
                "SELECT pdf FROM certificates_certificate WHERE batch_id = %s", [seen["batch"]]
            )
        ]
    stored = set(services.keys())
    expected = documents + pdfs
    missing = [key for key in expected if key not in stored]
    if missing or len(documents) < 3 or not pdfs:
        raise AssertionError(f"In the bucket: missing {missing} of {expected}")
    unsigned = requests.get(f"{services.s3_endpoint}/{services.bucket}/{pdfs[0]}", timeout=10)
    if unsigned.status_code != 403:
        raise AssertionError(f"An unsigned GET answered {unsigned.status_code}, not 403")
    say(
        f"bucket {services.bucket}: {len(documents)} documents and {len(pdfs)} certificate "
        f"PDF(s) of batch {seen['batch']} stored ({len(stored)} objects in all); an unsigned "
        "GET is refused (403)"
    )
    return expected


def check_mail(services: Services, site: str, timeout: float) -> list[str]:
    def outcome_mail():
        return [m for m in services.inbox if "Complete" in str(m["Subject"])]

    if not wait_for(lambda: outcome_mail(), timeout=timeout):
        subjects = [str(m["Subject"]) for m in services.inbox]
        raise AssertionError(f"No email about the Complete batch arrived; got {subjects}")
    lines = []
    for message in services.inbox:
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",))
        links = re.findall(r"https?://\S+", text)
        if not links or not all(link.startswith(site) for link in links):
            raise AssertionError(f"{message['Subject']!r} links {links}, not to {site}")
        lines.append(
            f"{message['Subject']!r} to {message['To']} (text{'+html' if html else ''}, "
            f"links to {site})"
        )
    for line in lines:
        say(f"SMTP received: {line}")
    return lines


# --- main --------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where a throwaway database may be created",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: free)")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("DATABASE_URL must name a PostgreSQL server")

    services = Services(args.database_url, args.redis_url)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    serve = env = None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hub-serve-") as tmp:
        log_path = Path(tmp) / "serve.log"
        try:
            services.start()
            env = {**os.environ, **production_env(services, port, Path(tmp) / "var")}
            say(
                f"services: S3 {services.s3_endpoint}, SMTP 127.0.0.1:{services.smtp_port}, "
                f"database {services.db_name}, Redis {services.redis_url}"
            )
            serve = subprocess.Popen(
                ["make", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log_path.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

            def ready() -> bool:
                try:
                    return requests.get(f"{base}/readyz", timeout=3).text == "ready"
                except requests.RequestException:
                    return False

            if not wait_for(ready, timeout=180):
                raise AssertionError(f"make serve did not answer 'ready' on {base}/readyz")
            say(
                f"make serve: {base}/readyz answers 'ready' after {time.monotonic() - started:.0f} s"
            )
            seed = subprocess.run(
                [sys.executable, "manage.py", "seed_demo"],
                cwd=ROOT,
                env={**env, "DJANGO_DEBUG": "1"},
                capture_output=True,
                text=True,
                timeout=300,
            )
            if seed.returncode != 0:
                raise AssertionError(f"seed_demo failed:\n{seed.stdout}\n{seed.stderr}")
            say("demo data loaded (seed_demo with DJANGO_DEBUG=1, same database and bucket)")
            seen = journey(base, demo_learner(env))
            check_storage(services, seen)
            check_mail(services, f"{base}/", timeout=60)
            say(f"all checks passed in {time.monotonic() - started:.0f} s")
            return 0
        except Exception as exc:
            say(f"FAILED: {exc}")
            if log_path.exists():
                print(log_path.read_text(errors="replace")[-6000:], file=sys.stderr)
            return 1
        finally:
            if serve is not None and serve.poll() is None:
                os.killpg(serve.pid, signal.SIGTERM)
                try:
                    serve.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(serve.pid, signal.SIGKILL)
                    serve.wait()
            if env is not None:
                services.forget_queue(env["HUB_CELERY_QUEUE"])
            services.stop()


if __name__ == "__main__":
    sys.exit(main())
