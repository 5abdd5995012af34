"""Issue 14: maximum lengths are enforced with a message, never by silently cutting.

No input is printed with ``maxlength`` (a browser would stop typing without a word: "JSMITH"
went in as "JSMI" with a success message); the server refuses and says the limit."""

import re

import pytest
from django.urls import reverse

from certificates.tests.factories import built_print_run
from claims.models import CentreAssessor
from claims.tests.conftest import make_claim_world
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch


def test_initials_over_four_characters_are_refused_with_the_limit(member_client, world):
    cw = make_claim_world(world)
    url = reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    page = member_client.get(url).content.decode()
    assert "maxlength" not in page
    response = member_client.post(url, {"name": "John Smith", "initials": "JSMITH"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Initials must be 4 characters or fewer" in page
    assert '<a href="#id_initials"' in page  # in the error summary too
    assert 'value="JSMITH"' in page  # kept as typed, to correct
    assert not CentreAssessor.objects.filter(name="John Smith").exists()
    assert not CentreAssessor.objects.filter(initials="JSMI").exists()


def test_editing_initials_to_more_than_four_characters_changes_nothing(member_client, world):
    cw = make_claim_world(world)
    url = reverse("claims:centre-assessor-edit", args=[cw.assessor.pk])
    response = member_client.post(
        url, {"name": "Priya Shah", "initials": "PSHAH", "is_active": "on"}
    )
    assert "Initials must be 4 characters or fewer" in response.content.decode()
    cw.assessor.refresh_from_db()
    assert cw.assessor.initials == "PS"


def test_initials_that_fit_but_are_not_letters_or_digits_say_so(member_client, world):
    cw = make_claim_world(world)
    url = reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    response = member_client.post(url, {"name": "Jo Smith", "initials": "J.S"})
    page = response.content.decode()
    assert "Use up to 4 letters or digits" in page
    assert "4 characters or fewer" not in page


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("centres:staff-invite", ()),
        ("par:individual", ()),
        ("claims:index", ()),
        ("centres:learner-list", ()),
    ],
)
def test_pages_print_no_maxlength(client, world, url_name, args):
    client.force_login(world.director)
    response = client.get(reverse(url_name, args=args), {"mode": "name"})
    assert response.status_code == 200
    assert "maxlength" not in response.content.decode()


def test_batch_pages_print_no_maxlength_and_search_is_used_as_typed(member_client, world):
    batch = make_batch(world)
    deletion = make_batch(world, BatchStatus.WITH_MODERATOR)
    long_query = "a" * 101 + world.learner.last_name
    page = member_client.get(
        reverse("moderation:batch-units", args=[batch.pk]), {"q": long_query}
    ).content.decode()
    assert "maxlength" not in page
    # The search box shows the whole search, not its first 100 characters.
    assert re.search(rf'name="q" id="id_q" value="{long_query}"', page)
    page = member_client.get(
        reverse("moderation:batch-request-deletion", args=[deletion.pk])
    ).content.decode()
    assert "maxlength" not in page
    response = member_client.post(
        reverse("moderation:batch-request-deletion", args=[deletion.pk]), {"reason": "x" * 2001}
    )
    assert "The reason must be 2,000 characters or fewer" in response.content.decode()


def test_a_carrier_over_100_characters_is_refused_with_the_limit(client, world):
    run = built_print_run(world)
    client.force_login(world.staff)
    assert "maxlength" not in client.get(reverse("certificates:print-queue")).content.decode()
    response = client.post(
        reverse("certificates:print-run-post", args=[run.pk]),
        {"carrier": "R" * 101, "tracking_reference": "PF1"},
        follow=True,
    )
    assert "The carrier must be 100 characters or fewer" in response.content.decode()
    run.refresh_from_db()
    assert run.posted_at is None
