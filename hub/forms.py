"""Form helpers shared by every page: the error summary, and limits that never cut silently.

The GOV.UK Design System's error summary, in Bootstrap: when a form on the page has errors,
the base layout lists each one at the top, linked to its field, and the title starts with
"Error: ". Pages do nothing for it: the forms are found in the template context.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from django import forms
from django.forms.formsets import BaseFormSet
from django.forms.renderers import DjangoTemplates
from django.utils.functional import LazyObject, Promise
from django.utils.safestring import SafeData


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


_WIDGETS = "django/forms/widgets/"
# Django's widget templates that are input.html (or include only it), select.html with
# select_option.html, and textarea.html: formatted in Python below, the same markup.
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "url",
        "number",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "checkbox",
        "color",
    )
)
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"
_TEXTAREA = f"{_WIDGETS}textarea.html"


class _Unusual(Exception):
    """A value the template would print through localisation: let the template do it."""


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: text already safe as it is, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, tuple):
        raise _Unusual
    return escape(str(value))


def _label(value) -> str:
    """``{{ value }}`` for text (a lazy translation included); other types are localised by
    the template, so they are left to it."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        raise _Unusual
    return value if isinstance(value, SafeData) else escape(value)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_label(name)}")
        else:
            out.append(f' {_label(name)}="{_formatted(value)}"')
    return "".join(out)


def _widget_html(template_name: str, widget: dict) -> str | None:
    """The widget's markup as its Django template prints it (stripped, as the renderer
    returns it), or None for a template or a value left to the template language."""
    try:
        if template_name in _INPUTS:
            value = widget["value"]
            shown = f' value="{_formatted(value)}"' if value is not None else ""
            return (
                f'<input type="{_label(widget["type"])}" name="{_label(widget["name"])}"'
                f"{shown}{_attrs(widget['attrs'])}>"
            )
        if template_name == _SELECT:
            out = [f'<select name="{_label(widget["name"])}"{_attrs(widget["attrs"])}>']
            for group_name, group_choices, _ in widget["optgroups"]:
                if group_name:
                    out.append(f'\n  <optgroup label="{_label(group_name)}">')
                for option in group_choices:
                    if option["template_name"] != _OPTION:
                        return None
                    out.append(
                        f'\n  <option value="{_formatted(option["value"])}"'
                        f"{_attrs(option['attrs'])}>{_label(option['label'])}</option>\n"
                    )
                if group_name:
                    out.append("\n  </optgroup>")
            out.append("\n</select>")
            return "".join(out)
        if template_name == _TEXTAREA:
            value = widget["value"]
            text = _label(value) if value else ""
            return (
                f'<textarea name="{_label(widget["name"])}"{_attrs(widget["attrs"])}>\n'
                f"{text}</textarea>"
            )
    except (_Unusual, KeyError):
        return None
    return None


class FormRenderer(DjangoTemplates):
    """Django's renderer, without the ``maxlength`` attribute on any input.

    A browser stops typing at ``maxlength`` without a word, so "JSMITH" went in as "JSMI"
    and was saved with a success message. The server checks every length and says the
    limit in the field's error instead (GOV.UK: never use maxlength).

    The commonest widgets (inputs, selects, text areas) are formatted in Python, the same
    markup their Django templates print: through the templates each field cost a few
    template renders and includes (a select one more per option), on every form of every
    page (issue 9). Anything else, or an unusual value, goes through the template.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget and "maxlength" in widget.get("attrs", {}):
            widget["attrs"] = {k: v for k, v in widget["attrs"].items() if k != "maxlength"}
        if widget is not None and request is None:
            html = _widget_html(template_name, widget)
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request=request)
