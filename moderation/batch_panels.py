"""The batch page's and the review's panels as HTML, built in Python (issue 9).

The summary, the documents, the sample rule, the head of the slot list and the history
were template partials: some 300 variable lookups, ifs and filters a view, a third of
those pages' template time. Formatted here they cost a fraction of that. The markup is
the one the partials (_summary, _sla, _documents, _sample_rule, and the heads of _slots and
_history) printed, byte for byte (the browser tests and moderation.js read its
data- attributes), as moderation.slot_rows does for the slots themselves.

Every text from the database is escaped here; numbers are printed as the template printed
them (no thousand separator: settings.USE_THOUSAND_SEPARATOR is off), URLs come from the
view (reversed paths and numbers, escaped all the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _escape

from django.core.paginator import Page
from django.template.defaultfilters import pluralize
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from hub.templatetags.hub_links import page_links

from .models import Batch, SampleRule
from .selectors import (
    _MINUTE,
    SLOTS_MISSING,
    SLOTS_TO_FILL,
    DocumentRow,
    SlotCounts,
    _day,
    _local,
    _local_day,
    sla_badge,
    sla_state,
)


def escape(value: object) -> str:
    """What ``{{ value }}`` prints for a text: escaped unless marked safe (as conditional_escape)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def breadcrumb_html(batch: Batch, *, index_url: str) -> SafeString:
    """_breadcrumb.html as the batch page prints it (no ``here``): Moderation > Batch n."""
    return mark_safe(  # noqa: S308 -- a reversed path and a number
        '<nav aria-label="Breadcrumb"><ol class="breadcrumb">\n'
        f'  <li class="breadcrumb-item"><a href="{escape(index_url)}">Moderation</a></li>\n'
        "  \n"
        f'  <li class="breadcrumb-item active" aria-current="page">Batch {batch.pk}</li>\n'
        "</ol></nav>\n"
    )


def status_html(batch: Batch) -> str:
    """_status.html: the status's badge."""
    return (
        f'<span class="badge batch-status batch-status-{escape(batch.status)}">'
        f"{escape(batch.get_status_display())}</span>\n"
    )


def _sla_html(batch: Batch, *, now, today) -> str:
    """The SLA's due day and its note (days left, due today, overdue) (R-SLA-1)."""
    days, overdue = sla_state(batch.sla_due_at, now=now, today=today)
    css, words = sla_badge(days, overdue)
    return f'{_local_day(batch.sla_due_at)}\n<span class="{css}">{escape(words)}</span>\n'


def summary_html(batch: Batch) -> SafeString:
    """The summary: centre, qualification, status, dates, moderator, deletion."""
    centre, qualification = batch.centre, batch.qualification
    lines = [
        '<dl class="row batch-summary mb-3">\n'
        '  <dt class="col-sm-3">Centre</dt><dd class="col-sm-9">'
        f"{escape(centre.number)} {escape(centre.name)}</dd>\n"
        '  <dt class="col-sm-3">Qualification</dt><dd class="col-sm-9">'
        f"{escape(qualification.code)}: {escape(qualification.title)}</dd>\n"
        '  <dt class="col-sm-3">Status</dt><dd class="col-sm-9" data-testid="batch-status">'
        f"{status_html(batch)}</dd>\n"
        '  <dt class="col-sm-3">Submitted</dt><dd class="col-sm-9">'
        f"{escape(_local(batch.submitted_at, _MINUTE) or 'Not yet')}</dd>\n  "
    ]
    if batch.sla_due_at:
        now = timezone.now()
        sla = _sla_html(batch, now=now, today=timezone.localdate(now))
        lines.append(f'<dt class="col-sm-3">SLA due</dt><dd class="col-sm-9">{sla}</dd>')
    lines.append("\n  ")
    if batch.sla_due_at and batch.sla_extended_at:
        lines.append(
            '<dt class="col-sm-3">SLA changed</dt><dd class="col-sm-9" data-testid="sla-extension">'
            f"The awarding body moved the due date to {_local(batch.sla_due_at, _MINUTE)}"
            f" on {_local_day(batch.sla_extended_at)}."
            f" Reason: {escape(batch.sla_extension_reason)}</dd>"
        )
    lines.append("\n  ")
    if batch.outcome_at:
        lines.append(
            '<dt class="col-sm-3">Last outcome</dt><dd class="col-sm-9">'
            f"{_local(batch.outcome_at, _MINUTE)}</dd>"
        )
    lines.append("\n  ")
    moderator = batch.moderator
    if moderator:
        lines.append(
            f'<dt class="col-sm-3">Moderator</dt><dd class="col-sm-9">{escape(moderator)}</dd>'
        )
    lines.append("\n  ")
    if batch.deletion_requested_at:
        target = batch.deletion_target_date
        lines.append(
            '<dt class="col-sm-3">Deletion</dt><dd class="col-sm-9">Requested'
            f" {_local_day(batch.deletion_requested_at)}; the awarding body aims to delete it"
            f" by {_day_of(target)}. Its learner-units stay locked until then.</dd>"
        )
    lines.append("\n</dl>\n")
    return mark_safe("".join(lines))  # noqa: S308 -- every text escaped above


