"""Addresses without arguments, reversed once per process rather than on every page (issue 9).

The header's links (home, change password, log out, the centre switch, the keep-alive) and
the navigation's sections are the same on every page behind login, yet ``{% url %}`` and
``reverse()`` worked each of them out again per request: about a tenth of a trivial page's
Python. The address depends only on the URLconf and the script prefix, both part of the key
or cleared with the settings that change them.
"""

from __future__ import annotations

from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse


def fixed_url(name: str) -> str:
    """``reverse(name)`` for a URL pattern without arguments; NoReverseMatch if none."""
    url = _reverse(name, get_script_prefix())
    if url is None:
        raise NoReverseMatch(f"No URL pattern named {name!r}.")
    return url


def fixed_url_or_none(name: str) -> str | None:
    """The same, or None when no pattern has that name (a section not built yet)."""
    return _reverse(name, get_script_prefix())


@cache
def _reverse(name: str, script_prefix: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# A number no real key reaches, reversed in place of the key (as hub.paging.url_maker).
_SLOT = 2_147_483_647


def keyed_url(name: str, key) -> str:
    """``reverse(name, args=[key])`` for a pattern whose one argument is a row's key: the
    pattern is reversed once per process and the key put in its place. Anything but a
    non-negative integer key goes through ``reverse`` itself."""
    if type(key) is int and key >= 0:
        parts = _keyed(name, get_script_prefix())
        if parts is not None:
            return f"{parts[0]}{key}{parts[1]}"
    return reverse(name, args=[key])


@cache
def _keyed(name: str, script_prefix: str) -> tuple[str, str] | None:
    try:
        url = reverse(name, args=[_SLOT])
    except NoReverseMatch:
        return None
    if url.count(str(_SLOT)) != 1:
        return None
    head, tail = url.split(str(_SLOT))
    return head, tail


@receiver(setting_changed)
def _urlconf_changed(setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
        _keyed.cache_clear()
