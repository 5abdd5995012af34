"""Test support that is no part of the product: servers and fixtures the test suite starts.

``testsupport.s3`` runs moto's S3 server, ``testsupport.smtp`` an aiosmtpd server and
``testsupport.redis`` a throwaway redis-server, all on loopback ports (no Docker, nothing
downloaded); ``testsupport.browser`` drives Debian's Chromium through Playwright (axe on
every page), ``testsupport.nu`` runs the Nu HTML Checker, ``testsupport.phone`` checks a
page at phone width, ``testsupport.nodes`` starts real gunicorn, Celery and beat processes
(the two-node and two-beat tests, ``bench/recovery.py``), and ``testsupport.crash_worker``
is the Celery app the SIGKILL test kills mid-task. conftest.py loads the fixtures as pytest
plugins. Production code never imports this package.
"""
