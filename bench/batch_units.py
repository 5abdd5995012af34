"""Time "Select Units to Pass on Batch" on a seeded database (issue 9).

Run against a database already loaded with ``seed_demo --learners N --selected-units 12``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench \\
        .venv/bin/python bench/batch_units.py --rounds 5

It starts a draft batch at Northgate on the moderation qualification (documents overridden),
then prints, for each page, the median time of a GET in-process, its queries and HTML bytes;
then times "Tick all" for every learner (one request, and the service alone) and "Untick
all", and deletes the batch it made. Nothing else in the database changes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a database loaded by seed_demo --learners N.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from centres.models import Centre, Qualification, User
    from moderation import services
    from moderation.models import Batch, BatchUnit

    settings.ALLOWED_HOSTS = ["*"]
    # force_login has no client address; django-axes would log "unknown" in an inet column.
    settings.AXES_ENABLED = False
    admin = User.objects.get(email="admin@demo.test")
    centre = Centre.objects.get(number="10001")
    qualification = Qualification.objects.get(code="CMI-L5-DML")
    batch = Batch.objects.create(
        centre=centre, qualification=qualification, created_by=admin, override_documents=True
    )
    client = Client()
    client.force_login(admin)
    url = reverse("moderation:batch-units", args=[batch.pk])

    def measure(label: str, method: str, path: str, data=None, rounds: int = args.rounds):
        times, queries, size = [], 0, 0
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = getattr(client, method)(path, data)
                times.append(time.perf_counter() - start)
            assert response.status_code in (200, 302), (label, response.status_code)
            queries, size = len(ctx.captured_queries), len(response.content)
        print(
            f"{label:<44} {statistics.median(times) * 1000:8.0f} ms {queries:4d} queries "
            f"{size / 1024:8.1f} KB"
        )

    try:
        learners = batch.qualification.registrations.filter(
            learner__centre=centre, is_current=True
        ).count()
        print(f"{learners} learners on {qualification.code} at {centre}; batch {batch.pk}\n")
        last = -(-learners // settings.HUB_PAGE_SIZE)
        measure("GET page 1", "get", url)
        measure(f"GET page {last} (last)", "get", f"{url}?page={last}")
        measure("GET search 'smith'", "get", f"{url}?q=smith")
        measure("GET only units free to claim", "get", f"{url}?show=free")
        measure("POST Tick all (every learner)", "post", url, {"action": "add_matching"}, 1)
        held = BatchUnit.objects.filter(batch=batch).count()
        print(f"{'':<44} {held} learner-units on the batch")
        measure("GET page 1, every unit ticked", "get", url)
        measure("GET only units free to claim, all ticked", "get", f"{url}?show=free")
        measure("POST Tick all again (adds none)", "post", url, {"action": "add_matching"}, 1)
        measure("POST Untick all", "post", url, {"action": "remove_matching"}, 1)
        start = time.perf_counter()
        added = services.batch_add_all_matching(actor=admin, batch=batch)
        print(
            f"{'service batch_add_all_matching':<44} {(time.perf_counter() - start) * 1000:8.0f} ms"
            f" ({added} inserted)"
        )
    finally:
        services.batch_remove_all_matching(actor=admin, batch=batch)
        batch.history.all().delete()
        batch.delete()


if __name__ == "__main__":
    main()
