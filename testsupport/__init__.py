"""Test support that is no part of the product: servers and fixtures the test suite starts.

``testsupport.s3`` runs moto's S3 server and ``testsupport.smtp`` an aiosmtpd server, both
in the test process on loopback ports (no Docker, nothing downloaded); conftest.py loads
them as pytest plugins. Production code never imports this package.
"""
