"""The form renderer formats common widgets in Python: the same markup as Django's templates."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from hub.forms import FormRenderer

CHOICES = [
    ("", "All qualifications"),
    (1, "05839: Level 3 <Extended> & \"quoted\" 'single'"),
    (2, gettext_lazy("Lazy label")),
    ("Group", [("a", "A"), ("b", mark_safe("<b>B</b>"))]),
]

WIDGETS = [
    (forms.TextInput(attrs={"class": "form-control", "maxlength": 10}), "J&<\"'x"),
    (forms.TextInput(attrs={"autofocus": True, "disabled": False, "data-n": 0}), None),
    (forms.TextInput(), ""),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "a@b.test"),
    (forms.NumberInput(attrs={"min": 0, "step": "any"}), 12),
    (forms.NumberInput(), 1.5),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), mark_safe("<safe>")),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 3, 4)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(attrs={"class": "form-check-input"}), False),
    (forms.CheckboxInput(), "on"),
    (forms.Select(choices=CHOICES, attrs={"class": "form-select"}), "1"),
    (forms.Select(choices=CHOICES), "b"),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=[(1, 1000), (2, datetime.date(2026, 1, 2))]), 1),  # localised
    (forms.SelectMultiple(choices=CHOICES), ["a", "1"]),
    (forms.Textarea(attrs={"rows": 3}), "line one\n<two> & 'three'"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.RadioSelect(choices=CHOICES[:2]), "1"),  # left to its template
    (forms.ClearableFileInput(), None),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_the_same_markup_as_djangos_templates(widget, value):
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
    attrs = {k: v for k, v in widget.attrs.items() if k != "maxlength"}
    widget.attrs = attrs  # Django's renderer prints maxlength; ours never does
    django = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert ours == django


def test_inputs_selects_and_text_areas_skip_the_template_language(monkeypatch):
    def refuse(self, template_name):
        raise AssertionError(f"rendered through {template_name}")

    monkeypatch.setattr(DjangoTemplates, "get_template", refuse)
    renderer = FormRenderer()
    for widget, value in WIDGETS[:15] + WIDGETS[17:20]:
        widget.render("field", value, renderer=renderer)
    with pytest.raises(AssertionError):
        WIDGETS[15][0].render("field", 1, renderer=renderer)  # a number as a label
