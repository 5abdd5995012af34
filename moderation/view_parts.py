"""Small pieces the moderation lists' views share, each worked out once a view (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token

from hub.fixed_urls import keyed_url

# A number no real key reaches, put in place of the row's key (as hub.paging.url_maker).
_SLOT = 2_147_483_647


def row_url(viewname: str) -> Callable[[int], str]:
    """``hub.paging.url_maker(viewname)`` for a pattern whose one argument is a row's key,
    from the pattern reversed once per process (hub.fixed_urls.keyed_url), not once a view
    (~35 us each)."""
    head, tail = keyed_url(viewname, _SLOT).rsplit(str(_SLOT), 1)
    return lambda key: f"{head}{key}{tail}"


def page_csrf(request: HttpRequest) -> tuple[str, str]:
    """The request's CSRF token, masked once, and the hidden input its forms post it in.

    The view puts the token in its context as ``csrf_token``, so the header's forms
    (base.html: hub_links' csrf_value and csrf_input) print the same one rather than
    masking another: get_token masks afresh on each call (32 random characters, ~30 us).
    Any masked form of the request's secret is valid, as before.
    """
    token = get_token(request)
    return token, f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
