"""Issue 14: the header links the sections the user has, with the current one marked; the
claim candidate and unit pages' breadcrumbs link back."""

import copy
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.tests.conftest import make_claim_world, start_claim


def header_links(response) -> list[tuple[str, str, str]]:
    """The header's section links as (title, href, aria-current or "")."""
    html = response.content.decode()
    header = re.search(r"<header>(.*?)</header>", html, re.S).group(1)
    links = re.findall(
        r'<a class="nav-link[^"]*" href="([^"]+)"(?: aria-current="(\w+)")?>([^<]+)</a>', header
    )
    return [(title, href, current) for href, current, title in links]


def test_a_tutor_sees_only_par_and_it_is_marked_on_its_pages(client, world):
    client.force_login(world.tutor)
    links = header_links(client.get(reverse("par:index")))
    assert links == [("ADD Optional Units (Formerly PAR)", reverse("par:index"), "page")]
    links = header_links(client.get(reverse("par:individual")))
    assert links == [("ADD Optional Units (Formerly PAR)", reverse("par:index"), "true")]


def test_the_administrator_sees_their_granted_sections_current_one_marked(member_client):
    links = header_links(member_client.get(reverse("moderation:batch-add")))
    titles = [title for title, _, _ in links]
    assert titles == [
        "ADD Optional Units (Formerly PAR)",
        "Moderation",
        "Claims",
        "Learners",
    ]
    assert [current for _, _, current in links] == ["", "true", "", ""]
    # The home page's tiles are these links, with descriptions: the header leaves them out.
    assert header_links(member_client.get("/")) == []


def test_body_staff_see_their_pages(client, world):
    client.force_login(world.moderator)
    links = header_links(client.get(reverse("moderation:queue")))
    assert links == [
        ("Moderation queue", reverse("moderation:queue"), "page"),
        ("Reviews", reverse("reviews:reviewer-list"), ""),
    ]


def test_anonymous_pages_have_no_section_links(client):
    assert header_links(client.get(reverse("login"))) == []


def test_the_header_adds_no_query(member_client, settings):
    """The links come from the membership the request already holds: same queries without."""
    url = reverse("moderation:index")

    def queries() -> int:
        member_client.get(url)  # warm: session renewal and the like
        with CaptureQueriesContext(connection) as captured:
            member_client.get(url)
        return len(captured.captured_queries)

    with_links = queries()
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    processors.remove("hub.context_processors.navigation")
    settings.TEMPLATES = templates
    assert queries() == with_links


def test_candidate_and_unit_pages_breadcrumbs_link_back(member_client, world):
    cw = make_claim_world(world)
    claim = start_claim(cw)
    page = member_client.get(
        reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk])
    ).content.decode()
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page, re.S).group(1)
    assert f'<a href="{reverse("claims:by-candidate", args=[claim.pk])}">By Candidate</a>' in crumbs
    assert f'<a href="{reverse("claims:claim-detail", args=[claim.pk])}">' in crumbs
    assert f'aria-current="page">{cw.full.learner.full_name}</li>' in crumbs
    page = member_client.get(
        reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk])
    ).content.decode()
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page, re.S).group(1)
    assert f'<a href="{reverse("claims:by-unit", args=[claim.pk])}">By Unit</a>' in crumbs
    assert f'aria-current="page">{cw.units[0].code}</li>' in crumbs
