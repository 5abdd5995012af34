"""
WSGI config for hub project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

application = get_wsgi_application()

# What the first request of every worker would otherwise load: done once here, before
# gunicorn forks its workers (preload_app), so they share it (hub/warmup.py).
from hub.warmup import warm_up  # noqa: E402

warm_up()
