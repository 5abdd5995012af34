"""The Moderation queue's content as HTML, built in Python (issue 9).

The rows were already built here (moderation.list_rows); what queue.html and its three
includes of _queue_table.html kept around them (the headings and their counts, each
table's head, caption and page links) still cost the template engine a fifth of the page's
CPU, two includes deep. Formatted here it costs a fraction of that. The markup is the one
the templates printed, byte for byte.

Every text is escaped here (the captions are fixed words); counts are printed as the
template printed them (no thousand separator: settings.USE_THOUSAND_SEPARATOR is off).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.core.paginator import Page
from django.utils.safestring import SafeString, mark_safe

from hub.templatetags.hub_links import page_links


@dataclass
class QueueTable:
    """One of the queue's tables: its rows (for whether there are any), their HTML
    (list_rows.queue_rows_html), its page (None for a list without pages)."""

    rows: list
    rows_html: str
    page: Page | None
    caption: str
    take: bool


def _pagination(page: Page, label: str) -> str:
    """hub/_pagination.html for a page from hub.paging.paginate (it always has links),
    with the newline the include ends with."""
    if not page.has_other_pages():
        return "\n"
    return f"\n\n{page_links(page, label)}\n\n\n"


def table_html(table: QueueTable) -> str:
    """moderation/_queue_table.html: the table and its page links, or "None."."""
    if not table.rows:
        return "\n<p>None.</p>\n\n"
    caption = escape(table.caption)
    take = '<th scope="col"><span class="visually-hidden">Take</span></th>' if table.take else ""
    pages = _pagination(table.page, table.caption) if table.page is not None else ""
    return (
        '\n<div class="table-responsive">\n'
        '<table class="table align-middle">\n'
        f'  <caption class="visually-hidden">{caption}</caption>\n'
        '  <thead><tr><th scope="col">Batch</th><th scope="col">Centre</th>'
        '<th scope="col">Qualification</th><th scope="col">Status</th>'
        f'<th scope="col">SLA due</th>{take}</tr></thead>\n'
        "  <tbody>\n"
        f"  {table.rows_html}\n"
        "  </tbody>\n"
        "</table>\n"
        "</div>\n"
        f"{pages}\n\n"
    )


def _count(page: Page) -> str:
    count = page.paginator.count
    return f' <span class="badge text-bg-secondary">{count}</span>' if count else ""


def content_html(
    *,
    downloads_url: str,
    assigned: QueueTable,
    unassigned: QueueTable,
    decided: QueueTable,
) -> SafeString:
    """queue.html's content block: assigned to the moderator, waiting, recently decided."""
    decided_html = (
        '\n<section aria-labelledby="decided-heading" class="mb-4">\n'
        '  <h2 id="decided-heading" class="h5">Recently decided</h2>\n'
        f"  {table_html(decided)}\n"
        "</section>\n"
        if decided.rows
        else ""
    )
    return mark_safe(  # noqa: S308 (every text escaped here or in list_rows)
        '\n<div class="d-flex flex-wrap align-items-center gap-3 mb-3">\n'
        '  <h1 class="h3 mb-0">Moderation queue</h1>\n'
        f'  <a href="{escape(downloads_url)}" class="btn btn-outline-primary ms-auto">'
        "Downloads</a>\n"
        "</div>\n"
        '<section aria-labelledby="assigned-heading" class="mb-4">\n'
        '  <h2 id="assigned-heading" class="h5">Assigned to you'
        f"{_count(assigned.page)}</h2>\n"
        f"  {table_html(assigned)}\n"
        "</section>\n"
        '<section aria-labelledby="unassigned-heading" class="mb-4">\n'
        '  <h2 id="unassigned-heading" class="h5">Waiting for a moderator'
        f"{_count(unassigned.page)}</h2>\n"
        f"  {table_html(unassigned)}\n"
        "</section>\n"
        f"{decided_html}\n"
    )
