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
from .view_parts import ascii_html


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
                f' <span class="small">({ascii_html(document["size_label"])})</span>{replaced}</td>\n'
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


def prepare_button_html(*, prepare_url: str, csrf_input: str) -> str:
    """downloads/_prepare_button.html as the page includes it (its closing newline too)."""
    return (
        f'<form method="post" action="{escape(prepare_url)}" data-busy>{csrf_input}<button'
        ' type="submit" class="btn btn-outline-primary" data-busy-label="Preparing&hellip;">Prepare'
        " download</button></form>\n"
    )


_SUBMIT_WHY = ' aria-describedby="submit-why"'


def _actions_html(context: dict) -> str:
    """The batch page's row of buttons: submit (and why not yet), resubmit, documents,
    delete, request deletion, certificates, prepare download."""
    batch, rule, urls = context["batch"], context["rule"], context["urls"]
    html = ['<div class="d-flex flex-wrap gap-2 mb-4">\n  ']
    if "submit" in context["actions"]:
        met = rule.met
        css, why = ("btn-success", "") if met else ("btn-outline-secondary", _SUBMIT_WHY)
        html.append(
            f'\n  <a href="{escape(urls["submit"])}" class="btn {css}" data-submit-batch{why}>'
            "Submit Batch</a>\n"
            '  <p id="submit-why" class="align-self-center small mb-0" data-submit-why'
            f"{' hidden' if met else ''}>Not ready to submit: upload learner work until the"
            " minimum sample is met (<span data-submit-shortfall>"
            f"{escape(rule.shortfall)}</span> more needed).</p>\n  "
        )
    html.append("\n  ")
    if context["can_resubmit"] and not context["slot_counts"].top_up_missing:
        html.append(
            f'\n  <form method="post" action="{escape(urls["resubmit"])}" data-busy>'
            f'{context["csrf_input"]}<button type="submit" class="btn btn-success">Resubmit'
            "</button></form>\n  "
        )
    html.append("\n  ")
    if context["can_edit_documents"]:
        html.append(
            f'<a href="{escape(urls["documents"])}" class="btn btn-outline-primary">Replace IV'
            " Feedback or Assessment Brief</a>"
        )
    html.append("\n  ")
    if context["can_delete"]:
        html.append(
            f'<a href="{escape(urls["delete"])}" class="btn btn-outline-danger">Delete batch</a>'
        )
    html.append("\n  ")
    if context["can_request_deletion"]:
        html.append(
            f'<a href="{escape(urls["request_deletion"])}" class="btn btn-outline-danger">'
            "Request deletion</a>"
        )
    html.append("\n  ")
    if batch.is_complete:
        html.append(
            f'<a href="{escape(urls["certificates"])}" class="btn btn-outline-primary">'
            "Certificates</a>"
        )
    html.append("\n  ")
    html.append(
        prepare_button_html(prepare_url=context["prepare_url"], csrf_input=context["csrf_input"])
    )
    html.append("\n</div>\n")
    return "".join(html)


def _comments_html(comments) -> str:
    """The moderator's comments on the latest outcome (selectors.moderator_comments)."""
    if not comments:
        return ""
    note = comments["note"]
    document_url = comments["document_url"]
    return (
        '\n<section class="card mb-4" aria-labelledby="moderator-comments-heading"'
        ' data-testid="moderator-comments">\n  <div class="card-body">\n'
        '    <h2 id="moderator-comments-heading" class="h5">Moderator\'s comments</h2>\n'
        f'    <p class="small text-body-secondary mb-2">{escape(comments["outcome"])} by'
        f" {escape(comments['who'])} on {escape(comments['when'])}</p>\n    "
        + (f'<blockquote class="mb-2">{escape(note)}</blockquote>' if note else "")
        + "\n    "
        + (
            f'<p class="mb-0">Comments document: <a href="{escape(document_url)}">'
            f"{escape(comments['document_name'])}</a></p>"
            if document_url
            else ""
        )
        + "\n  </div>\n</section>\n"
    )


