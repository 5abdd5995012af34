"""Issue 14 "Done when": every page of every demo persona is valid HTML (the Nu HTML Checker
reports 0 errors) and axe finds nothing serious or critical on it.

The crawl loads the demo as `make run` does (seed_demo), logs in as each demo login and as no one, starts at the
page they land on, and follows every same-origin link, GET only, as the person would click
them. It stays bounded: one URL per URL pattern and set of query keys per persona (a second
batch page adds little but time), no downloads (files, CSV, ZIP, PDF), no logout.
"""

from __future__ import annotations

from collections import deque
from io import StringIO
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from centres.demo import DEMO_PASSWORD, DEMO_USERS
from centres.models import User
from testsupport import nu
from testsupport.browser import login
from testsupport.phone import PHONE, sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Views that answer a file rather than a page: never opened by the crawl.
DOWNLOADS = {
    "centres:learner-import-template",
    "certificates:download",
    "certificates:print-run-download",
    "claims:history-export",
    "claims:claim-export",
    "moderation:document-download",
    "moderation:review-download",
    "moderation:review-zip",
    "reviews:evidence",
    "reviews:reviewer-evidence",
}
# Not pages: health checks, the keep-alive ping, the icon; logging out ends the crawl.
NOT_PAGES = {"healthz", "readyz", "favicon", "session-keepalive", "logout"}
# Opening a notice marks it read and may switch the user's centre before redirecting to the
# batch or claim it is about: links queued from the other centre would then 404. Those pages
# are reached through the sections anyway.
SIDE_EFFECTS = {"notices:open"}
# Django's own admin is Django's markup and has its own tests (as in the access matrix).
SKIPPED_NAMESPACES = {"admin"}
# A bound so that a runaway listing cannot make the crawl take an hour.
MAX_PAGES_PER_PERSONA = 60
BLOCKING = ("critical", "serious")
DESKTOP = {"width": 1280, "height": 800}


def pattern_key(url: str) -> tuple | None:
    """The URL pattern and query keys a link is an instance of; None when not to follow."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.namespace in SKIPPED_NAMESPACES:
        return None
    if match.view_name in DOWNLOADS | SIDE_EFFECTS or match.url_name in NOT_PAGES:
        return None
    keys = tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return (match.view_name, keys)


def crawl(page, live_server, persona: str, pages: dict, findings: dict) -> int:
    """Visit every page reachable from where ``persona`` lands; return how many."""
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    if persona == "anon":
        start = f"{live_server.url}/accounts/login/"
    else:
        login(page, live_server, User.objects.get(email=persona), DEMO_PASSWORD)
        start = f"{live_server.url}/"
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    queue = deque([start])
    seen_keys: set[tuple] = set()
    visited = 0
    origin = urlsplit(live_server.url).netloc
    while queue and visited < MAX_PAGES_PER_PERSONA:
        url = queue.popleft()
        key = pattern_key(url)
        if key is None or key in seen_keys:
            continue
        seen_keys.add(key)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        if response is None or not response.ok:
            findings.setdefault(f"{persona} {url}", []).append(
                f"answered {response.status if response else 'nothing'} to a link on the page"
            )
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        landed = page.url
        label = f"{persona} {urlsplit(landed).path}" + (
            f"?{urlsplit(landed).query}" if urlsplit(landed).query else ""
        )
        visited += 1
        pages[label] = response.text()
        for violation in axe.run(page).response["violations"]:
            if violation.get("impact") in BLOCKING:
                targets = "; ".join(
                    ", ".join(map(str, node["target"])) for node in violation["nodes"][:3]
                )
                findings.setdefault(label, []).append(
                    f"axe {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"at {targets}"
                )
        # Phones: the page never scrolls sideways at 390 px (tables scroll in their wrapper).
        page.set_viewport_size(PHONE)
        overflow = sideways(page)
        page.set_viewport_size(DESKTOP)
        if overflow:
            findings.setdefault(label, []).append(f"390 px: {overflow}")
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)"
        ):
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https") or parts.netloc != origin:
                continue
            queue.append(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))
    return visited


def test_every_page_of_every_persona_is_valid_html_and_passes_axe(page, live_server):
    call_command("seed_demo", stdout=StringIO())  # the demo exactly as `make run` loads it
    personas = ["anon"] + [email for email, *_ in DEMO_USERS]
    pages: dict[str, str] = {}
    findings: dict[str, list[str]] = {}
    counts = {persona: crawl(page, live_server, persona, pages, findings) for persona in personas}
    print(f"Crawled {len(pages)} pages: {counts}")
    # Every persona reached more than the page they land on.
    assert all(count > 1 for count in counts.values()), counts

    reason = nu.missing_reason()
    if reason is None:
        for label, errors in nu.check(pages).items():
            findings.setdefault(label, []).extend(f"Nu: {error}" for error in errors)
    if findings:
        lines = [f"{len(findings)} of {len(pages)} pages have problems:"]
        for label, problems in sorted(findings.items()):
            lines.append(f"- {label}")
            lines.extend(f"    {problem}" for problem in problems[:8])
            if len(problems) > 8:
                lines.append(f"    ... and {len(problems) - 8} more")
        pytest.fail("\n".join(lines), pytrace=False)
    if reason is not None:
        pytest.skip(f"axe passed on {len(pages)} pages; HTML not validated: {reason}")
