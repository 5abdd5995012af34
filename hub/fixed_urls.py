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


@receiver(setting_changed)
def _urlconf_changed(setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
