"""What each bench page costs PostgreSQL, statement by statement (issue 9).

    createdb -h 127.0.0.1 -U postgres -T h_tpl20k mydb_20k     # or any db `make bench` seeded
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mydb_20k .venv/bin/python bench/pg_cost.py
    ... bench/pg_cost.py --only "queue,batch list" --explain     # each statement's plan
    ... bench/pg_cost.py --options "-c random_page_cost=4"       # a planner setting to try

Runs the pages `make bench` drives (bench/run.py load_pages) in this process, on the
production profile, logged in as their personas, and prints per page view:

- **PostgreSQL CPU**: the CPU time of the server process serving this connection, read from
  /proc/<backend pid>/schedstat around each view (parse, plan, execute and protocol:
  everything PostgreSQL spends on the page, nothing of the other sessions on the machine).
  Needs the server on this machine, readable /proc (root or the postgres user). Median of
  ``--rounds`` views after a warm-up, so prepared statements are what a warm worker has.
- **Python CPU**: time.process_time of this process for the same views.
- with ``--explain``: EXPLAIN (ANALYZE, BUFFERS) of each SELECT the view ran, its time
  (planning + execution, median of 5) and top plan node.

CPU time, not wall time: the machine is shared, and a loaded box stretches wall time but
not the work done. Before trusting a number after a bulk experiment on the database, run
VACUUM ANALYZE: a rolled-back UPDATE of every row leaves the table twice its size until then.
The pages' keys default to those of the seeded template (batches 1, 2, 3 and claim 1).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def backend_cpu_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def explain(connection, sql: str, repeats: int = 5) -> tuple[float, float, str]:
    """(planning + execution ms, planning ms, top node) of ``sql``, median of ``repeats``."""
    runs = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            runs.append(
                (
                    plan["Planning Time"] + plan["Execution Time"],
                    plan["Planning Time"],
                    plan["Plan"]["Node Type"],
                )
            )
    return sorted(runs)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", default="", help="pages whose label contains one of these")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--options", help="libpq options in place of the settings' ones")
    parser.add_argument("--batches", default="1,2,3", help="draft, completing, review pks")
    parser.add_argument("--claim", type=int, default=1)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a seeded PostgreSQL database (a copy of h_tpl20k).")
    for name, value in {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-pg-cost-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "*",
        "HUB_SINGLE_NODE": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "EMAIL_URL": "consolemail://",
        "DJANGO_SETTINGS_MODULE": "hub.settings",
    }.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    logging.disable(logging.WARNING)  # the request log's line per view
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import _clients, load_pages
    from hub.demo_scale import BigBatches

    settings.AXES_ENABLED = False
    # The production profile's manifest of static files may not be collected here.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    if args.options is not None:
        settings.DATABASES["default"].setdefault("OPTIONS", {})["options"] = args.options

    draft, completing, review = (int(pk) for pk in args.batches.split(","))
    wanted = [word.strip().lower() for word in args.only.split(",") if word.strip()]
    pages = [
        page
        for page in load_pages(BigBatches(draft, completing, review), args.claim)
        if page.persona or not page.trivial
        if not wanted or page.trivial or any(word in page.label.lower() for word in wanted)
    ]
    clients = _clients()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('random_page_cost'), current_setting('jit'),"
            " current_setting('server_version')"
        )
        rpc, jit, version = cursor.fetchone()
    prepared = settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold")
    print(
        f"PostgreSQL {version}, random_page_cost={rpc}, jit={jit}, prepare_threshold={prepared};"
        f" median of {args.rounds} views"
    )
    print(f"{'page':<36}{'queries':>8}{'PG CPU ms':>11}{'Python ms':>11}")
    total = 0.0
    for page in pages:

        def view(client=clients[page.persona], url=page.url):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            return response

        for _ in range(3):
            if (status := view().status_code) != 200:
                raise SystemExit(f"{page.label} answered {status}")
        with CaptureQueriesContext(connection) as captured:
            view()
        # Read now: the next request empties the connection's query log.
        statements = [query["sql"] for query in captured.captured_queries]
        pid = backend_pid(connection)
        pg, python = [], []
        for _ in range(args.rounds):
            before, started = backend_cpu_ns(pid), time.process_time()
            view()
            python.append((time.process_time() - started) * 1000)
            pg.append((backend_cpu_ns(pid) - before) / 1e6)
        total += statistics.median(pg)
        print(
            f"{page.label:<36}{len(statements):>8}"
            f"{statistics.median(pg):>11.2f}{statistics.median(python):>11.1f}"
        )
        if args.explain:
            for i, sql in enumerate(statements):
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    print(f"    [{i}] not explained: {sql[:90]}")
                    continue
                ms, planning, node = explain(connection, sql)
                print(f"    [{i}] {ms:7.3f} ms (plan {planning:.3f}) {node:<16} {sql[:80]}")
    print(f"{'all pages':<36}{'':>8}{total:>11.2f}")


if __name__ == "__main__":
    main()
