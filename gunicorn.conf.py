"""Gunicorn, the production web server (`make serve`, `deploy/Procfile`, `make bench`).

Everything is read from the environment so one file serves every node:

- ``PORT`` (8000) and ``GUNICORN_BIND_HOST``: bind ``0.0.0.0:$PORT`` by default, as a
  platform or a reverse proxy on another host expects; ``127.0.0.1`` keeps it local.
- ``WEB_CONCURRENCY``: worker processes, default two per core (the hub's requests wait on
  the database about as long as they compute, so two per core keeps the cores busy without
  queueing in the kernel); ``GUNICORN_THREADS`` (1): threads per worker.
- ``GUNICORN_TIMEOUT`` (30 s): a worker silent for this long is killed and replaced; the
  slowest page measured by `make bench` stays far below it, uploads stream to disk.
- ``GUNICORN_ACCESS_LOG``: off by default (the proxy in front logs requests); ``-`` writes
  it to stdout.

Sync workers were measured against gthread on a 2-core box with `make bench`: the pages
spend their time rendering in Python, so threads stretched the p95 of the heavy pages; the
figures are in bench/README.md.
"""

import gc
import multiprocessing
import os

_port = os.environ.get("PORT", "8000")
bind = [f"{os.environ.get('GUNICORN_BIND_HOST', '0.0.0.0')}:{_port}"]

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # behind a proxy that reuses connections
# A worker is replaced after this many requests (with jitter so they do not all restart at
# once): bounds the memory a long-lived process can accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the proxies named here (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in RAM, not on a possibly slow disk: a blocked disk would look like a hung
# worker and get it killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The app is imported once, in the master, and each worker is a fork of it: a worker that
# max_requests replaces starts at once instead of spending a second of CPU importing Django
# and the hub again (with sync workers under load that was one core-second per worker per
# few thousand requests). ``GUNICORN_PRELOAD=0`` imports in each worker instead (a deploy
# that reloads code with HUP needs that).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def when_ready(server):
    """In the master, once the app is loaded and before any worker is forked."""
    if not preload_app:
        return
    # Nothing may be shared with the workers: a database connection opened while loading
    # (none is, today) would be one socket used by every worker at once.
    from django.db import connections

    connections.close_all()
    # Everything imported so far lives as long as the process: move it out of the garbage
    # collector's sight, so a worker's full collections walk only what requests made (a
    # full collection over the whole heap cost the moderation queue ~2 ms a request), and
    # its pages stay shared with the master instead of being copied when the collector
    # touches them.
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    """In each worker, once it has loaded the app (without preload_app: itself)."""
    if not preload_app:
        gc.collect()
        gc.freeze()


# Gunicorn 27's control socket sits at one path per user: a second server on the same host
# (another node, `make bench` beside `make serve`) would take it over. Nothing uses it.
control_socket_disable = True

wsgi_app = "hub.wsgi:application"
