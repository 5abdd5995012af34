"""The HTML of PAR's unit rows (Individual Add/Remove, a learner's record), built in Python.

A page of 25 learners has 300 unit rows. Printed by the template language they took about
40 ms of CPU (a dozen lookups, tests and escapes per row); formatted here they take well
under one. The markup is the one ``_learner_units.html`` used to print, row for row. Every
text that comes from the database is escaped here; ids are numbers and URLs fixed paths.
"""

from __future__ import annotations

from html import escape

MANDATORY_BADGE = ' <span class="badge text-bg-light border">mandatory</span>'
NOT_ENTERED = '<span class="text-body-secondary">No unit entry for this unit</span>'
NOT_CURRENT = '<span class="text-body-secondary">Registration not current</span>'


def unit_label(code: str, title: str, *, mandatory: bool) -> str:
    """ "<strong>CMI501</strong> Title" and the mandatory badge; the same for every learner.
    ``code`` comes escaped (the cards print it again)."""
    return f"<strong>{code}</strong> {escape(title)}{MANDATORY_BADGE if mandatory else ''}"


# Where a learner's registration id goes in the rows made once per page for every learner
# of a qualification (``unit_rows``), put in when their card is joined: "<" never survives
# escape(), so no text from the database can hold it.
REGISTRATION_SLOT = "<registration>"


def selectable_row(registration_id: int | str, unit_id: int, label: str) -> str:
    """A unit with a box to tick; its value "<registration id>:<unit id>" is what is saved."""
    dom_id = f"unit-{registration_id}-{unit_id}"
    return (
        '<tr class="unit-row unit-selectable"><td class="text-center"><input'
        f' class="form-check-input" type="checkbox" name="unit" value="{registration_id}:'
        f'{unit_id}" id="{dom_id}"></td><td><label for="{dom_id}">{label}</label></td>'
        '<td class="unit-state"><span class="visually-hidden">Not selected</span></td></tr>'
    )


def state_row(state: str, label: str, state_html: str) -> str:
    """A unit without a box: selected, held, achieved, or not open to this registration."""
    return (
        f'<tr class="unit-row unit-{state}"><td></td><td>{label}</td>'
        f'<td class="unit-state">{state_html}</td></tr>'
    )


def achieved(result_text: str) -> str:
    return f'<span class="unit-achieved">{escape(result_text)}</span>'


def locked(reason: str) -> str:
    return f'<span class="unit-selected">Selected</span> <span class="text-body-secondary">&mdash; {escape(reason)}</span>'


def removable(*, remove_url: str, registration_id: int | str, code: str, learner_name: str) -> str:
    """Selected and free: a Remove button that swaps only this learner's units (htmx).
    ``code`` and ``learner_name`` come escaped: a card escapes its learner's name once."""
    return (
        '<span class="unit-selected">Selected</span>\n      <button type="submit"'
        ' class="btn btn-sm btn-link text-danger p-0 ms-2"'
        f' formaction="{remove_url}" formmethod="post" data-hx-post="{remove_url}"'
        f' data-hx-target="#units-{registration_id}" data-hx-swap="outerHTML"'
        f' aria-label="Remove {code} for {learner_name}">Remove</button>'
    )


def qualification_options(qualifications, chosen: object) -> str:
    """The ``<option>`` of each qualification ("CODE: Title"), the one whose key reads as
    ``chosen`` (a form field's value, as ``stringformat:"s"`` compared it) selected."""
    chosen = str(chosen)
    return "".join(
        f'<option value="{q.pk}"{" selected" if str(q.pk) == chosen else ""}>'
        f"{escape(q.code)}: {escape(q.title)}</option>"
        for q in qualifications
    )


def escape_each(texts: list[str]) -> list[str]:
    """``escape()`` of each text, in one call for them all: a page's hundreds of short names
    and numbers cost a call and five ``replace`` each, a fifth of the page's rows. Joined by
    a character escape() leaves alone and no text holds (PostgreSQL's text cannot hold NUL;
    a text that did holds it anyway, and is escaped on its own)."""
    escaped = escape("\0".join(texts)).split("\0")
    if len(escaped) != len(texts):
        return [escape(text) for text in texts]
    return escaped


