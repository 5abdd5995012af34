"""The public check of a certificate (R-SLA-2): number and code in, the certificate or nothing."""

from __future__ import annotations

import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from redis.exceptions import RedisError

from hub.client_ip import client_ip

from .models import Certificate, certificate_number_variants, normalise_code

log = logging.getLogger(__name__)


def _count_attempt(key: str) -> int:
    # add() is a no-op if the key exists; incr() is atomic on Redis and locmem alike.
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        return 1


def verify_attempt_allowed(request: HttpRequest) -> bool:
    """Count one attempt for the client address; False once over the per-minute limit.

    Fails open: with the cache (Redis) unreachable the attempt is allowed and one line
    logged. The limit slows guessing of 60-bit codes; a verify page answering 500 while
    Redis restarts would stop every honest check for no gain.
    """
    address = client_ip(request)
    key = f"certificates:verify:{address}:{int(time.time() // 60)}"
    try:
        attempts = _count_attempt(key)
    except (RedisError, OSError) as exc:
        log.warning("Verify rate limit skipped for %s: cache unavailable (%s)", address, exc)
        return True
    return attempts <= settings.HUB_VERIFY_ATTEMPTS_PER_MINUTE


def certificate_verify(*, number: str, code: str) -> Certificate | None:
    """The certificate with this number and code, or None; never says which part was wrong."""
    certificate = (
        Certificate.objects.select_related("learner", "qualification", "replaced_by")
        .filter(number__in=certificate_number_variants(number))
        .first()
    )
    given = normalise_code(code)
    if certificate is None or not hmac.compare_digest(
        certificate.verification_code.encode(), given.encode()
    ):
        return None
    return certificate
