"""Responses that hold one person's data are never kept by a browser or a shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils.cache import patch_cache_control

NO_STORE = "private, no-store"


def _is_private_file(response: HttpResponse) -> bool:
    # Every attachment the hub sends (certificates, uploads, batch zips, CSV exports) is
    # permission-checked; public static files never reach this middleware (WhiteNoise
    # answers them earlier in the chain).
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class NoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every authenticated page and private download.

    A page a user saw must not come back from the disk cache after logging out on a shared
    computer, nor from a proxy to the next person. A view that set its own Cache-Control
    keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _is_private_file(response):
            patch_cache_control(response, private=True, no_store=True)
        return response


PROBES = frozenset({"/healthz", "/readyz"})


class ProbeMiddleware:
    """Answer the load balancer's ``/healthz`` and ``/readyz`` whatever the Host header says.

    Load balancers probe each node by its address (``Host: 10.0.0.5:8000``), which is not in
    ``DJANGO_ALLOWED_HOSTS``; Django would answer 400 and the node would never be put in
    service. The two probes are answered here, before anything reads the host: their
    answers hold no URL, no cookie and nothing from the request, so the host check, which
    guards the links Django builds from the host, has nothing to protect on them. Any
    other path, or another method on these, goes through the whole chain as usual.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in PROBES or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        # Resolved as usual, so the request log names the probe like any other request.
        match = resolve(request.path_info)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response["X-Content-Type-Options"] = "nosniff"
        return response
