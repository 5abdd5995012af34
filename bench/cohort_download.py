"""A whole-cohort download of a 2,000-learner-unit batch, built by a real worker (issue 15).

    make bench-download                                  # 2,000 files of 1 MB: a 2 GB zip
    .venv/bin/python bench/cohort_download.py --learner-units 2000 --member-kb 1024

In a throwaway folder (its own SQLite database, media folder and filesystem broker, or
the PostgreSQL database of ``DATABASE_URL`` if set, whose data it then adds to) it:

1. loads the demo with ``seed_demo --learners N --selected-units 2 --big-batch N``: a batch
   under review with N learner-units, assigned to the demo moderator; every learner-unit is
   then given a sample file of ``--member-kb`` random bytes (one stored object, N rows);
2. starts a real Celery worker (``--pool solo``: the measured process is the one building);
3. warms it with a small download (the Draft batch's two documents), then reads the worker's
   peak resident memory (VmHWM in /proc) - "before";
4. has the moderator Prepare download of the big batch through the service, waits for the
   worker to mark it Ready, and reads VmHWM again - "after";
5. checks the zip (every member's name and size in its central directory, the manifest's
   lines) and prints time, throughput and peak-RSS growth against the zip's size.

Flat memory means the growth stays a few MB (one 1 MB read buffer, zipfile's own) whatever
the zip's size: it is not a function of the members or their total.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = ROOT / ".venv" / "bin" / "python"
CELERY = ROOT / ".venv" / "bin" / "celery"


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc: Linux only")


def wait_ready(download_id: int, *, timeout: float, worker) -> float:
    from downloads.models import DownloadRequest, DownloadStatus

    start = time.monotonic()
    shown = -1
    while time.monotonic() - start < timeout:
        if worker.poll() is not None:
            raise SystemExit(f"The worker exited with {worker.returncode}.")
        download = DownloadRequest.objects.get(pk=download_id)
        if download.status == DownloadStatus.READY:
            return time.monotonic() - start
        if download.status in (DownloadStatus.FAILED, DownloadStatus.EXPIRED):
            raise SystemExit(f"Download {download_id}: {download.status} {download.error}")
        if download.files_done != shown and download.files_total > 50:
            shown = download.files_done
            print(f"  {download.get_status_display():9} {shown:5d}/{download.files_total} files")
        time.sleep(1)
    raise SystemExit(f"Download {download_id} was not ready after {timeout:.0f} s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learner-units", type=int, default=2000)
    parser.add_argument("--member-kb", type=int, default=1024, help="each sample file's size")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="hub-bench-download-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "HUB_VAR_DIR": str(folder),
        "HUB_MEDIA_ROOT": str(folder / "media"),
        "CELERY_BROKER_URL": "filesystem://",
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": "",
        "DJANGO_DEBUG": "1",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'db.sqlite3'}")
    os.environ.update(env)
    worker = None
    try:
        n = args.learner_units
        print(f"Seeding the demo with a {n:,}-learner-unit batch in {folder} ...")
        started = time.monotonic()
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            [
                "seed_demo",
                "--learners",
                str(n),
                "--selected-units",
                "2",
                "--big-batch",
                str(n),
                "--quiet",
            ],
        ):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)

        import django

        django.setup()
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from centres.models import User
        from downloads import services
        from downloads.models import DownloadRequest, Scope
        from moderation.models import Batch, BatchDocument, BatchStatus, DocumentKind

        moderator = User.objects.get(email="moderator@demo.test")
        admin = User.objects.get(email="admin@demo.test")
        review = (
            Batch.objects.filter(status=BatchStatus.WITH_MODERATOR, moderator=moderator)
            .order_by("-pk")
            .first()
        )
        draft = Batch.objects.filter(status=BatchStatus.DRAFT, centre=review.centre).last()
        # Every learner-unit gets its own file row, all naming one stored object.
        body = os.urandom(args.member_kb * 1024)
        key = default_storage.save("moderation/bench/member.pdf", ContentFile(body))
        units = list(review.units.filter(documents__isnull=True).values_list("pk", flat=True))
        BatchDocument.objects.bulk_create(
            [
                BatchDocument(
                    batch=review,
                    kind=DocumentKind.SAMPLE,
                    batch_unit_id=pk,
                    file=key,
                    original_name=f"work-{pk}.pdf",
                    size=len(body),
                    content_type="application/pdf",
                    uploaded_by=admin,
                )
                for pk in units
            ],
            batch_size=2000,
        )
        BatchDocument.objects.filter(batch=review, kind=DocumentKind.SAMPLE).update(
            file=key, size=len(body)
        )
        learner_units = review.units.count()
        files = BatchDocument.objects.current().filter(batch=review).count()
        print(
            f"Seeded in {time.monotonic() - started:.0f} s: batch {review.pk}, "
            f"{learner_units:,} learner-units, {files:,} files of {args.member_kb:,} KB."
        )

        worker = subprocess.Popen(
            [CELERY, "-A", "hub", "worker", "--pool", "solo", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
        )
        warm, _ = services.download_prepare(actor=admin, scope=Scope.BATCH, batch=draft)
        wait_ready(warm.pk, timeout=120, worker=worker)
        before = peak_rss_kb(worker.pid)

        download, created = services.download_prepare(
            actor=moderator, scope=Scope.BATCH, batch=review
        )
        assert created
        print(f"Building download {download.pk} ({download.bytes_total / 2**20:,.0f} MB) ...")
        seconds = wait_ready(download.pk, timeout=args.timeout, worker=worker)
        after = peak_rss_kb(worker.pid)
        download = DownloadRequest.objects.get(pk=download.pk)

        with default_storage.open(download.file.name, "rb") as stored:
            archive = zipfile.ZipFile(stored)
            infos = archive.infolist()
            manifest = list(
                csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")))
            )
            assert infos[0].filename == "manifest.csv"
            assert len(infos) == files + 1, (len(infos), files)
            assert sum(i.file_size for i in infos[1:]) == download.bytes_total
            assert len(manifest) == files + 1
            assert archive.read(infos[-1]) == body  # a member reads back, CRC checked
        size_mb = download.size / 2**20
        growth = after - before
        print()
        print(f"files in the zip        {files:>12,} (+ manifest.csv, {len(manifest) - 1:,} lines)")
        print(f"zip size                {size_mb:>12,.0f} MB")
        print(f"build time              {seconds:>12.1f} s  ({size_mb / seconds:,.0f} MB/s)")
        print(f"worker peak RSS before  {before / 1024:>12.1f} MB  (after a warm-up download)")
        print(f"worker peak RSS after   {after / 1024:>12.1f} MB")
        print(
            f"peak RSS growth         {growth / 1024:>12.1f} MB  "
            f"({100 * growth / 1024 / size_mb:.2f} % of the zip's size)"
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
