"""Issue 14: messages that say what to do. No form the hub shows answers a person with
Django's generic "This field is required." or "Ensure this value has at most ..."; each
says what to enter, or the limit in words (GOV.UK's error messages)."""

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse

# Django's "This field is required."; a length over max_length gets the validator's generic
# "Ensure this value has at most ..." unless the field names its own "max_length" message.
GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])


def hub_forms() -> list[type[forms.BaseForm]]:
    """Every form class our apps define (Django admin's own pages are not ours)."""
    found = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        for module_name in ("forms", "views", "views_staff", "views_assessor"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, forms.BaseForm)
                    and cls.__module__.startswith(f"{config.name}.")
                    and cls not in found
                ):
                    found.append(cls)
    return found


def generic_messages(cls: type[forms.BaseForm]) -> list[str]:
    problems = []
    for name, field in cls.base_fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue  # nothing for a person to correct: the page's own links set these
        if field.required and str(field.error_messages.get("required")) == GENERIC_REQUIRED:
            problems.append(f"{cls.__module__}.{cls.__name__}.{name}: required")
        if getattr(field, "max_length", None) and "max_length" not in field.error_messages:
            problems.append(f"{cls.__module__}.{cls.__name__}.{name}: max_length")
    return problems


def test_every_form_says_what_to_do_not_a_generic_message():
    classes = hub_forms()
    assert len(classes) > 20  # the walk found the apps' forms
    problems = [problem for cls in classes for problem in generic_messages(cls)]
    assert problems == []


@pytest.mark.parametrize(
    "url_name, data, expected",
    [
        (
            "login",
            {"username": "", "password": ""},
            ["Enter your email address", "Enter your password"],
        ),
        ("password_reset", {"email": ""}, ["Enter your email address"]),
        ("certificates:verify", {"number": "", "code": ""}, ["Enter the certificate number"]),
    ],
)
def test_public_forms_sent_empty_say_what_to_enter(client, url_name, data, expected):
    page = client.post(reverse(url_name), data).content.decode()
    assert "This field is required" not in page
    for message in expected:
        assert message in page
