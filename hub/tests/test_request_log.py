"""Logs a platform can use: one JSON line per request, and its request id on the tasks it sends."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from hub.request_log import (
    HEADER,
    TASK_HEADER,
    JsonFormatter,
    RequestIdFilter,
    RequestLogMiddleware,
    request_id,
)
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def request_lines():
    """What the production handler writes for hub.request, one string per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("hub.request")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_a_request_logs_one_json_line_named_by_its_url_pattern(world, member_client, request_lines):
    batch = make_batch(world, BatchStatus.DRAFT)

    response = member_client.get(reverse("moderation:batch-documents", args=[batch.pk]))

    assert response.status_code == 200
    lines = request_lines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["method"] == "GET"
    assert line["path_name"] == "moderation:batch-documents"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == world.admin.pk
    assert line["request_id"] == response[HEADER]
    assert len(response[HEADER]) == 32
    # The pattern's name, never the path with the batch's id in it.
    assert f"/{batch.pk}/" not in lines[0]


def test_an_anonymous_request_and_an_unknown_path_log_no_user_and_no_path(client, request_lines):
    client.get("/healthz")
    client.get("/no-such-page/12345/")

    healthz, unknown = (json.loads(line) for line in request_lines())
    assert (healthz["path_name"], healthz["status"], healthz["user_id"]) == ("healthz", 200, None)
    assert (unknown["path_name"], unknown["status"], unknown["user_id"]) == (None, 404, None)
    assert "12345" not in json.dumps(unknown)


def test_an_incoming_request_id_is_kept_when_plausible_and_replaced_when_not(client, request_lines):
    kept = client.get("/healthz", headers={HEADER: "lb-7f3a9c1e-0042"})
    replaced = client.get("/healthz", headers={HEADER: 'x" forged=1'})

    assert kept[HEADER] == "lb-7f3a9c1e-0042"
    assert replaced[HEADER] != 'x" forged=1' and len(replaced[HEADER]) == 32
    ids = [json.loads(line)["request_id"] for line in request_lines()]
    assert ids == [kept[HEADER], replaced[HEADER]]


def test_the_json_profile_writes_every_line_as_json_with_its_request_id():
    """The settings wire it up: HUB_LOG_FORMAT=json (the production default) on stderr."""
    script = (
        "import django, logging; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/healthz', headers={'X-Request-ID': 'probe-12345678'})\n"
        "logging.getLogger('hub.other').warning('outside a request')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings", "HUB_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    request = next(line for line in lines if line["logger"] == "hub.request")
    assert request["path_name"] == "healthz"
    assert request["request_id"] == "probe-12345678"
    other = next(line for line in lines if line["logger"] == "hub.other")
    assert other == {**other, "message": "outside a request", "request_id": None}


def test_a_task_sent_during_a_request_carries_and_logs_its_request_id():
    # A throwaway app on kombu's in-memory broker with a real (threaded) worker: the
    # signals are the hub's, connected for every app.
    app = Celery("request-id-test", broker="memory://", backend="cache+memory://")
    seen = {}
    done = threading.Event()

    @app.task(bind=True, name="request_id_test.in_request")
    def record(self):
        seen["header"] = getattr(self.request, TASK_HEADER, None)
        seen["in the task"] = request_id.get()
        done.set()

    def view(request):
        record.delay()
        return HttpResponse("sent")

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        middleware = RequestLogMiddleware(view)
        response = middleware(RequestFactory().get("/sends-a-task"))
        assert done.wait(20)

    assert seen == {"header": response[HEADER], "in the task": response[HEADER]}


def test_a_task_sent_outside_a_request_has_no_request_id():
    app = Celery("request-id-test-2", broker="memory://", backend="cache+memory://")
    seen = {}
    done = threading.Event()

    @app.task(bind=True, name="request_id_test.outside")
    def record(self):
        seen["in the task"] = request_id.get()
        done.set()

    request_id.set(None)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        record.delay()
        assert done.wait(20)
    assert seen == {"in the task": None}
