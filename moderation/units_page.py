"""Select Units to Pass on Batch's content as HTML, built in Python (issue 9).

The learner rows were already built here (moderation.unit_rows); what the template kept
around them (the breadcrumb, the counts, the search form, the buttons, the page numbers)
still cost some 60 lookups, filters and tags a view, two includes among them, about a fifth
of the page's CPU. Formatted here it costs a fraction of that. The markup is the one
``batch_units.html`` printed, byte for byte (the browser tests and hub.js read its data-
attributes: the unsaved-changes guard, the busy state, tick-all).

Every text from the database or the request is escaped here; numbers are printed as
``intcomma`` printed them (a comma every three digits); URLs are reversed paths and
numbers, escaped all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.core.paginator import Page
from django.utils.safestring import SafeString, mark_safe

from hub.templatetags.hub_links import page_links

from .models import Batch
from .selectors import SelectionCounts

HERE = "Select Units to Pass on Batch"


def _s(number: int) -> str:
    """``pluralize``: "s" unless exactly one."""
    return "" if number == 1 else "s"


@dataclass
class UnitsPage:
    """What the content shows: the view's values, read once."""

    batch: Batch
    page: Page
    counts: SelectionCounts
    query: str
    free_only: bool
    free_value: str
    shown: str
    selectable: bool
    rows_html: str
    # The form's own address (the request's path and query: "Save" keeps the search).
    action: str
    csrf_input: str
    index_url: str
    batch_url: str
    units_url: str
    documents_url: str

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.free_only)


def _breadcrumb(view: UnitsPage) -> str:
    """moderation/_breadcrumb.html with ``here``: Moderation > Batch n > this page."""
    return (
        '<nav aria-label="Breadcrumb"><ol class="breadcrumb">\n'
        f'  <li class="breadcrumb-item"><a href="{escape(view.index_url)}">Moderation</a></li>\n'
        f'  <li class="breadcrumb-item"><a href="{escape(view.batch_url)}">Batch'
        f" {view.batch.pk}</a></li>\n"
        f'  <li class="breadcrumb-item active" aria-current="page">{HERE}</li>\n'
        "</ol></nav>\n"
    )


def _search_form(view: UnitsPage) -> str:
    units_url = escape(view.units_url)
    every = (
        f'<a href="{units_url}" class="btn btn-link">Show every learner</a>'
        if view.filtered
        else ""
    )
    return (
        f'<form method="get" action="{units_url}" class="row g-2 align-items-end mb-3"'
        ' role="search">\n'
        '  <div class="col-md-5">\n'
        '    <label for="id_q" class="form-label">Search by name or P number</label>\n'
        f'    <input type="search" name="q" id="id_q" value="{escape(view.query)}"'
        ' class="form-control" aria-describedby="id_q_help">\n'
        '    <div id="id_q_help" class="form-text">First name, surname or P number, or part'
        " of one.</div>\n"
        "  </div>\n"
        '  <div class="col-md-4">\n'
        '    <div class="form-check mb-md-4">\n'
        '      <input class="form-check-input" type="checkbox" name="show"'
        f' value="{escape(view.free_value)}" id="id_show"'
        f"{' checked' if view.free_only else ''}>\n"
        '      <label class="form-check-label" for="id_show">Only learners with units free'
        " to claim</label>\n"
        "    </div>\n"
        "  </div>\n"
        '  <div class="col-auto mb-md-4 d-flex gap-2">\n'
        '    <button type="submit" class="btn btn-outline-primary">Search</button>\n'
        f"    {every}\n"
        "  </div>\n"
        "</form>\n"
    )


def _pagination(page: Page) -> str:
    """hub/_pagination.html for a page from hub.paging.paginate (it always has links),
    but for the newline the include ends with."""
    if not page.has_other_pages():
        return ""
    return f"\n\n{page_links(page, 'Pages of learners')}\n\n"


