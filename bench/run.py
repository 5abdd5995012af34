"""Time the PAR pages on a large centre. Run with `make bench`.

Builds a throwaway SQLite database (or uses DATABASE_URL), loads the demo with
``--learners N`` and times each page through Django's test client, several rounds each,
printing the median time and the number of SQL queries. Speed targets are read from here,
never from the unit tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("HUB_VAR_DIR", str(workdir / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from centres.models import Qualification, Registration, User
    from par.models import UnitSelection

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", learners=args.learners, quiet=True, verbosity=0)

    client = Client()
    client.force_login(User.objects.get(email="admin@demo.test"))
    qualification = Qualification.objects.get(code="CMI-L5-DML")
    units = list(qualification.units.order_by("code").values_list("pk", flat=True))
    registrations = list(
        Registration.objects.filter(
            qualification=qualification, is_current=True, learner__centre__number="10001"
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )

    def timed(label, request):
        times, queries = [], 0
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = request()
                times.append(time.perf_counter() - start)
            assert response.status_code in (200, 302), (label, response.status_code)
            queries = len(ctx.captured_queries)
        print(
            f"{label:<48} median {statistics.median(times) * 1000:8.1f} ms   {queries:3d} queries"
        )

    print(f"PAR with {args.learners} extra learners on {qualification.code} ({len(units)} units)")
    timed(
        "Individual: Display all Records",
        lambda: client.get(reverse("par:individual"), {"mode": "all"}),
    )
    timed(
        "Individual: Filter by Qualification",
        lambda: client.get(
            reverse("par:individual"), {"mode": "qualification", "qualification": qualification.pk}
        ),
    )
    timed(
        "Individual: Filter by Name/Number",
        lambda: client.get(reverse("par:individual"), {"mode": "name", "q": "smi"}),
    )
    timed(
        "Bulk: List Available Learners (2 units)",
        lambda: client.get(
            reverse("par:bulk"), {"qualification": qualification.pk, "units": units[2:4], "list": 1}
        ),
    )

    def save_500():
        UnitSelection.objects.filter(unit_id=units[5]).delete()
        return client.post(reverse("par:add"), {"unit": [f"{r}:{units[5]}" for r in registrations]})

    timed("Add all selected units.: 500 ticks", save_500)
    print(f"(database: {connection.vendor}; data in {workdir})")


if __name__ == "__main__":
    main()
