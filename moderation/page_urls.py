"""A batch's row URLs (a file's download, a slot's upload or removal), reversed once per
process rather than once a view (issue 9).

``hub.paging.url_maker`` reverses its pattern on every call; the batch page and the review
make three such makers a view (~40 us each). The pattern's two keys (the batch's and the
row's) are put in place of two numbers no real key reaches, as hub.fixed_urls.keyed_url
does for one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

from hub.paging import url_maker

_BATCH, _ROW = 2_147_483_646, 2_147_483_647


def batch_row_url(viewname: str, batch_pk: int) -> Callable[[int], str]:
    """``url_maker(viewname, batch_pk)``: a function giving the URL for each row's key."""
    parts = _parts(viewname, get_script_prefix()) if type(batch_pk) is int else None
    if parts is None:
        return url_maker(viewname, batch_pk)
    head, middle, tail = parts
    prefix = f"{head}{batch_pk}{middle}"
    return lambda key: f"{prefix}{key}{tail}"


@cache
def _parts(viewname: str, script_prefix: str) -> tuple[str, str, str] | None:
    url = reverse(viewname, args=[_BATCH, _ROW])
    if url.count(str(_BATCH)) != 1 or url.count(str(_ROW)) != 1:
        return None
    head, rest = url.split(str(_BATCH))
    middle, tail = rest.split(str(_ROW))
    return head, middle, tail


@receiver(setting_changed)
def _urlconf_changed(setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _parts.cache_clear()
