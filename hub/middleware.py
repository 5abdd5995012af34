"""Responses that hold one person's data are never kept by a browser or a shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
