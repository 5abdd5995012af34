"""The CSRF token a page prints: Django's, masked with one draw from the OS.

Django masks the request's CSRF secret afresh for every page (BREACH: the token differs on
each response) with ``get_random_string``, 32 calls into the OS's random source for 32
characters: ~46 us a page, every page with a form (the header's "Log out" is one). Here
the 32 mask characters come from one 256-bit draw, read as base-62 digits (the bias from
2**256 not being a multiple of 62**32 is below 2**-65), and the secret is ciphered with
the mask exactly as Django does, so Django's middleware accepts it as its own: ~8 us.
"""

from __future__ import annotations

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.middleware.csrf import get_token as django_get_token
from django.utils.functional import SimpleLazyObject

_CHARS = CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)
_INDEX = {char: i for i, char in enumerate(_CHARS)}


def mask(secret: str) -> str:
    """``secret`` masked as Django's ``_mask_cipher_secret`` does, with a fresh mask."""
    number = int.from_bytes(os.urandom(32))
    digits = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, digit = divmod(number, _BASE)
        digits.append(digit)
    return "".join(_CHARS[d] for d in digits) + "".join(
        _CHARS[(_INDEX[char] + d) % _BASE] for char, d in zip(secret, digits, strict=True)
    )


def get_token(request) -> str:
    """Django's ``get_token``: the request's secret (made and set as a cookie if it has
    none), masked, and the cookie sent again to renew it."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        # A first page: Django makes the secret and schedules its cookie.
        return django_get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return mask(secret)


def context(request) -> dict:
    """In place of Django's built-in ``csrf`` context processor (listed after it, so this
    ``csrf_token`` is the one templates see): the same lazy token, masked as above."""

    def token():
        value = get_token(request)
        return "NOTPROVIDED" if value is None else value

    return {"csrf_token": SimpleLazyObject(token)}