def bulk_learner_rows(learners: list[tuple[int, str, str, str]]) -> str:
    """Bulk Add's "Available learners": a row for each (registration id, name, membership
    number, entry), with the box that picks them."""
    names = escape_each([name for _, name, _, _ in learners])
    numbers = escape_each([number for _, _, number, _ in learners])
    entries = escape_each([entry for _, _, _, entry in learners])
    return "\n".join(
        f'<tr><td><input class="form-check-input" type="checkbox" name="registration"'
        f' value="{learner[0]}" id="reg-{learner[0]}"></td>'
        f'<td><label for="reg-{learner[0]}">{name}</label></td>'
        f"<td>{number}</td><td>{entry}</td></tr>"
        for learner, name, number, entry in zip(learners, names, numbers, entries, strict=True)
    )


UNITS_HEAD = (
    '<thead><tr><th scope="col" class="text-center">Select</th><th scope="col">Unit</th>'
    '<th scope="col">State</th></tr></thead>'
)


def learner_card(
    *,
    registration_id: int,
    first_name: str,
    last_name: str,
    p_number: str,
    qualification_code: str,
    selected: int,
    selectable: int,
    rows: str,
    url: str,
    opened: bool,
) -> str:
    """One learner on Individual Add/Remove: the summary with the counts, then the units
    table in its swappable box (as ``_learner_units.html`` prints it without feedback: keep
    the two alike) and the link to the learner's record. The texts come escaped: the names
    and P numbers of a page at once (``escape_each``), the code once for a run of cards;
    ``rows`` from the functions above."""
    first, last = first_name, last_name
    return (
        f'<details class="learner-card border rounded px-3 py-2 mb-2"{" open" if opened else ""}>'
        f'\n        <summary><span class="fw-semibold">{last}, {first}</span> &mdash; {p_number}'
        f'\n          <span class="text-body-secondary small">({selected} selected, {selectable}'
        f" to choose from)</span></summary>\n"
        f'        <div class="mt-2">\n          <div id="units-{registration_id}">\n'
        '  <div class="table-responsive">\n'
        '  <table class="table table-sm align-middle mb-2">\n'
        f'    <caption class="visually-hidden">Units of {qualification_code} for'
        f" {first} {last}</caption>\n    {UNITS_HEAD}\n    <tbody>\n    {rows}\n"
        "    </tbody>\n  </table>\n  </div>\n</div>\n"
        f'          <a class="small" href="{url}">Open {first}\'s record</a>\n'
        "        </div>\n      </details>"
    )


BULK_TABLE_HEAD = (
    '  <div class="sticky-actions mb-2"><button type="submit" class="btn btn-primary">Proceed'
    " with Bulk unit update</button></div>\n"
    '  <div class="table-responsive">\n'
    '  <table class="table table-sm table-striped align-middle">\n'
    '    <caption class="visually-hidden">Learners available for the chosen units</caption>\n'
    "    <thead><tr>\n"
    '      <th scope="col"><input class="form-check-input" type="checkbox" id="select-all"'
    ' data-select-all="registration"><label class="visually-hidden" for="select-all">Select'
    " all learners on this page</label></th>\n"
    '      <th scope="col">Learner</th><th scope="col">Membership number</th>'
    '<th scope="col">Entry</th>\n'
    "    </tr></thead>\n"
    "    <tbody>\n    \n    "
)
BULK_NONE_AVAILABLE = (
    "<p>No learners are available: everyone registered and current on this qualification"
    " already has at least one of these units selected.</p>"
)


