"""The access matrix: every URL of the project, requested by every persona.

Each app lists its URLs in ``<app>/tests/access_cases.py`` with ``register(...)``; the test in
``hub/tests/test_access_matrix.py`` requests each with each persona and fails on any URL name
that no app registered. Expectations are HTTP status codes: 200 shown, 302 redirected (to the
login page for anonymous users, or onward after a POST), 403 not granted, 404 not yours
(R-ACC-2), 405 wrong method.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from centres.models import Section

PERSONAS = (
    "anon",
    "director",
    "admin",
    "tutor",
    "quality",
    "outsider",
    "moderator",
    "assessor",
    "data",
    "staff",
)
CENTRE_MEMBERS = ("director", "admin", "tutor", "quality")
BODY_USERS = ("moderator", "assessor", "data", "staff")

# What each member persona of the test world is granted (conftest.make_world).
GRANTS = {
    "director": set(Section),
    "admin": {Section.PAR, Section.MODERATION, Section.CLAIMS, Section.LEARNERS},
    "tutor": {Section.PAR},
    "quality": {Section.PAR, Section.MODERATION, Section.CLAIMS, Section.LEARNERS},
    "outsider": set(Section),
}


@dataclass
class Case:
    url_name: str
    expect: dict[str, int]
    kwargs: Callable = field(default=lambda world: {})
    method: str = "get"
    data: Callable = field(default=lambda world: {})
    label: str = ""
    anon_to_login: bool = True

    @property
    def id(self) -> str:
        return f"{self.url_name}{'[' + self.label + ']' if self.label else ''}"


REGISTRY: list[Case] = []


def register(
    url_name: str,
    *,
    expect: dict[str, int],
    kwargs=None,
    method="get",
    data=None,
    label="",
    anon_to_login=True,
):
    missing = set(PERSONAS) - set(expect)
    if missing:
        raise ValueError(f"{url_name}: no expectation for {sorted(missing)}")
    REGISTRY.append(
        Case(
            url_name,
            expect,
            kwargs or (lambda w: {}),
            method,
            data or (lambda w: {}),
            label,
            anon_to_login,
        )
    )


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


def logged_in(status: int, **overrides: int) -> dict[str, int]:
    """A page for any logged-in user; anonymous users are sent to log in."""
    return everyone(status, anon=302, **overrides)


def section_page(section: Section, ok: int = 200, *, scoped: bool = False, **overrides: int):
    """A centre page needing ``section``.

    ``scoped`` pages show one object of our centre: the outsider, fully granted at their own
    centre, must get 404 for it, never its data.
    """
    expect = {"anon": 302}
    for persona in CENTRE_MEMBERS + ("outsider",):
        expect[persona] = ok if section in GRANTS[persona] else 403
    if scoped:
        expect["outsider"] = 404
    for persona in BODY_USERS:
        expect[persona] = 403
    expect.update(overrides)
    return expect


def body_page(*personas: str, ok: int = 200, **overrides: int) -> dict[str, int]:
    """A page only for the named awarding-body personas."""
    expect = everyone(403, anon=302)
    for persona in personas:
        expect[persona] = ok
    expect.update(overrides)
    return expect


def load_all_cases() -> list[Case]:
    if not REGISTRY:
        from django.apps import apps

        for config in apps.get_app_configs():
            try:
                importlib.import_module(f"{config.name}.tests.access_cases")
            except ModuleNotFoundError as exc:
                if (
                    exc.name != f"{config.name}.tests.access_cases"
                    and exc.name != f"{config.name}.tests"
                ):
                    raise
    return REGISTRY
