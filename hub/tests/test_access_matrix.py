"""R-ACC-1, R-ACC-2: every URL, every persona, the designed answer."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hub.tests.matrix import PERSONAS, load_all_cases

# Django's admin has its own permission system and its own tests.
UNCHECKED_NAMESPACES = {"admin"}

CASES = load_all_cases()


def project_url_names(resolver=None, prefix="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace in UNCHECKED_NAMESPACES:
                continue
            names |= project_url_names(pattern, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_url_is_in_the_matrix():
    registered = {case.url_name for case in CASES}
    missing = project_url_names() - registered
    assert not missing, f"URLs with no access-matrix case: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_access(client, world, case, persona):
    if persona != "anon":
        client.force_login(getattr(world, persona))
    url = reverse(case.url_name, kwargs=case.kwargs(world))
    response = getattr(client, case.method)(url, case.data(world))
    expected = case.expect[persona]
    assert response.status_code == expected, (
        f"{case.method.upper()} {url} as {persona}: {response.status_code}, expected {expected}"
    )
    if expected == 302 and persona == "anon" and case.anon_to_login:
        assert response["Location"].startswith(reverse("login"))
