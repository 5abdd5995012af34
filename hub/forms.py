"""Form helpers shared by every page: the error summary, and limits that never cut silently.

The GOV.UK Design System's error summary, in Bootstrap: when a form on the page has errors,
the base layout lists each one at the top, linked to its field, and the title starts with
"Error: ". Pages do nothing for it: the forms are found in the template context.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.forms.formsets import BaseFormSet
from django.forms.renderers import DjangoTemplates
from django.utils.functional import LazyObject


@dataclass(frozen=True)
class SummaryError:
    """One line of the error summary: the message and the id of the field it links to."""

    message: str
    field_id: str  # "" when there is nothing to link to (a hidden field)


def field_anchor(form: forms.BaseForm, name: str) -> str:
    """The id of the element a summary link for field ``name`` moves to.

    A form may name its own (``error_anchors``) when its template prints a field by hand
    with other ids. Radios and check boxes link to the first option, as crispy prints them
    (``id_<name>_0``); hidden fields have nothing to show, so no link.
    """
    anchors = getattr(form, "error_anchors", None) or {}
    if name in anchors:
        return anchors[name]
    if name == forms.forms.NON_FIELD_ERRORS:
        # An error about the form as a whole: link to its first field the user can change.
        visible = form.visible_fields()
        return field_anchor(form, visible[0].name) if visible else ""
    if name not in form.fields:
        return ""
    bound = form[name]
    if bound.is_hidden or not bound.auto_id:
        return ""
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.MultiWidget):  # check boxes too
        return f"{bound.auto_id}_0"
    return bound.auto_id


def form_errors(form: forms.BaseForm) -> list[SummaryError]:
    """The form's errors in the order of its fields, the form's own ones first."""
    if not form.is_bound or not form.errors:
        return []
    order = [forms.forms.NON_FIELD_ERRORS, *form.fields]
    names = sorted(form.errors, key=lambda name: order.index(name) if name in order else 0)
    return [
        SummaryError(message=str(message), field_id=field_anchor(form, name))
        for name in names
        for message in form.errors[name]
    ]


def _forms_in(values: Iterable) -> Iterable[forms.BaseForm]:
    for value in values:
        # A lazy object (the user, say) is never a form: asking would load it.
        if isinstance(value, LazyObject):
            continue
        if isinstance(value, forms.BaseForm):
            yield value
        elif isinstance(value, BaseFormSet) and value.is_bound:
            yield from value.forms


def summary_errors(context: Mapping) -> list[SummaryError]:
    """Every error of every bound form in a template context, each once, in page order."""
    errors: list[SummaryError] = []
    seen: set[int] = set()
    for form in _forms_in(context.values()):
        if id(form) in seen:
            continue
        seen.add(id(form))
        for error in form_errors(form):
            if error not in errors:
                errors.append(error)
    return errors


class FormRenderer(DjangoTemplates):
    """Django's renderer, without the ``maxlength`` attribute on any input.

    A browser stops typing at ``maxlength`` without a word, so "JSMITH" went in as "JSMI"
    and was saved with a success message. The server checks every length and says the
    limit in the field's error instead (GOV.UK: never use maxlength).
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget and "maxlength" in widget.get("attrs", {}):
            widget["attrs"] = {k: v for k, v in widget["attrs"].items() if k != "maxlength"}
        return super().render(template_name, context, request=request)
