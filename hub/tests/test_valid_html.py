"""Issue 14: valid HTML (htmx's attributes as data-hx-*, which the Nu HTML Checker accepts)
and a favicon at the address every browser asks for."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from par.models import UnitSelection
from testsupport import nu

# An htmx attribute without the data- prefix: invalid HTML to the Nu checker.
BARE_HX = re.compile(r"(?<![-\w])hx-[a-z]+(?:-[a-z]+)*\s*=", re.IGNORECASE)


def test_no_template_script_or_python_markup_uses_bare_hx_attributes():
    roots = [settings.BASE_DIR / "templates", settings.BASE_DIR / "static"]
    files = [p for root in roots for p in root.rglob("*") if p.suffix in (".html", ".js")]
    files += [Path(settings.BASE_DIR / "par" / "rows.py")]
    offences = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in files
        if "vendor" not in path.parts
        for match in BARE_HX.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offences, offences


def test_pages_carry_data_hx_attributes_only(member_client, world):
    unit = world.qualification.units.order_by("code").first()
    registration = world.learner.registrations.get(qualification=world.qualification)
    UnitSelection.objects.create(registration=registration, unit=unit, selected_by=world.admin)
    page = member_client.get(
        reverse("par:individual"), {"mode": "name", "q": world.learner.last_name}
    ).content.decode()
    assert "data-hx-post=" in page  # the Remove button still works through htmx
    assert "data-hx-headers=" in page  # the CSRF header htmx sends
    assert not BARE_HX.search(page)
    bulk = member_client.get(reverse("par:bulk")).content.decode()
    assert "data-hx-get=" in bulk and not BARE_HX.search(bulk)


def test_favicon_ico_answers_200_to_anyone():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_the_icon(client):
    page = client.get(reverse("login")).content.decode()
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert "/favicon.ico" in links
    svg = next(link for link in links if link.endswith(".svg"))
    response = client.get(svg)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_the_nu_checker_finds_errors_and_passes_valid_pages():
    reason = nu.missing_reason()
    if reason:
        pytest.skip(reason)
    valid = (
        '<!doctype html><html lang="en"><head><title>t</title></head><body><p>ok</p></body></html>'
    )
    errors = nu.check({"valid": valid, "bare hx": valid.replace("<p>", '<p hx-get="/x">')})
    assert list(errors) == ["bare hx"]
    assert "hx-get" in errors["bare hx"][0]


def test_pages_reached_by_search_forms_are_valid_html(member_client, world):
    """The crawl follows links; these states come from forms (search, list), so they are
    checked here: PAR results by name and by qualification, Bulk's learner list."""
    reason = nu.missing_reason()
    if reason:
        pytest.skip(reason)
    unit, other_unit = world.qualification.units.order_by("code")[:2]
    registration = world.learner.registrations.get(qualification=world.qualification)
    UnitSelection.objects.create(registration=registration, unit=unit, selected_by=world.admin)
    pages = {
        "PAR by name": (reverse("par:individual"), {"mode": "name", "q": world.learner.last_name}),
        "PAR by qualification": (
            reverse("par:individual"),
            {"mode": "qualification", "qualification": world.qualification.pk},
        ),
        "PAR no match": (reverse("par:individual"), {"mode": "name", "q": "Nobody"}),
        "Bulk list": (
            reverse("par:bulk"),
            {"qualification": world.qualification.pk, "units": [other_unit.pk], "list": "1"},
        ),
        "Learners search": (reverse("centres:learner-list"), {"q": world.learner.last_name}),
    }
    sources = {}
    for label, (url, params) in pages.items():
        response = member_client.get(url, params)
        assert response.status_code == 200, label
        sources[label] = response.content.decode()
    for label in ("PAR by name", "PAR by qualification", "Bulk list", "Learners search"):
        assert world.learner.membership_number in sources[label], label  # results shown
    assert nu.check(sources) == {}