def _day_of(day) -> str:
    """``{{ day|date:"j M Y" }}`` for a date (or None: "")."""
    return _day(day, get_language()) if day else ""


def documents_html(batch: Batch, sections: Iterable[tuple[str, list[DocumentRow]]]) -> SafeString:
    """The Documents table: each section's versions, newest first, or why there are none."""
    html = [
        '<section aria-labelledby="documents-heading" class="mb-4">\n'
        '  <h2 id="documents-heading" class="h5">Documents</h2>\n'
        '  <div class="table-responsive">\n'
        '  <table class="table table-sm align-middle">\n'
        '    <caption class="visually-hidden">IV feedback, assessment brief and the'
        " moderator's comments</caption>\n"
        '    <thead><tr><th scope="col">Section</th><th scope="col">File</th>'
        '<th scope="col">Uploaded</th></tr></thead>\n'
        "    <tbody>\n    "
    ]
    for label, versions in sections:
        label_html = escape(label)
        html.append("\n      ")
        for position, document in enumerate(versions):
            current = document["is_current"]
            heading = (
                label_html
                if position == 0
                else f'<span class="visually-hidden">{label_html}, </span>earlier version'
            )
            replaced = (
                ""
                if current
                else f' <span class="small">replaced {escape(document["superseded_label"])}</span>'
            )
            html.append(
                "\n      <tr"
                + ("" if current else ' class="text-body-secondary"')
                + f'>\n        <th scope="row">{heading}</th>\n'
                f'        <td><a href="{escape(document["url"])}">'
                f"{escape(document['original_name'])}</a>"
                f' <span class="small">({escape(document["size_label"])})</span>{replaced}</td>\n'
                f"        <td>{escape(document['uploaded_label'])} by"
                f" {escape(document['uploaded_by'] or '–')}</td>\n"
                "      </tr>\n      "
            )
        if not versions:
            if str(label) == "Moderator's comments":
                why = "None yet"
            elif batch.override_documents:
                why = (
                    f"Upload overridden by {escape(batch.override_by)}"
                    f" on {_local_day(batch.override_at)}"
                )
            else:
                why = "Not uploaded"
            html.append(
                f'\n      <tr><th scope="row">{label_html}</th><td colspan="2">{why}</td></tr>\n      '
            )
        html.append("\n    ")
    html.append("\n    </tbody>\n  </table>\n  </div>\n</section>\n")
    return mark_safe("".join(html))  # noqa: S308 -- every text escaped above


def sample_rule_html(rule: SampleRule) -> SafeString:
    """_sample_rule.html: R-BAT-6's minimum, what is uploaded, what is still needed."""
    required, claimed, met = rule.required, rule.claimed, rule.met
    return mark_safe(  # noqa: S308 -- numbers, and the reason escaped
        f'<div class="alert {"alert-success" if met else "alert-warning"} sample-rule"'
        f' data-sample-rule data-required="{required}" role="status">\n'
        f"  <strong>Minimum sample:</strong> {required} of {claimed} claimed"
        f" learner-unit{pluralize(claimed)} ({rule.percent}%, {escape(rule.reason)}).\n"
        f"  Uploaded so far: <span data-sample-uploaded>{rule.uploaded}</span>.\n"
        "  <span data-sample-shortfall>"
        f"{'The sample is met.' if met else f'{rule.shortfall} more needed.'}</span>\n"
        "</div>\n"
    )


