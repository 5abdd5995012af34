"""The hub's Celery app for the worker crash test (certificates/tests/test_worker_crash.py).

With HUB_CRASH_MARKER set, the worker hangs inside the certificates email, after claiming
the dispatch and before sending, and writes the marker file so the test knows when to
SIGKILL it. Without it this is the plain hub app. Never used outside that test.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from hub.celery import app

__all__ = ["app"]

MARKER = os.environ.get("HUB_CRASH_MARKER")
# Follow-up tasks (issue -> dispatch) go to the test's own queue, not the shared default.
if os.environ.get("HUB_CRASH_QUEUE"):
    app.conf.task_default_queue = os.environ["HUB_CRASH_QUEUE"]


@task_prerun.connect
def _hang_in_the_dispatch_email(**kwargs):
    if not MARKER:
        return
    from certificates import services

    if getattr(services, "_hangs_for_crash_test", False):
        return

    def hang(**kwargs):
        Path(MARKER).write_text("in the email")
        time.sleep(600)

    services.send_templated_email = hang
    services._hangs_for_crash_test = True
