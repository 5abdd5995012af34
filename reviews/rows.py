"""The HTML of the reviewer's learner-unit rows, built in Python (as ``par/rows.py``).

A page holds HUB_PAGE_SIZE rows, each with a select of up to four results while the review
is Under review. Printed by the template language (a lookup, a test and an escape per
option) they cost ~20 ms of CPU a page; formatted here, well under one. Every text from the
database is escaped here; names and ids come from the form.
"""

from __future__ import annotations

from html import escape


def _who(unit) -> str:
    return f"<td>{escape(unit.learner_name)} ({escape(unit.p_number)})</td>"


def _what(unit) -> str:
    return f"<td>{escape(unit.unit_code)} {escape(unit.unit_title)}</td>"


def decision_rows(unit_fields) -> str:
    """One row per learner-unit on the page: who, what, the result now, a select of the new
    one (its value the one posted, or chosen before, or the result now) and its errors."""
    html = []
    for unit, field in unit_fields:
        dom_id, name = field.auto_id, field.html_name
        value = field.value()
        value = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(choice)}"{" selected" if choice == value else ""}>'
            f"{escape(label)}</option>"
            for choice, label in field.field.choices
        )
        invalid = " is-invalid" if field.errors else ""
        errors = "".join(
            f'<div class="invalid-feedback d-block">{escape(str(error))}</div>'
            for error in field.errors
        )
        html.append(
            f'<tr data-review-unit="{escape(unit.key)}">{_who(unit)}{_what(unit)}'
            f"<td>{escape(unit.result_label)}</td>"
            f'<td><label class="visually-hidden" for="{dom_id}">{escape(str(field.label))}</label>'
            f'<select name="{name}" id="{dom_id}" class="form-select form-select-sm{invalid}">'
            f"{options}</select>{errors}</td></tr>"
        )
    return "".join(html)


def result_rows(units) -> str:
    """One row per learner-unit, read only: who, what, the result now (and, once the
    review changed it, the result it named)."""
    return "".join(
        f"<tr>{_who(unit)}{_what(unit)}<td>{escape(unit.result_label)}"
        + (
            f' <span class="text-body-secondary">(review: {escape(unit.new_result_label)})</span>'
            if unit.new_result is not None
            else ""
        )
        + "</td></tr>"
        for unit in units
    )