def slots_head_html(
    *,
    counts: SlotCounts,
    rule: SampleRule,
    slot_filter: str,
    missing_only: bool,
    to_fill_only: bool,
) -> SafeString:
    """The Learner work section before the slots: the counts and the filter's tabs."""
    required, met = rule.required, rule.met
    shortfall = "The sample is met." if met else f"{rule.shortfall} more needed."

    def tab(active: bool) -> str:
        return ' active" aria-current="page' if active else ""

    html = (
        '<section aria-labelledby="slots-heading" class="mb-4" data-slots>\n'
        '  <h2 id="slots-heading" class="h5">Learner work</h2>\n'
        f'  <p class="mb-2" data-testid="slot-counts" data-required="{required}">\n'
        f"    <span data-slots-claimed>{counts.claimed}</span>"
        f" learner-unit{pluralize(counts.claimed)} claimed,\n"
        f"    <span data-slots-uploaded>{rule.uploaded}</span> with a file,\n"
        f"    <span data-slots-without-file>{counts.without_file}</span> without;\n"
        f"    minimum sample <span data-slots-required>{required}</span>:"
        f" <span data-slots-shortfall>{shortfall}</span>\n"
        "  </p>\n"
        '  <ul class="nav nav-pills mb-3" aria-label="Which slots to show">\n'
        f'    <li class="nav-item"><a class="nav-link{tab(not slot_filter)}" href="?">All slots</a></li>\n'
        f'    <li class="nav-item"><a class="nav-link{tab(missing_only)}" href="?slots=missing">'
        "Slots without a file</a></li>\n    "
    )
    if counts.to_fill or counts.to_fill_missing or to_fill_only:
        html += (
            f'\n    <li class="nav-item"><a class="nav-link{tab(to_fill_only)}" href="?slots=to-fill"'
            ' data-testid="slots-to-fill">Slots to fill <span class="badge rounded-pill'
            f' text-bg-secondary">{counts.to_fill_missing}</span></a></li>\n    '
        )
    return mark_safe(html + "\n  </ul>\n  \n  ")  # noqa: S308 -- numbers only


def history_html(batch: Batch, history: Page) -> SafeString:
    """The History section before its page links: the count and one page of entries."""
    count = history.paginator.count
    rows = "".join(
        "\n    <tr>\n"
        f"      <td>{escape(entry['when'])}</td>\n"
        f"      <td>{escape(entry['who'])}</td>\n"
        f"      <td>{escape(entry['what'])}</td>\n"
        f"      <td>{escape(entry['source'])}</td>\n"
        f"      <td>{escape(entry['target'])}</td>\n"
        f"      <td>{escape(entry['note'])}"
        + (
            f' <a href="{escape(entry["document_url"])}">{escape(entry["document_name"])}</a>'
            if entry["document_url"]
            else ""
        )
        + "</td>\n    </tr>\n    "
        for entry in history.object_list
    )
    return mark_safe(  # noqa: S308 -- every text escaped above (the note is linebreaksbr's)
        '<section aria-labelledby="history-heading" class="mb-4">\n'
        '  <h2 id="history-heading" class="h5">History</h2>\n'
        f'  <p class="small text-body-secondary mb-1">{count} event{pluralize(count)},'
        " newest first.</p>\n"
        '  <div class="table-responsive">\n'
        '  <table class="table table-sm" data-testid="history">\n'
        f'    <caption class="visually-hidden">Every change to batch {batch.pk}: who, when,'
        " from, to, why; newest first</caption>\n"
        '    <thead><tr><th scope="col">When</th><th scope="col">Who</th>'
        '<th scope="col">What</th><th scope="col">From</th><th scope="col">To</th>'
        '<th scope="col">Note</th></tr></thead>\n'
        f"    <tbody>\n    {rows}\n    </tbody>\n  </table>\n  </div>\n  "
    )


def pagination_html(page: Page, label: str) -> SafeString:
    """``{% include "hub/_pagination.html" with page=page label=label %}`` for a page from
    hub.paging.paginate (its links made): nothing but a new line on a list of one page."""
    if not page.has_other_pages():
        return mark_safe("\n")  # noqa: S308
    if not page.links:  # not paginate's page: the template's own markup
        return get_template("hub/_pagination.html").render({"page": page, "label": label})
    return mark_safe(f"\n\n{page_links(page, label)}\n\n\n")  # noqa: S308 -- page_links escapes


_NO_SLOTS = {
    SLOTS_MISSING: "Every claimed learner-unit has a file.",
    SLOTS_TO_FILL: "Every slot to fill has a file.",
}


def slots_section_html(
    *, head: str, slots: str, empty: bool, slot_filter: str, page: Page
) -> SafeString:
    """The Learner work section: its head (slots_head_html), the slots (moderation.slot_rows),
    what an empty list means, and the page links."""
    none = (
        f"<p>{_NO_SLOTS.get(slot_filter, 'No learner-units are claimed on this batch.')}</p>"
        if empty
        else ""
    )
    pages = pagination_html(page, "Pages of learner work")
    return mark_safe(f"{head}{slots}\n  {none}\n  {pages}\n</section>\n")  # noqa: S308


def history_section_html(batch: Batch, history: Page) -> SafeString:
    """The History section: history_html and its page links."""
    pages = pagination_html(history, "Pages of history")
    return mark_safe(f"{history_html(batch, history)}{pages}\n</section>\n")  # noqa: S308
