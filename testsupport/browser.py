"""Browser-test fixtures shared by every app: Playwright on Debian's Chromium.

Registered as a pytest plugin by the root conftest.py, so any ``<app>/tests/browser/``
test can ask for ``page`` and ``live_server`` and use ``login`` and ``assert_accessible``.
The browser is Debian's /usr/bin/chromium, never one downloaded by Playwright: the suite
must run offline on a plain Debian host.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told the code is synchronous anyway, which it is here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a cold live server, short enough that a missing element fails quickly.
DEFAULT_TIMEOUT_MS = 10_000
# axe-core impacts, worst first. Every violation fails a test, whatever its impact.
IMPACTS = ("critical", "serious", "moderate", "minor")


@pytest.fixture(scope="session")
def playwright() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: "
            "run 'sudo apt-get install chromium' (or 'make browser-deps').",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context (no cookies) per test, pointed at the live server.

    The test fails when the browser blocked anything under the Content-Security-Policy: an
    inline script or style that slipped into a template shows up here, not in production.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(f"{page.url}: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    if csp_errors:
        pytest.fail("The browser blocked content under the CSP:\n" + "\n".join(csp_errors))


def login(page, live_server, user, password: str) -> None:
    """Log ``user`` in through the real login form and wait for the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


SETTLE_ANIMATIONS = """() => Promise.all(
  document.getAnimations()
    .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map((a) => a.finished.catch(() => null))
)"""


def assert_accessible(page, context: str | None = None) -> None:
    """Run axe-core on the page as it stands and fail listing every violation."""
    from axe_playwright_python.sync_playwright import Axe

    # Let finite CSS transitions end first (a button's colours fade for 0.15 s after a
    # hover or a state change): axe would otherwise measure the contrast of a frame between
    # two colours, which is never what stays on screen. Endless animations (a spinner) are
    # not waited for.
    page.evaluate(SETTLE_ANIMATIONS)
    results = Axe().run(page, context=context)
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        rank = {impact: i for i, impact in enumerate(IMPACTS)}
        for violation in sorted(violations, key=lambda v: rank.get(v.get("impact"), 0)):
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
                checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
                lines.extend(f"      {check['message']}" for check in checks[:1])
        pytest.fail("\n".join(lines), pytrace=False)
