"""The client's address, resolved once per request, for log-in lockout and every rate limit.

Behind ``HUB_PROXY_COUNT`` reverse proxies, REMOTE_ADDR is the nearest proxy, and each
proxy appends the address it received the request from to X-Forwarded-For. So the client is
the Nth entry counted from the right: entries further left were sent by the client itself
and are anybody's guess. With no proxy (the default) the header is ignored altogether.

Written here rather than taken from django-ipware: the whole rule is this one line of
counting, and ipware's defaults (left-most entry, private addresses skipped) are exactly what
lets a forged header pick the address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"
_RESOLVED = "_hub_client_ip"


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _resolve(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "").strip()
    count = settings.HUB_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        # Fewer entries than proxies: the request skipped a proxy, so nothing in the header
        # can be trusted; the connection's own address is the honest answer.
        if len(entries) >= count and _valid(entries[-count]):
            return entries[-count]
    return remote or UNKNOWN


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent ``request`` (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    resolved = getattr(request, _RESOLVED, None)
    if resolved is None:
        resolved = _resolve(request)
        setattr(request, _RESOLVED, resolved)
    return resolved


def axes_client_ip(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: no address is None, not a word.

    Axes stores the address in a GenericIPAddressField, which PostgreSQL rejects for
    "unknown" (a log-in with no REMOTE_ADDR, as the test client's ``login()`` makes).
    """
    address = client_ip(request)
    return None if address == UNKNOWN else address
