"""Time the long lists outside PAR and moderation on a large centre.

    DATABASE_URL=postgres://.../hub_big .venv/bin/python bench/lists.py --learners 20000

Uses DATABASE_URL (a throwaway SQLite file when unset), migrates, loads the demo with
``--learners N`` and adds, once per database, what these lists need at that size:
N learners on the claim-route qualification, a 600-line Unsubmitted claim, N/10 claims in
the history (the assessor sees them too), a Complete batch with N/10 certificates and N/100
staff. Then it times each page through Django's test client and prints the median time,
the query count and the size of the HTML. Speed targets are read from here, never from the
unit tests (those pin query counts and sizes).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIG_CLAIM_LINES = 600
BIG_CLAIM_UNITS = 3  # 200 candidates x 3 units


def extend(size: int) -> None:
    """Add the claims, certificates and staff the lists are timed on (once per database)."""
    from django.db import transaction
    from django.utils import timezone

    from centres.demo import CLAIM_QUALIFICATION, add_learners
    from centres.models import Centre, Learner, Membership, Qualification, Registration, User
    from certificates.models import Certificate
    from claims.models import CentreAssessor, Claim, ClaimLine, ClaimStatus
    from moderation.models import Batch, BatchStatus

    centre = Centre.objects.get(number="10001")
    claim_q = Qualification.objects.get(code=CLAIM_QUALIFICATION[0])
    if Claim.objects.filter(number="BENCH-00000").exists():
        return
    with transaction.atomic():
        add_learners(centre, claim_q, size, rng=random.Random(size))
        assessor = CentreAssessor.objects.get(centre=centre, qualification=claim_q, initials="HB")
        units = list(
            claim_q.qualification_units.order_by("position").values_list("unit_id", flat=True)
        )[:BIG_CLAIM_UNITS]
        registrations = list(
            Registration.objects.filter(
                learner__centre=centre, qualification=claim_q, is_current=True, entry_type="full"
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        claim = (
            Claim.objects.filter(
                centre=centre, qualification=claim_q, status=ClaimStatus.UNSUBMITTED
            ).first()
            or Claim.objects.bulk_create([Claim(centre=centre, qualification=claim_q)])[0]
        )
        ClaimLine.objects.bulk_create(
            [
                ClaimLine(
                    claim=claim, registration_id=r, unit_id=u, grade="merit", assessor=assessor
                )
                for r in registrations[: BIG_CLAIM_LINES // BIG_CLAIM_UNITS]
                for u in units
            ],
            ignore_conflicts=True,
        )
        now = timezone.now()
        statuses = [ClaimStatus.PROCESSED, ClaimStatus.SUBMITTED, ClaimStatus.SAMPLED]
        history = Claim.objects.bulk_create(
            [
                Claim(
                    centre=centre,
                    qualification=claim_q,
                    status=statuses[i % 3],
                    number=f"BENCH-{i:05d}",
                    reference=f"REF-{i:05d}" if i % 3 == 0 else None,
                    created_at=now - datetime.timedelta(hours=i),
                    submitted_at=now - datetime.timedelta(hours=i),
                    processed_at=now - datetime.timedelta(hours=i) if i % 3 == 0 else None,
                    contact_email="exams@northgate.test",
                )
                for i in range(size // 10)
            ],
            batch_size=1000,
        )
        ClaimLine.objects.bulk_create(
            [
                ClaimLine(
                    claim=c,
                    registration_id=registrations[i % len(registrations)],
                    unit_id=units[0],
                    grade="pass",
                    assessor=assessor,
                )
                for i, c in enumerate(history)
            ],
            batch_size=2000,
        )
        batch_q = Qualification.objects.get(code="CMI-L5-DML")
        batch = Batch.objects.bulk_create(
            [Batch(centre=centre, qualification=batch_q, status=BatchStatus.COMPLETE)]
        )[0]
        learners = list(
            Learner.objects.filter(centre=centre, registrations__qualification=batch_q).order_by(
                "pk"
            )[: size // 10]
        )
        units_json = [
            {"code": qu.unit.code, "title": qu.unit.title, "result": "pass"}
            for qu in batch_q.qualification_units.select_related("unit").order_by("position")[:4]
        ]
        Certificate.objects.bulk_create(
            [
                Certificate(
                    learner=learner,
                    qualification=batch_q,
                    centre=centre,
                    batch=batch,
                    units=units_json,
                    number=f"C{batch.pk:06d}-{learner.pk:07d}",
                    pdf=f"certificates/bench/{learner.pk}.pdf",
                    dispatch_due_on=now.date(),
                )
                for learner in learners
            ],
            batch_size=1000,
        )
        users = User.objects.bulk_create(
            [
                User(email=f"bench{i}@northgate.test", first_name="Staff", last_name=f"B{i:04d}")
                for i in range(size // 100)
            ]
        )
        users = User.objects.filter(email__startswith="bench", email__endswith="@northgate.test")
        Membership.objects.bulk_create(
            [Membership(user=u, centre=centre, role="tutor", can_par=True) for u in users]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-seed", action="store_true", help="The database is loaded.")
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

    from centres.models import Learner, User
    from certificates.models import Certificate
    from claims.models import Claim, ClaimStatus

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False  # logins here are force_login, with no client address
    if not args.skip_seed:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", learners=args.learners, quiet=True, verbosity=0)
    extend(args.learners)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the bulk loads

    centre_client = Client()
    centre_client.force_login(User.objects.get(email="director@demo.test"))
    assessor_client = Client()
    assessor_client.force_login(User.objects.get(email="assessor@demo.test"))
    staff_client = Client()
    staff_client.force_login(User.objects.get(email="staff@demo.test"))

    claim = Claim.objects.get(status=ClaimStatus.UNSUBMITTED, centre__number="10001")
    unit_id = claim.lines.order_by("unit_id").values_list("unit_id", flat=True).first()
    certificate = Certificate.objects.filter(centre__number="10001").order_by("-batch_id").first()
    learner = Learner.objects.filter(centre__number="10001").order_by("pk").first()

    def timed(label, client, url, params=None):
        times, cpu, queries, size = [], [], 0, 0
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, params or {})
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200, (label, response.status_code)
            queries, size = len(ctx.captured_queries), len(body)
        # Wall time includes waiting for a busy machine; the app's own CPU time does not.
        print(
            f"{label:<36} median {statistics.median(times) * 1000:7.1f} ms"
            f"  best {min(times) * 1000:7.1f} ms  app CPU {min(cpu) * 1000:6.1f} ms"
            f"  {queries:3d} queries  {size / 1024:8.1f} KB"
        )

    print(f"Lists with {args.learners} extra learners ({connection.vendor})")
    by_candidate = reverse("claims:by-candidate", args=[claim.pk])
    timed("By Candidate (name)", centre_client, by_candidate)
    timed(
        "By Candidate (action), page 3", centre_client, by_candidate, {"sort": "action", "page": 3}
    )
    timed("By Candidate (-dob)", centre_client, by_candidate, {"sort": "-dob"})
    timed("By Unit", centre_client, reverse("claims:by-unit", args=[claim.pk]))
    timed(
        "By Unit: one unit's candidates",
        centre_client,
        reverse("claims:unit-edit", args=[claim.pk, unit_id]),
    )
    timed(
        "Claim (600 lines), page 2",
        centre_client,
        reverse("claims:claim-detail", args=[claim.pk]),
        {"page": 2},
    )
    timed("Claim history", centre_client, reverse("claims:history"))
    timed(
        "Claim history (sort lines)", centre_client, reverse("claims:history"), {"sort": "-lines"}
    )
    timed(
        "Claim CSV export (600 lines)",
        centre_client,
        reverse("claims:claim-export", args=[claim.pk]),
    )
    timed("History CSV export", centre_client, reverse("claims:history-export"))
    timed("Learners", centre_client, reverse("centres:learner-list"))
    timed("Learners, page 100", centre_client, reverse("centres:learner-list"), {"page": 100})
    timed("Learners, search 'smi'", centre_client, reverse("centres:learner-list"), {"q": "smi"})
    timed("Claims to assess", assessor_client, reverse("claims:assessor-list"))
    timed(
        "Certificates for a batch",
        centre_client,
        reverse("certificates:batch", args=[certificate.batch_id]),
    )
    timed(
        "Certificates for a learner",
        centre_client,
        reverse("certificates:learner", args=[learner.pk]),
    )
    timed("Moderation dashboard", staff_client, reverse("certificates:dashboard"))
    timed("Staff access", centre_client, reverse("centres:staff"))
    print(f"(database: {connection.vendor}; data in {workdir})")


if __name__ == "__main__":
    main()
