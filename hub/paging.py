"""Pages of long lists: numbered page links, row URLs built once per page, dates for rows.

A page of 50 rows used to rebuild each link's query string, and reverse each row's URL, in
the template; both are done once here instead, so a page costs the same at any size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import timezone

# A number no real primary key reaches, reversed in place of the row's own key.
_SLOT = 2_147_483_647


@dataclass(frozen=True)
class PageLink:
    """One entry of the page numbers: a page to go to, the current page, or a gap."""

    label: str
    url: str = ""
    current: bool = False

    @property
    def is_gap(self) -> bool:
        return not self.url and not self.current


def paginate(
    request: HttpRequest,
    items,
    *,
    per_page: int | None = None,
    param: str = "page",
    count: int | None = None,
) -> Page:
    """The requested page of ``items`` (the last page past the end), with its links.

    The page carries ``links`` (numbers, elided around the current one), ``previous_url``
    and ``next_url``; every other GET parameter (search, filter, sort) is kept. ``count``,
    when the caller has it already (read with other counts), saves the COUNT query.
    """
    paginator = Paginator(items, per_page or settings.HUB_PAGE_SIZE)
    if count is not None:
        paginator.count = count  # in place of the cached_property's query
    page = paginator.get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    prefix = f"?{query.urlencode()}&{param}=" if query else f"?{param}="
    page.links = [
        PageLink(label=str(number), current=True)
        if number == page.number
        else PageLink(label=str(number), url=f"{prefix}{number}")
        if number != Paginator.ELLIPSIS
        else PageLink(label=Paginator.ELLIPSIS)
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    page.previous_url = f"{prefix}{page.number - 1}" if page.has_previous() else ""
    page.next_url = f"{prefix}{page.number + 1}" if page.has_next() else ""
    return page


class PreparedPages:
    """A windowed hub.prepared.Prepared query with its arguments, for ``paginate``: the
    page Paginator slices is one run of SQL compiled once per process. Its length is the
    caller's ``count`` (read with other counts), or ``counter`` (the same query unwindowed,
    a Prepared too) counted."""

    def __init__(self, prepared, *args, counter=None) -> None:
        self.prepared = prepared
        self.args = args
        self.counter = counter

    def __getitem__(self, window: slice) -> list[tuple]:
        start = window.start or 0
        if window.stop <= start:  # an empty list's page: nothing to ask the database
            return []
        return self.prepared.rows(*self.args, limit=window.stop - start, offset=start)

    def count(self) -> int:
        if self.counter is None:
            raise TypeError("PreparedPages has no counter: give paginate the count")
        return self.counter.count(*self.args)

    def __len__(self) -> int:
        return self.count()


def url_maker(viewname: str, *args) -> Callable[[int], str]:
    """A function giving ``viewname``'s URL for each row's key, with ``args`` before it.

    The row's key is the last URL argument: ``url_maker("claims:candidate-edit", claim.pk)``
    then ``make(registration.pk)``, the same string ``reverse`` would give. The pattern is
    reversed once per process (issue 9: a page made several makers a view, ~35 us each)
    and integer ``args`` put in its place; anything else is reversed as before.
    """
    parts = None
    if all(type(arg) is int and arg >= 0 for arg in args):
        parts = _pattern(viewname, len(args), get_script_prefix())
    if parts is None:
        head, tail = reverse(viewname, args=[*args, _SLOT]).rsplit(str(_SLOT), 1)
    else:
        head = "".join(f"{part}{arg}" for part, arg in zip(parts, args, strict=False))
        head += parts[len(args)]
        tail = parts[-1]
    return lambda key: f"{head}{key}{tail}"


@cache
def _pattern(viewname: str, leading: int, script_prefix: str) -> tuple[str, ...] | None:
    """``viewname`` reversed with ``leading`` + 1 numbers no real key reaches, split at each
    (the text before each argument, then the tail), or None if a number shows twice."""
    keys = [_SLOT - leading + i for i in range(leading + 1)]
    url = reverse(viewname, args=keys)
    parts, rest = [], url
    for key in keys:
        if rest.count(str(key)) != 1:
            return None
        part, rest = rest.split(str(key))
        parts.append(part)
    return (*parts, rest)


@receiver(setting_changed)
def _urlconf_changed(setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _pattern.cache_clear()


def url_format(viewname: str, arity: int) -> str:
    """``viewname``'s URL as a format string of ``arity`` keys, reversed once per page:
    ``url_format("moderation:document-download", 2).format(batch_pk, document_pk)``."""
    keys = [_SLOT - i for i in range(arity)]
    url = reverse(viewname, args=keys)
    for position, key in enumerate(keys):
        url = url.replace(str(key), f"{{{position}}}", 1)
    return url


def short_date(value: date | datetime | None, *, blank: str = "") -> str:
    """``value`` as lists print it, "3 Mar 2026" (the date filter's "j M Y"), in local time."""
    if value is None:
        return blank
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y}"
