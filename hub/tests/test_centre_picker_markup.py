"""{% centre_picker %} prints the form hub/_centre_picker.html printed with a loop."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

# The form as the include printed it before (hub/_centre_picker.html).
BEFORE = Template(
    """<form method="post" action="{% url 'centres:switch' %}" class="centre-picker d-flex flex-wrap align-items-center gap-2{% if not in_header %} mb-3{% endif %}" data-busy>
  {% csrf_token %}
  <input type="hidden" name="next" value="{{ request.get_full_path }}">
  <label for="{{ picker_id }}" class="mb-0{% if in_header %} text-white small{% else %} fw-semibold{% endif %}">{{ label }}</label>
  <select id="{{ picker_id }}" name="centre" class="form-select w-auto{% if in_header %} form-select-sm{% endif %}">
    {% for m in available_memberships %}
    <option value="{{ m.centre_id }}"{% if m.centre_id == current_centre.pk %} selected{% endif %}>{{ m.centre.number }} {{ m.centre.name }}</option>
    {% endfor %}
  </select>
  <button type="submit" class="btn{% if in_header %} btn-sm btn-light{% else %} btn-outline-primary{% endif %}" data-busy-label="Switching…">{{ button|default:"Switch" }}</button>
</form>
"""
)


def memberships():
    return [
        SimpleNamespace(centre_id=1, centre=SimpleNamespace(number="10001", name="Northgate")),
        SimpleNamespace(
            centre_id=2, centre=SimpleNamespace(number="10003", name='East & "Co" <x>')
        ),
    ]


@pytest.mark.parametrize(
    "passed",
    [
        {"label": "Available Centres", "picker_id": "centre-switcher", "in_header": True},
        {"label": "Please Select Centre", "picker_id": "centre-switcher", "button": "Select"},
    ],
)
@pytest.mark.parametrize("current", [1, 2, None])
def test_the_same_form_as_the_template_printed(passed, current):
    request = RequestFactory().get("/moderation/", {"q": "a&b"})
    context = {
        "request": request,
        "csrf_token": "tok<en>",
        "available_memberships": memberships(),
        "current_centre": SimpleNamespace(pk=current) if current else None,
        **passed,
    }
    ours = get_template("hub/_centre_picker.html").render(context).strip()
    assert ours == BEFORE.render(Context(context)).strip()
    assert "selected" in ours or current is None
