"""The HTML of the moderation lists' table rows (the moderator's queue, the centre's batch
list), built in Python from rows the selectors have already worded.

A queue page holds up to 120 rows (two pages of 50 and the 20 latest decided), a batch
list 50; printed by the template language each row cost a dozen lookups, tests and
escapes, about two thirds of the page's CPU. The markup is the one ``_queue_table.html``
and ``index.html`` printed, row for row. Every text from the database is escaped here;
ids are numbers, URLs built by hub.paging from reversed paths and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe


def _sla_cell(row) -> str:
    if not row["sla_due"]:
        return "–"
    return f'{escape(row["sla_due"])}\n<span class="{row["sla_class"]}">{escape(row["sla_text"])}</span>'


def _status(row) -> str:
    return (
        f'<span class="badge batch-status batch-status-{escape(row["status"])}">'
        f"{escape(row['status_label'])}</span>"
    )


def queue_row(row, *, take: bool, csrf_input: str) -> str:
    """One batch of a queue (selectors.QueueRow): a link to it, or Take beside it."""
    pk = row["pk"]
    batch = f"Batch {pk}" if take else f'<a href="{escape(row["url"])}">Batch {pk}</a>'
    overdue = ' class="table-danger"' if row["is_overdue"] else ""
    html = (
        f"\n  <tr{overdue}>"
        f"\n    <td>{batch}</td>"
        f"\n    <td>{escape(row['centre'])}</td>"
        f"\n    <td>{escape(row['qualification_code'])}</td>"
        f"\n    <td>{_status(row)}</td>"
        f"\n    <td>{_sla_cell(row)}</td>"
    )
    if take:
        html += (
            f'\n    <td><form method="post" action="{escape(row["take_url"])}">{csrf_input}'
            '<button type="submit" class="btn btn-sm btn-outline-primary"'
            f' aria-label="Take batch {pk}">Take</button></form></td>'
        )
    return html + "\n  </tr>"


def queue_rows_html(rows: Iterable, *, take: bool = False, csrf_input: str = "") -> SafeString:
    """A queue table's rows, in order (every text escaped above)."""
    return mark_safe(  # noqa: S308
        "".join(queue_row(row, take=take, csrf_input=csrf_input) for row in rows)
    )


def batch_row(row, *, completed: bool) -> str:
    """One batch of the centre's list (selectors.centre_batch_rows), open or completed."""
    deletion = (
        ' <span class="badge text-bg-warning">Deletion requested</span>'
        if row["deletion_requested"]
        else ""
    )
    last = escape(row["completed"]) if completed else _sla_cell(row)
    comments = (
        f'<a href="{escape(row["comments_url"])}">{escape(row["comments_name"] or "")}</a>'
        if row["comments_id"]
        else "–"
    )
    return (
        "\n  <tr>"
        f'\n    <td><a href="{escape(row["url"])}">Batch {row["pk"]}</a></td>'
        f"\n    <td>{escape(row['qualification_code'])}</td>"
        f"\n    <td>{_status(row)}{deletion}</td>"
        f"\n    <td>{escape(row['started'])}</td>"
        f"\n    <td>{escape(row['submitted'])}</td>"
        f"\n    <td>{last}</td>"
        f"\n    <td>{comments}</td>"
        "\n  </tr>"
    )


def batch_rows_html(rows: Iterable, *, completed: bool) -> SafeString:
    """The batch list's rows, in order (every text escaped above)."""
    return mark_safe("".join(batch_row(row, completed=completed) for row in rows))  # noqa: S308