def detail_head_html(context: dict) -> SafeString:
    """batch_detail.html's content before the review panel: breadcrumb, heading, summary,
    buttons, the outcome's notes and the moderator's comments."""
    batch, counts = context["batch"], context["slot_counts"]
    insufficient = batch.is_insufficient_sample
    html = [
        f'\n{context["breadcrumb_html"]}\n<h1 class="h3">Batch {batch.pk}</h1>\n'
        f"{context['summary_html']}\n",
        _actions_html(context),
    ]
    if batch.is_returned_for_editing:
        html.append(
            '<p class="alert alert-info">Returned for editing: you can replace the IV'
            " Feedback and the Assessment Brief, not the learner work. The moderator's"
            " comments are below.</p>"
        )
    html.append("\n")
    if insufficient:
        html.append(
            '<p class="alert alert-info">Insufficient sample: upload more learner work or'
            " overwrite what is there, and replace the IV Feedback or Assessment Brief if"
            " asked. The moderator's comments are below.</p>"
        )
    html.append("\n")
    if insufficient and counts.top_up_missing:
        html.append(
            '<p class="alert alert-warning" data-testid="top-up-missing">The moderator asked'
            " for learner work on named learner-units, marked &ldquo;Top-up asked for&rdquo; below:"
            f" {escape(counts.top_up_missing)} still without a file. You can resubmit once"
            ' each has a file. <a href="?slots=to-fill" class="alert-link">Show the slots to'
            " fill</a></p>"
        )
    html.append("\n")
    html.append(_comments_html(context["moderator_comments"]))
    html.append("\n")
    return mark_safe("".join(html))  # noqa: S308 -- every text escaped above


def _sample_plan_html(context: dict) -> str:
    """The line on the slots to fill, or the offer to suggest a sample (R-SMP-1)."""
    to_fill = context["slot_counts"].to_fill
    plannable = context["can_plan_sample"]
    if not (plannable or to_fill):
        return ""
    if to_fill:
        said = (
            f"<strong>{escape(to_fill)} slot{pluralize(to_fill)} to fill</strong> chosen from a"
            " suggested sample, marked &ldquo;Slot to fill&rdquo; below."
        )
    else:
        said = (
            "Not sure which learner-units to sample? The hub can suggest the smallest sample"
            " that meets the minimum and covers every unit."
        )
    link = "Suggest a sample" if plannable else "See the slots to fill"
    return (
        f'\n<p class="mb-4" data-testid="sample-plan">{said}\n'
        f'  <a href="{escape(context["urls"]["sample"])}" class="ms-1">{link}</a></p>\n'
    )


def _dropzone_html(context: dict) -> str:
    """The drop zone for several files at once (moderation.js shows it)."""
    groups, page = context["learner_slots"], context["slot_page"]
    code = (groups[0]["slots"][0]["unit_code"] if groups else "") or "CMI501"
    where = (
        f" (page {page.number} of {page.paginator.num_pages}; &ldquo;Slots without a file&rdquo; shows"
        " only the empty ones)"
        if page.has_other_pages()
        else ""
    )
    return (
        '\n<section class="dropzone mb-4" data-dropzone hidden'
        ' aria-labelledby="dropzone-heading">\n'
        '  <h2 id="dropzone-heading" class="h5">Upload several files at once</h2>\n'
        '  <p class="mb-2">Drop files here or choose them. Files whose names carry the'
        " learner's P number and the unit code (for example &ldquo;P1234567"
        f" {escape(code)}.pdf&rdquo;) are matched to the slots on this page{where}; you confirm"
        f" before anything is uploaded. At most {escape(context['max_sample_mb'])} MB a"
        " file.</p>\n"
        '  <label for="dropzone-files" class="form-label">Files of learner work</label>\n'
        '  <input type="file" id="dropzone-files" class="form-control" multiple'
        " data-dropzone-input>\n"
        '  <div data-dropzone-result class="mt-3" aria-live="polite"></div>\n'
        "</section>\n"
    )


def detail_tail_html(context: dict) -> SafeString:
    """batch_detail.html's content after the review panel: documents, sample rule and plan,
    drop zone, slots, history."""
    can_add = context["can_add_samples"]
    html = [
        f"\n{context['documents_html']}\n",
        context["sample_rule_html"] if can_add else "",
        "\n",
        _sample_plan_html(context),
        "\n",
        _dropzone_html(context) if can_add else "",
        f"\n{context['slots_section_html']}\n{context['history_section_html']}\n",
    ]
    return mark_safe("".join(html))  # noqa: S308 -- every text escaped above
