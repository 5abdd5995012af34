"""Logging filters: a refused request is one line in the log, not a traceback."""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """Drop the traceback from Django's 4xx records (403 PermissionDenied, 400 suspicious).

    Django logs these with the exception attached, so every refused request (a probe, a
    stale link, the access matrix's expected 403s) wrote a full stack that buried real
    errors. The exception's message is kept on the line; 5xx records keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and 400 <= status < 500:
            exc = record.exc_info[1]
            reason = str(exc) if exc is not None else ""
            message = record.getMessage()
            record.msg = f"{message} ({reason})" if reason else message
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
