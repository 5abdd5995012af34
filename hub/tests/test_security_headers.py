"""A strict Content-Security-Policy on every page, and templates that can live under it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)

# Each pattern is something the CSP would block in the browser: inline script or style,
# event-handler attributes, htmx's inline handlers and javascript: URLs.
FORBIDDEN = {
    "inline <script> (give it a src= in static/)": re.compile(
        r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE
    ),
    "<style> element (use a static CSS file)": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute (use a class)": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on...= event handler (use addEventListener in static JS)": re.compile(
        r"\son[a-z]+\s*=", re.IGNORECASE
    ),
    "hx-on handler (use static JS)": re.compile(r"\s(?:data-)?hx-on\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture(params=["login page", "home page", "not found page"])
def response(request, client, world):
    if request.param == "login page":
        return client.get(reverse("login"))
    client.force_login(world.admin)
    if request.param == "home page":
        return client.get(reverse("home"))
    return client.get("/no-such-page/")


def test_scripts_come_only_from_the_hub(response):
    policy = directives(response)

    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


def test_no_inline_script_or_style_is_allowed(response):
    header = response["Content-Security-Policy"]

    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "'self'" in directives(response)["style-src"]


def test_no_one_may_frame_the_hub(response):
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


def test_browsers_do_not_guess_types_or_leak_referrers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    # Emails are read in mail clients, not under the hub's CSP, and those clients keep only
    # inline styles: the templates in an email/ folder are not pages.
    files = sorted(
        {
            path
            for folder in folders
            for path in folder.rglob("*.html")
            if "email" not in path.relative_to(folder).parts
        }
    )
    assert files, "no templates found: the scan below would prove nothing"
    return files


def test_templates_have_no_inline_script_style_or_handlers():
    """The CSP blocks these in the browser; catch them before anyone opens the page."""
    offences = []
    for path in template_files():
        # Whole files, not lines: an attribute may sit at the start of a wrapped tag's line.
        text = path.read_text()
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                number = text.count("\n", 0, match.start()) + 1
                where = f"{path.relative_to(ROOT)}:{number}"
                offences.append(f"{where}: {what}: {match.group(0).strip()}")
    assert not offences, "Templates the CSP would break:\n" + "\n".join(offences)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<SCRIPT type='module'>x()</SCRIPT>",
        "<style>p{}</style>",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<form hx-on::after-request="x()">',
        '<a href="javascript:void(0)">',
    ],
)
def test_the_scan_recognises_each_forbidden_form(snippet):
    assert any(pattern.search(snippet) for pattern in FORBIDDEN.values())


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/hub/hub.js" defer></script>',
        '<script defer src="/static/par/par.js"></script>',
        '<a href="/" class="stretched-link">Online submissions</a>',
        '<div data-autosubmit hx-post="/x/">',
    ],
)
def test_the_scan_lets_allowed_markup_through(snippet):
    assert not any(pattern.search(snippet) for pattern in FORBIDDEN.values())
