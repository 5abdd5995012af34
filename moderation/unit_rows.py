"""The HTML of Select Units to Pass on Batch's learner rows, built in Python.

A page of 50 learners has some 200 unit boxes. Printed by the template language they took
about a third of the page's CPU (a dozen lookups, tests and escapes per box); formatted here
they take a fraction of that. The markup is the one ``batch_units.html`` used to print, row
for row. Every text from the database is escaped here; ids are numbers, URLs fixed paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .view_parts import Escaped, ascii_html


def _unit(unit, escaped: Escaped) -> str:
    """One unit: a box, ticked when the batch holds it, or the reason it cannot be ticked."""
    label = escaped[unit["label"]]
    reason = unit["reason"]
    if reason:
        return f'<li class="mb-1 text-body-secondary">{label}: {escaped[reason]}</li>'
    value = unit["value"]
    checked = " checked" if unit["ticked"] else ""
    return (
        '<li class="form-check mb-1"><input class="form-check-input" type="checkbox"'
        f' name="selection" value="{value}" id="sel-{value}"{checked}><label'
        f' class="form-check-label" for="sel-{value}">{label}</label></li>'
    )


def learner_row(row, *, par_url: str, escaped: Escaped | None = None) -> str:
    """A learner's <details>: the summary line, then their units or where to select them."""
    if escaped is None:
        escaped = Escaped()
    # Rows are read by key: a Row's attribute is a failed lookup, then __getattr__.
    name, p_number = escape(row["name"]), escape(row["p_number"])
    units = row["units"]
    html = [
        f'<details class="learner-units mb-2 border rounded p-2"'
        f"{' open' if row['ticked_count'] else ''}>\n"
        f'    <summary><span class="fw-semibold">{name}</span> ({p_number})'
        f"{ascii_html(row['note'])}</summary>\n"
    ]
    if units:
        html.append(
            '    <fieldset class="mt-2" data-select-all-scope>\n'
            f'      <legend class="visually-hidden">Units for {name} ({p_number})</legend>\n'
        )
        if row["open_count"] > 1:
            html.append(
                '      <div class="form-check mb-1"><input class="form-check-input"'
                f' type="checkbox" id="all-{p_number}" data-select-all="selection"'
                f"{' checked' if row['all_ticked'] else ''}><label"
                f' class="form-check-label fst-italic" for="all-{p_number}">All units for'
                f" {name}</label></div>\n"
            )
        html.append('      <ul class="list-unstyled mb-0">\n      ')
        html.append("\n      ".join([_unit(unit, escaped) for unit in units]))
        html.append("\n      </ul>\n    </fieldset>\n")
    else:
        html.append(
            '    <p class="mt-2 mb-0">This learner has not had their units selected on PAR:'
            f' <a href="{par_url}">select them on PAR</a> first.</p>\n'
        )
    html.append("  </details>")
    return "".join(html)


def learners_html(rows: Iterable, *, par_url: str) -> SafeString:
    """Every learner row of the page, in order (each text escaped above)."""
    escaped = Escaped()
    return mark_safe(  # noqa: S308
        "\n  ".join([learner_row(row, par_url=par_url, escaped=escaped) for row in rows])
    )
