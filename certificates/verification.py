"""The public check of a certificate (R-SLA-2): number and code in, the certificate or nothing."""

from __future__ import annotations

import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .models import Certificate, normalise_code


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def verify_attempt_allowed(request: HttpRequest) -> bool:
    """Count one attempt for the client address; False once over the per-minute limit."""
    key = f"certificates:verify:{client_address(request)}:{int(time.time() // 60)}"
    # add() is a no-op if the key exists; incr() is atomic on Redis and locmem alike.
    cache.add(key, 0, timeout=90)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        attempts = 1
    return attempts <= settings.HUB_VERIFY_ATTEMPTS_PER_MINUTE


def certificate_verify(*, number: str, code: str) -> Certificate | None:
    """The certificate with this number and code, or None; never says which part was wrong."""
    certificate = (
        Certificate.objects.select_related("learner", "qualification")
        .filter(number=number.strip().upper())
        .first()
    )
    given = normalise_code(code)
    if certificate is None or not hmac.compare_digest(
        certificate.verification_code.encode(), given.encode()
    ):
        return None
    return certificate