def bulk_listed(
    *,
    code: str,
    title: str,
    chosen_units: list[str],
    change_units_url: str,
    count: str,
    plural: str,
    showing: str,
    apply_url: str,
    next_path: str,
    qualification_id: int,
    unit_ids: list[int],
    rows_html: str,
    pagination: str,
    continue_url: str,
) -> tuple[str, str]:
    """Bulk Add's listed step, as bulk.html printed it through tags and lookups: the chosen
    units, then the available learners' form and its page links (or the note that there are
    none). Two parts, before and after the form's CSRF field (the template prints that, with
    the page's one token); ``rows_html`` from ``bulk_learner_row``, ``pagination`` from
    ``page_links`` (both escaped), ``showing`` "; showing 1&ndash;100" (HTML) or "". With no rows the
    second part is the note, and the first ends where the template's CSRF field would be
    left out."""
    code = escape(code)
    units = "".join(f"<li>{escape(label)}</li>" for label in chosen_units)
    head = (
        '\n\n<section class="mb-4" aria-labelledby="chosen-units">\n'
        f'  <h2 class="h6" id="chosen-units">Units to add for {code}: {escape(title)}</h2>\n'
        f'  <ul class="mb-2" id="bulk-chosen-units">{units}</ul>\n'
        f'  <a href="{escape(change_units_url)}" class="btn btn-sm btn-outline-secondary">'
        "Change units</a>\n</section>\n\n\n\n"
        '<h2 class="h4">Available learners</h2>\n'
    )
    continue_link = f'\n<p><a href="{escape(continue_url)}" class="btn btn-outline-secondary">Continue</a></p>\n'
    if not rows_html:
        return f"{head}\n{BULK_NONE_AVAILABLE}\n{continue_link}", ""
    head += (
        f"\n<p>{count} learner{plural} registered and current on {code} with none of the"
        f" chosen units selected yet{showing}. Learners who already have one of the units are"
        " not listed.</p>\n"
        f'<form method="post" action="{escape(apply_url)}" data-unsaved-warning data-busy>\n  '
    )
    hidden_units = "".join(
        f'<input type="hidden" name="units" value="{int(unit_id)}">' for unit_id in unit_ids
    )
    tail = (
        f'\n  <input type="hidden" name="next" value="{escape(next_path)}">\n'
        f'  <input type="hidden" name="qualification" value="{int(qualification_id)}">\n'
        f"  {hidden_units}\n{BULK_TABLE_HEAD}{rows_html}\n    </tbody>\n  </table>\n  </div>\n"
        f"</form>\n{pagination}\n{continue_link}"
    )
    return head, tail


NO_LEARNERS_MATCH = (
    "<p>No registered, current learners match. Check the spelling or the P number; a learner"
    " who is missing altogether may need registering by your Customer Data Administrator.</p>"
)


def qualification_group(*, code: str, title: str, size: int, cards_html: str) -> str:
    """One qualification's run of learner cards on Individual Add/Remove."""
    return (
        '\n    <details class="mb-3" open>\n'
        f'      <summary class="h5">{escape(code)}: {escape(title)} <span'
        f' class="text-body-secondary small">({size} on this page)</span></summary>\n'
        f'      <div class="ms-md-3 mt-2">\n      \n      {cards_html}\n      </div>\n'
        "    </details>\n    "
    )


def individual_listed(
    *,
    count: str,
    plural: str,
    showing: str,
    add_url: str,
    next_path: str,
    groups_html: str,
    continue_url: str,
    pagination: str,
) -> tuple[str, str]:
    """Individual Add/Remove's found learners, as individual.html printed them through tags
    and lookups, in two parts around the form's CSRF field (the template prints that, with
    the page's one token); ``groups_html`` from ``qualification_group``, ``pagination`` from
    ``page_links`` (both escaped), ``showing`` "; showing 1&ndash;25" (HTML) or ""."""
    head = (
        f"\n  \n  <p>{count} learner record{plural} found{showing}. Expand a learner to see"
        " the units.</p>\n"
        f'  <form method="post" action="{escape(add_url)}" id="selection-form"'
        " data-unsaved-warning data-busy>\n    "
    )
    tail = (
        f'\n    <input type="hidden" name="next" value="{escape(next_path)}">\n'
        f"    {groups_html}\n"
        '    <div class="sticky-actions d-flex gap-2 align-items-center">\n'
        '      <button type="submit" class="btn btn-primary">Add all selected units.</button>\n'
        f'      <a href="{escape(continue_url)}" class="btn btn-outline-secondary ms-auto">'
        "Continue</a>\n    </div>\n  </form>\n"
        f"  {pagination}\n  \n"
    )
    return head, tail
