"""The Celery app. Tasks live in each app's tasks.py and take primary keys."""

import os
from pathlib import Path

from celery import Celery

# Connects the signals that carry a web request's id to the tasks it sends.
from hub import request_log  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")

# The filesystem transport needs its folders before the first message.
for folder in (app.conf.broker_transport_options or {}).values():
    if isinstance(folder, str) and folder.startswith("/"):
        Path(folder).mkdir(parents=True, exist_ok=True)

app.autodiscover_tasks()
