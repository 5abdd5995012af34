"""The HTML of the batch page's and the review's upload slots, built in Python.

A page of 50 slots, each a dozen conditions and lookups, took about a third of the batch
page's CPU in the template language (some 750 variable lookups, each escaped); formatted
here it takes a fraction of that. The markup is the one ``_slots.html`` and ``_slot.html``
printed, slot for slot (moderation.js and the browser tests read its data- attributes).
Every text from the database is escaped here; ids are numbers, URLs built by the view
from reversed paths and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .view_parts import Escaped, ascii_html


def _current_file(slot, *, code: str, name: str, can_remove: bool, csrf_input: str) -> str:
    file = slot["current"]
    file_name = escape(file["name"])
    html = (
        f'\n      <a class="doc-done" href="{escape(file["url"])}">{file_name}</a>'
        f'\n      <span class="small text-body-secondary">({ascii_html(file["size_label"])})</span>'
    )
    if can_remove:
        html += (
            f'\n      <form method="post" action="{escape(slot["remove_url"])}" class="d-inline"'
            f" data-slot-remove>\n        {csrf_input}\n"
            '        <button type="submit" class="btn btn-sm btn-outline-danger"'
            f' aria-label="Remove {file_name} from {code} for {name}">X</button>\n      </form>'
        )
    return html


def _upload_form(slot, *, url: str, who: str, progress: str, csrf_input: str) -> str:
    pk = slot["pk"]
    invalid = f' is-invalid" aria-describedby="slot-error-{pk}' if slot["errors"] else ""
    if slot["current"]:
        label, button = f"Replace the learner work for {who}", "Replace"
    else:
        label, button = f"Choose the learner work for {who}", "Upload"
    return (
        f'\n  <form method="post" enctype="multipart/form-data" action="{url}"'
        ' class="d-flex flex-wrap align-items-center gap-2 mt-1" data-slot-upload'
        f' data-hx-post="{url}" data-hx-target="closest [data-slot]" data-hx-swap="outerHTML">'
        f"\n    {csrf_input}"
        f'\n    <label class="visually-hidden" for="file-{pk}">{label}</label>'
        f'\n    <input type="file" name="file" id="file-{pk}"'
        f' class="form-control form-control-sm slot-file{invalid}">'
        f'\n    <button type="submit" class="btn btn-sm btn-outline-primary">{button}</button>'
        '\n    <progress class="slot-progress" max="100" value="0" hidden'
        f' aria-label="{progress}"></progress>\n  </form>'
    )


def _earlier(slot) -> str:
    files = "".join(
        f'<li><a href="{escape(file["url"])}">{escape(file["name"])}</a>, uploaded'
        f" {escape(file['uploaded_label'])}"
        + (
            f", replaced or removed {escape(file['superseded_label'])}"
            if file["superseded_at"]
            else ""
        )
        + "</li>"
        for file in slot["earlier"]
    )
    return (
        '\n  <details class="small mt-1"><summary>Earlier versions'
        f' ({len(slot["earlier"])})</summary>\n    <ul class="mb-0">{files}</ul>\n  </details>'
    )


def slot_html(
    slot, *, can_add: bool, can_remove: bool, csrf_input: str, escaped: Escaped | None = None
) -> str:
    """One slot's <li>: the unit, its marks, its file (and "X"), the upload form, errors,
    earlier versions. ``slot`` is a selectors.Slot with its files and URLs attached.

    Each text is escaped once and the labels are put together from the escaped parts (the
    same text: escaping maps character by character, so it commutes with joining)."""
    if escaped is None:
        escaped = Escaped()
    pk, to_fill, top_up, current = slot["pk"], slot["to_fill"], slot["top_up"], slot["current"]
    p_number, code = escaped[slot["p_number"]], escaped[slot["unit_code"]]
    name = escaped[f"{slot['first_name']} {slot['last_name']}"]
    url = escape(slot["upload_url"])
    if top_up:
        marked = " border-start border-warning border-4"
    elif to_fill:
        marked = " slot-to-fill border-start border-primary border-4"
    else:
        marked = ""
    flags = (
        (" data-has-file" if current else "")
        + (" data-to-fill" if to_fill else "")
        + (" data-top-up" if top_up else "")
    )
    html = [
        f'<li id="slot-{pk}" class="slot list-group-item{marked}" data-slot'
        f' data-p-number="{p_number}" data-unit-code="{code}"'
        f' data-upload-url="{url}"{flags}>'
        '\n  <div class="d-flex flex-wrap align-items-center gap-2">'
        f'\n    <span class="slot-unit">{code} {escaped[slot["unit_title"]]}</span>'
    ]
    if to_fill:
        html.append('\n    <span class="badge text-bg-primary">Slot to fill</span>')
    if top_up:
        html.append('\n    <span class="badge text-bg-warning">Top-up asked for</span>')
    if current:
        html.append(
            _current_file(slot, code=code, name=name, can_remove=can_remove, csrf_input=csrf_input)
        )
    else:
        html.append('\n      <span class="small text-body-secondary">No file</span>')
    html.append("\n  </div>")
    if can_add:
        html.append(
            _upload_form(
                slot,
                url=url,
                who=f"{code}, {name} ({p_number})",
                progress=f"Upload progress for {code}, {p_number}",
                csrf_input=csrf_input,
            )
        )
    if slot["errors"]:
        errors = "".join(f"{escape(str(error))} " for error in slot["errors"])
        html.append(
            f'\n  <div id="slot-error-{pk}" class="text-danger small mt-1" role="alert">'
            f"{errors}</div>"
        )
    if slot["earlier"]:
        html.append(_earlier(slot))
    html.append("\n</li>")
    return "".join(html)


def slots_html(
    slots: Iterable,
    *,
    can_add: bool,
    can_remove: bool,
    csrf_input: str,
    escaped: Escaped | None = None,
) -> SafeString:
    """Slots one after another, as a list's items (every text escaped above)."""
    escaped = Escaped() if escaped is None else escaped
    return mark_safe(  # noqa: S308
        "".join(
            [
                slot_html(
                    slot,
                    can_add=can_add,
                    can_remove=can_remove,
                    csrf_input=csrf_input,
                    escaped=escaped,
                )
                for slot in slots
            ]
        )
    )


def learner_slots_html(
    groups: Iterable, *, can_add: bool, can_remove: bool, csrf_input: str
) -> SafeString:
    """Each learner's heading and slots on the page, in order ("" for none)."""
    html = []
    escaped = Escaped()
    for group in groups:
        continued = (
            ' <span class="small text-body-secondary">continued</span>'
            if group["continued"]
            else ""
        )
        items = slots_html(
            group["slots"],
            can_add=can_add,
            can_remove=can_remove,
            csrf_input=csrf_input,
            escaped=escaped,
        )
        html.append(
            '\n  <div class="mb-3">\n    <h3 class="h6 mb-1">'
            f"{escape(group['last_name'])}, {escape(group['first_name'])} ({escape(group['p_number'])})"
            f'{continued}</h3>\n    <ul class="list-group">{items}</ul>\n  </div>'
        )
    return mark_safe("".join(html))  # noqa: S308
