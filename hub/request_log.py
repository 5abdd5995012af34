"""Logs a platform can use: one JSON line per request, and its request id on every line.

``RequestLogMiddleware`` gives each request an id (the ``X-Request-ID`` header a proxy or
load balancer sent, when it looks like one, else a fresh one), echoes it in the response's
``X-Request-ID`` and, once the response is ready, logs one record on ``hub.request``:
method, path name (the URL pattern's name, never the raw path with its ids), status,
duration in milliseconds and the user's id. The id is kept in a context variable that
``RequestIdFilter`` copies onto every log record, and Celery carries it to the tasks the
request sends (a message header, set when published and restored before the task runs), so
a certificate emailed by a worker logs the id of the moderator's request that completed the
batch. ``JsonFormatter`` writes each record as one line of JSON (``HUB_LOG_FORMAT=json``,
the default of the production profile).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# The task message header that carries the id from the web request to its tasks.
TASK_HEADER = "hub_request_id"

request_id: ContextVar[str | None] = ContextVar("hub_request_id", default=None)
log = logging.getLogger("hub.request")

# An id from outside is only trusted when it is short and plain: it is written to the logs
# and sent back in a header, so nothing that could forge a log line or a header gets in.
_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")


def incoming_or_new(value: str | None) -> str:
    """The request id to use: ``value`` when it is a plausible id, else a new one."""
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Outermost middleware: it times the whole request and sees the final status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = incoming_or_new(request.headers.get(HEADER))
        # Kept until request_finished, not reset here: Django logs a 4xx/5xx response
        # ("Not Found: ...") after the middleware chain has returned, and that line needs it.
        request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = rid
        match = request.resolver_match
        # The user only if the request already loaded them: logging costs no query.
        user = getattr(request, "_cached_user", None)
        log.info(
            "%s %s %s",
            request.method,
            match.view_name if match else "-",
            response.status_code,
            extra={
                "http": {
                    "method": request.method,
                    "path_name": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                }
            },
        )
        return response


class RequestIdFilter(logging.Filter):
    """Put the current request id (web request or the task it caused) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: time, level, logger, message, request id, and the
    request's fields on ``hub.request`` lines; a traceback stays inside the line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        line.update(getattr(record, "http", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


@receiver(request_finished)
def _end_of_request(**kwargs) -> None:
    request_id.set(None)


@before_task_publish.connect
def _send_request_id(headers: dict | None = None, **kwargs) -> None:
    rid = request_id.get()
    if rid and headers is not None:
        headers.setdefault(TASK_HEADER, rid)


@task_prerun.connect
def _restore_request_id(task=None, **kwargs) -> None:
    # Custom message headers arrive as attributes of the task's request; a task beat sent
    # has none, and gets no id rather than the previous task's.
    request_id.set(getattr(task.request, TASK_HEADER, None) if task else None)


@task_postrun.connect
def _forget_request_id(**kwargs) -> None:
    request_id.set(None)
