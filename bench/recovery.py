"""Recovery of the whole stack under load: Redis restarted, then PostgreSQL. `make recovery`.

1. Starts its own throwaway PostgreSQL (initdb into a temporary folder, pg_ctl on a spare
   loopback port; as the ``postgres`` user when run as root) and its own Redis
   (redis-server on a spare port, nothing saved to disk), migrates and seeds the demo with
   open batches assigned to the demo moderator.
2. Runs the production profile on them: gunicorn, one Celery worker, beat (under
   bin/keep-running, as deploy/Procfile does), sweeps every 2 s.
3. Drives load: a logged-in moderator's queue page and /healthz in a loop, every request
   recorded with its time and outcome.
4. Stops Redis for OUTAGE seconds; meanwhile the moderator completes batches (the outcome
   is committed, its certificate message cannot reach the broker). Redis comes back empty:
   every message it held is lost as well.
5. Stops PostgreSQL for OUTAGE seconds; completions tried meanwhile fail, and are tried
   again once it is back, as a moderator would.
6. Prints, for each outage, how long requests failed against how long the service was down,
   and how soon after it came back the app answered again, with no process restarted; then
   waits for the sweeps and checks every completed batch has exactly one certificate set and
   one certificates email: nothing lost, nothing twice. Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# testsupport.nodes is imported once the environment names this run's services: importing
# the hub loads its settings, which read the environment once.
nodes = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


MODERATOR = "moderator@demo.test"
PASSWORD = "demo-pass-123"
SECRET = "recovery-only-secret-key-never-deployed-0123456789abcdefghijklmnop"


# --- Throwaway services -------------------------------------------------------------------
def _as_postgres(argv: list[str]) -> list[str]:
    # initdb refuses to run as root; the Debian package's postgres user owns the cluster.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"{name} not found: install PostgreSQL (apt-get install postgresql).")
    return found[-1]


@dataclass
class Postgres:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/hub"

    def init(self) -> None:
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            _as_postgres([_pg_bin("initdb"), "-D", str(self.folder / "data"), "-U", "postgres",
                          "-A", "trust", "--no-sync", "-E", "UTF8"]),
            check=True, capture_output=True,
        )  # fmt: skip
        self.start()
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "hub"],
            check=True,
        )

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-w", *args]),
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._ctl("-o", options, "-l", str(self.folder / "server.log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


@dataclass
class Redis:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        if not _wait_for(self._answers, timeout=10):
            raise SystemExit("redis-server did not start.")

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        self.process.kill()  # as a crash would: whatever it held is gone
        self.process.wait()


# --- Load ---------------------------------------------------------------------------------
@dataclass
class Load:
    """Requests in a loop from one logged-in browser; each (time, ok) is kept."""

    browser: object  # testsupport.nodes.Browser
    urls: list[str]
    samples: list[tuple[float, bool]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stopping.is_set():
            for url in self.urls:
                try:
                    ok = self.browser.get(url, allow_redirects=False).status_code == 200
                except Exception:
                    ok = False
                self.samples.append((time.monotonic(), ok))
            time.sleep(0.05)

    def window(self, start: float, end: float) -> dict:
        """Errors seen from ``start`` until the first success after ``end``."""
        errors = [t for t, ok in self.samples if start <= t and not ok]
        back = next((t for t, ok in self.samples if t >= end and ok), None)
        errors = [t for t in errors if back is None or t <= back]
        return {
            "requests": sum(1 for t, _ in self.samples if start <= t <= (back or end)),
            "errors": len(errors),
            "error_seconds": (max(errors) - min(errors)) if errors else 0.0,
            "answering_again_after": (back - end) if back else None,
        }


# --- The run ------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=8, help="seconds each service is down")
    parser.add_argument("--batches", type=int, default=6, help="batches completed (even)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hub-recovery-"))
    os.chmod(workdir, 0o755)
    try:
        ok = run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


@contextmanager
def services(workdir: Path):
    postgres = Postgres(workdir / "postgres", _free_port())
    redis = Redis(_free_port())
    postgres.init()
    try:
        redis.start()
        yield postgres, redis
    finally:
        if redis.process and redis.process.poll() is None:
            redis.stop()
        with suppress(subprocess.CalledProcessError):
            postgres.stop()


def run(args, workdir: Path) -> bool:
    mail = workdir / "mail"
    mail.mkdir()
    logs = workdir / "logs"
    logs.mkdir()
    global nodes
    with services(workdir) as (postgres, redis):
        port = _free_port()
        env = {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "HUB_SINGLE_NODE": "1",  # one machine: media on its disk
            "HUB_VAR_DIR": str(workdir / "var"),
            "EMAIL_URL": f"filemail:///{mail}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_TIMEOUT": "20",
            "HUB_CERTIFICATE_SWEEP_SECONDS": "2",
            "HUB_OUTBOX_SWEEP_SECONDS": "2",
            "HUB_OUTBOX_RETRY_SECONDS": "1",
            "HUB_OUTBOX_MAX_DELAY": "4",
            "HUB_HEAL_AFTER_MINUTES": "0",
        }
        os.environ.update(env)
        from testsupport import nodes

        manage = [sys.executable, "manage.py"]
        print(f"PostgreSQL on port {postgres.port}, Redis on port {redis.port}: migrating...")
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
        subprocess.run(
            [*manage, "seed_demo", "--open-batches", str(args.batches * 2)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
            env={**os.environ, "DJANGO_DEBUG": "1"},  # demo data is refused in production
        )  # fmt: skip
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True)

        import django

        os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
        django.setup()
        from django.db import close_old_connections

        from certificates.models import Certificate, CertificateDispatch, Delivery
        from moderation.models import Batch, BatchStatus

        batch_ids = list(
            Batch.objects.filter(
                moderator__email=MODERATOR,
                status__in=[BatchStatus.WITH_MODERATOR, BatchStatus.RESUBMITTED],
            ).order_by("pk").values_list("pk", flat=True)[: args.batches]
        )  # fmt: skip
        close_old_connections()
        processes = {
            "web": nodes.gunicorn(port, env=env, log=logs / "web.log"),
            "worker": nodes.worker("recovery", env=env, log=logs / "worker.log", concurrency=2),
            "beat": nodes.beat(env=env, log=logs / "beat.log"),
        }
        base = f"http://127.0.0.1:{port}"
        try:
            if not nodes.wait_until_serving(base):
                raise SystemExit(f"gunicorn did not start; see {logs / 'web.log'}")
            return _exercise(
                args, base, postgres, redis, batch_ids, mail, logs, processes,
                Certificate, CertificateDispatch, Delivery, close_old_connections,
            )  # fmt: skip
        finally:
            nodes.stop_all(processes.values())
            if args.keep:
                print(f"Logs kept in {logs}")


def _complete(moderator: nodes.Browser, base: str, batch_id: int) -> bool:
    try:
        response = moderator.submit(
            f"{base}/moderation/review/{batch_id}/",
            {"outcome": "complete", "comments": "Complete (recovery run)."},
            action=f"{base}/moderation/review/{batch_id}/outcome/",
        )
    except Exception:
        return False
    return response.status_code == 302


def _exercise(args, base, postgres, redis, batch_ids, mail, logs, processes,
              Certificate, CertificateDispatch, Delivery, close_old_connections) -> bool:  # fmt: skip
    moderator = nodes.Browser(timeout=10)
    moderator.log_in(base, email=MODERATOR, password=PASSWORD)
    load_browser = nodes.Browser(timeout=5)
    load_browser.log_in(base, email=MODERATOR, password=PASSWORD)
    load = Load(load_browser, [f"{base}/moderation/queue/", f"{base}/healthz"])
    thread = threading.Thread(target=load.run, daemon=True)
    thread.start()
    time.sleep(3)

    half = len(batch_ids) // 2
    during_redis, during_postgres = batch_ids[:half], batch_ids[half:]

    print(f"Redis down for {args.outage:.0f} s; completing {len(during_redis)} batches meanwhile.")
    redis.stop()
    redis_down = time.monotonic()
    completed = [b for b in during_redis if _complete(moderator, base, b)]
    time.sleep(max(0.0, args.outage - (time.monotonic() - redis_down)))
    redis.start()
    redis_up = time.monotonic()
    time.sleep(args.outage)

    print(f"PostgreSQL down for {args.outage:.0f} s; completions tried meanwhile must fail.")
    postgres.stop()
    pg_down = time.monotonic()
    refused = [b for b in during_postgres if not _complete(moderator, base, b)]
    time.sleep(max(0.0, args.outage - (time.monotonic() - pg_down)))
    postgres.start()
    pg_up = time.monotonic()
    time.sleep(args.outage)
    # The moderator tries again what failed while the database was down.
    retried = [b for b in during_postgres if _complete(moderator, base, b)]

    def all_dispatched() -> bool:
        close_old_connections()
        try:
            digital = CertificateDispatch.objects.filter(
                batch_id__in=batch_ids, method=Delivery.DIGITAL
            )
            return (
                CertificateDispatch.objects.filter(batch_id__in=batch_ids).count() == len(batch_ids)
                and not digital.filter(dispatched_at__isnull=True).exists()
            )
        except Exception:
            return False

    nodes.wait_for(all_dispatched, timeout=120, every=1)
    time.sleep(6)  # more sweeps: they must add nothing
    load.stopping.set()
    thread.join(10)

    close_old_connections()
    certificate_sets = (
        Certificate.objects.filter(batch_id__in=batch_ids).values("batch_id").distinct().count()
    )
    per_batch = {b: Certificate.objects.filter(batch_id=b).count() for b in batch_ids}
    dispatches = CertificateDispatch.objects.filter(batch_id__in=batch_ids)
    dispatched = dispatches.count()
    # Only centres taking digital certificates (with someone to tell) are emailed; posted
    # ones wait for an admin to record the post.
    with_recipients = (
        dispatches.filter(method=Delivery.DIGITAL, dispatched_at__isnull=False)
        .exclude(sent_to="")
        .count()
    )
    emails = [
        m["Subject"] for m in nodes.emails_in(mail) if m["Subject"].startswith("Certificates ready")
    ]
    # gunicorn must never need a restart; the worker and beat run under bin/keep-running
    # (as in deploy/Procfile), which says when it started one again.
    exited = [name for name, p in processes.items() if p.poll() is not None]
    restarts = {
        name: (logs / f"{name}.log").read_text(errors="replace").count("keep-running: ")
        for name in ("worker", "beat")
    }

    redis_window = load.window(redis_down, redis_up)
    pg_window = load.window(pg_down, pg_up)
    print()
    print("outage      down (s)  requests  errors  errors for (s)  answering again after (s)")
    for name, down, up, w in (
        ("Redis", redis_down, redis_up, redis_window),
        ("PostgreSQL", pg_down, pg_up, pg_window),
    ):
        again = (
            "never" if w["answering_again_after"] is None else f"{w['answering_again_after']:.1f}"
        )
        print(f"{name:<11} {up - down:8.1f}  {w['requests']:8}  {w['errors']:6}  "
              f"{w['error_seconds']:14.1f}  {again:>25}")  # fmt: skip
    print()
    checks = {
        "completed while Redis was down": len(completed) == len(during_redis),
        "refused while PostgreSQL was down": len(refused) == len(during_postgres),
        "completed once PostgreSQL was back": len(retried) == len(during_postgres),
        "errors no longer than each outage (+2 s)": all(
            w["error_seconds"] <= up - down + 2
            for w, down, up in ((redis_window, redis_down, redis_up), (pg_window, pg_down, pg_up))
        ),
        "answering again within 5 s, web server never restarted": not exited
        and all(
            w["answering_again_after"] is not None and w["answering_again_after"] <= 5
            for w in (redis_window, pg_window)
        ),
        f"{len(batch_ids)} certificate sets, one per batch": certificate_sets == len(batch_ids)
        and all(count >= 1 for count in per_batch.values()),
        f"{len(batch_ids)} dispatches, one certificates email per digital one, none twice": dispatched
        == len(batch_ids)
        and len(emails) == with_recipients
        and len(set(emails)) == len(emails),
    }
    for check, passed in checks.items():
        print(f"{'ok  ' if passed else 'FAIL'} {check}")
    swept = sum(
        int(match)
        for match in re.findall(
            r"outbox_sweep\[[^]]+\] succeeded in [0-9.e-]+s: (\d+)",
            (logs / "worker.log").read_text(),
        )
    )
    print(f"\nOutbox messages the broker never got (Redis down or emptied), delivered by beat's "
          f"sweep: {swept}")  # fmt: skip
    print(f"Started again by bin/keep-running: worker {restarts['worker']} time(s), "
          f"beat {restarts['beat']} time(s)")  # fmt: skip
    print(f"Batches completed: {len(batch_ids)}; dispatched: {dispatched} "
          f"({with_recipients} emailed, the rest posted); certificates emails: {len(emails)}; "
          f"certificates per batch: {sorted(set(per_batch.values()))}")  # fmt: skip
    return all(checks.values())


if __name__ == "__main__":
    main()