def _list_form(view: UnitsPage) -> str:
    page, filtered, counts = view.page, view.filtered, view.counts
    count = page.paginator.count
    learners = f"{count:,} learner{_s(count)}"
    found = "found" if filtered else "registered and current on this qualification"
    showing = (
        f"; showing {page.start_index():,}&ndash;{page.end_index():,}"
        if page.paginator.num_pages > 1
        else ""
    )
    tick_page = (
        '<div class="form-check mb-2"><input class="form-check-input" type="checkbox"'
        ' id="tick-page" data-select-all="selection"><label class="form-check-label"'
        ' for="tick-page">Tick all units on this page</label></div>'
        if view.shown
        else ""
    )
    if view.selectable:
        submit = (
            '<button type="submit" name="action" value="submit" class="btn btn-primary">'
            "Submit</button>\n      "
        )
    else:
        submit = (
            '<button type="submit" name="action" value="submit" class="btn'
            ' btn-outline-secondary" disabled aria-describedby="units-submit-why">Submit'
            '</button>\n      <span id="units-submit-why" class="small">Nothing to submit'
            " yet: no unit is ticked, and none on this page is free to tick.</span>"
        )
    listed = "found" if filtered else "listed"
    return (
        '<form method="post" action="'
        f'{escape(view.action)}" novalidate data-unsaved-warning data-busy id="units-form">\n'
        f"  {view.csrf_input}\n"
        f'  <input type="hidden" name="shown" value="{escape(view.shown)}">\n'
        f"  <p>{learners} {found}{showing}. Expand a learner to tick their units.</p>\n"
        f"  {tick_page}\n"
        f"  \n"
        f"  {view.rows_html}\n"
        f"  {_pagination(page)}\n\n"
        '  <div class="sticky-actions">\n'
        '    <div class="d-flex flex-wrap gap-2 align-items-center">\n'
        '      <button type="submit" name="action" value="save" class="btn'
        f' btn-outline-primary"{"" if view.shown else " disabled"}>Save selection</button>\n'
        f"      {submit}\n"
        f'      <a href="{escape(view.documents_url)}" class="btn btn-outline-secondary">Back'
        " to the documents</a>\n"
        "    </div>\n"
        '    <div class="d-flex flex-wrap gap-2 align-items-center mt-2">\n'
        f'      <span class="small">Every page{" of this search" if filtered else ""}:</span>\n'
        '      <button type="submit" name="action" value="add_matching" class="btn btn-sm'
        f' btn-outline-success">Tick all units free to claim for the {learners} {listed}'
        "</button>\n"
        '      <button type="submit" name="action" value="remove_matching" class="btn btn-sm'
        f' btn-outline-danger"{"" if counts.units else " disabled"}>Untick all units for the'
        f" {learners} {listed}</button>\n"
        "    </div>\n"
        "  </div>\n"
        "</form>\n"
    )


def content_html(view: UnitsPage) -> SafeString:
    """The page's content block, as batch_units.html printed it."""
    batch, counts = view.batch, view.counts
    qualification = batch.qualification
    if view.page.paginator.count:
        body = _list_form(view)
    elif view.filtered:
        body = (
            "<p>No learner matches this search."
            f' <a href="{escape(view.units_url)}">Show every learner</a>.</p>\n'
        )
    else:
        body = (
            "<p>No learners are registered and current on this qualification at your"
            " centre. If a learner is missing, contact your Customer Data Administrator.</p>\n"
        )
    return mark_safe(  # noqa: S308 (every text escaped above)
        f"\n{_breadcrumb(view)}\n"
        f'<h1 class="h3">{HERE}</h1>\n'
        f"<p>{escape(qualification.code)}: {escape(qualification.title)}. Tick every unit you"
        " want certificated for every learner in this batch, not only those whose work you"
        " will upload as the sample.</p>\n"
        '<p class="alert alert-info" role="status" data-testid="selection-counts"><strong>'
        f"{counts.units:,} unit{_s(counts.units)} selected for {counts.learners:,}"
        f" learner{_s(counts.learners)}</strong> on this batch so far. Ticks are kept when you"
        " press any button below; moving to another page without pressing one loses this"
        " page's changes.</p>\n\n"
        f"{_search_form(view)}\n\n{body}\n"
    )
