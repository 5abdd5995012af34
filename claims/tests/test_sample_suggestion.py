"""R-SMP-2: a suggested sample for the visiting assessor, within a size they set."""

import re

import pytest
from django.urls import reverse

from claims import services
from claims.models import ClaimStatus, Grade

from .conftest import bulk_candidates, start_claim
from .factories import CentreAssessorFactory

P, M, D = Grade.PASS, Grade.MERIT, Grade.DISTINCTION


def url(claim):
    return reverse("claims:assessor-claim", args=[claim.pk])


def ticked(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="sample" value="(\d+)"[^>]*checked', page)]


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def submit(cw, claim):
    return services.claim_submit(
        actor=cw.world.admin, claim=claim, contact_email="exams@northgate.test", declared=True
    )


@pytest.fixture
def varied(cw):
    """13 lines: Merit by Priya Shah everywhere but Baker's unit 2 (Pass, Jo King) and
    Carter's unit 3 (Distinction, Lee Moss)."""
    jk = CentreAssessorFactory(
        centre=cw.centre, qualification=cw.qualification, name="Jo King", initials="JK"
    )
    lm = CentreAssessorFactory(
        centre=cw.centre, qualification=cw.qualification, name="Lee Moss", initials="LM"
    )
    entries = {(r.pk, u.pk): (M, cw.assessor.pk) for r in cw.registrations[:3] for u in cw.units}
    adams, baker, carter, dawson = cw.registrations
    entries[(baker.pk, cw.units[2].pk)] = (P, jk.pk)
    entries[(carter.pk, cw.units[3].pk)] = (D, lm.pk)
    entries[(dawson.pk, cw.units[0].pk)] = (M, cw.assessor.pk)
    claim = start_claim(cw)
    services.claim_save_lines(actor=cw.world.admin, claim=claim, entries=entries)
    claim = submit(cw, claim)
    lines = {(line.registration_id, line.unit_id): line.pk for line in claim.lines.all()}
    return claim, lines


def test_r_smp_2_smallest_cover_every_unit_assessor_and_grade(cw, client, varied):
    claim, lines = varied
    adams, baker, carter, _ = cw.registrations
    client.force_login(cw.world.assessor)
    page = client.get(url(claim)).content.decode()
    # Nothing ticked until asked; the size offered is the smallest that covers everything.
    assert ticked(page) == [] and 'name="size" value="4"' in page
    page = client.get(url(claim), {"size": 4}).content.decode()
    u = cw.units
    assert set(ticked(page)) == {
        lines[(carter.pk, u[3].pk)],  # Distinction, Lee Moss, unit 3
        lines[(baker.pk, u[2].pk)],  # Pass, Jo King, unit 2
        lines[(adams.pk, u[0].pk)],  # Merit, Priya Shah, unit 0
        lines[(adams.pk, u[1].pk)],  # unit 1
    }
    assert (
        "Suggested: 4 candidate-units , which covers all 4 units, all 3 centre assessors and "
        "all 3 grades claimed (Pass, Merit, Distinction)." in text(page)
    )
    assert "Not covered" not in page
    # Deterministic: the same claim and size, the same ticks.
    assert ticked(client.get(url(claim), {"size": 4}).content.decode()) == ticked(page)


def test_r_smp_2_within_the_size_says_what_is_left_out(cw, client, varied):
    claim, lines = varied
    client.force_login(cw.world.assessor)
    page = text(client.get(url(claim), {"size": 2}).content.decode())
    assert (
        "Suggested: 2 candidate-units , which covers 2 of the 4 units, 2 of the 3 centre "
        "assessors and 2 of the 3 grades claimed" in page
    )
    # Adams's unit 0 and Baker's unit 2 cover three things each and come first on the page.
    code1, code3 = cw.units[1].code, cw.units[3].code
    assert (
        f"Not covered within 2: unit {code1}, unit {code3}, centre assessor Lee Moss (LM), "
        "grade Distinction. Covering everything takes 4." in page
    )


def test_r_smp_2_larger_size_spreads_and_the_assessor_edits_then_saves(cw, client, varied):
    claim, lines = varied
    client.force_login(cw.world.assessor)
    page = client.get(url(claim), {"size": 7}).content.decode()
    chosen = ticked(page)
    assert len(chosen) == 7
    assert "covers all 4 units, all 3 centre assessors and all 3 grades" in text(page)
    # Work from every candidate, Dawson's one unit included.
    candidates = set(claim.lines.filter(pk__in=chosen).values_list("registration_id", flat=True))
    assert candidates == {r.pk for r in cw.registrations}
    # The ticks are the assessor's to change: untick one, save.
    kept = chosen[1:]
    client.post(reverse("claims:assessor-sample", args=[claim.pk]), {"sample": kept})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED
    assert set(claim.lines.filter(sampled=True).values_list("pk", flat=True)) == set(kept)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("0", "Enter a sample size of at least 1."),
        ("ten", "Enter the sample size as a whole number, like 10."),
        ("14", "Enter a sample size of at most 13"),
        ("", "Enter how many candidate-units to suggest."),
    ],
)
def test_r_smp_2_size_refused_in_words(cw, client, varied, size, message):
    claim, _ = varied
    client.force_login(cw.world.assessor)
    response = client.get(url(claim), {"size": size})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page and message in page
    assert ticked(page) == []


def test_r_smp_2_not_offered_once_sampled(cw, client, varied):
    claim, lines = varied
    services.claim_select_sample(
        actor=cw.world.assessor, claim=claim, line_ids=list(lines.values())[:1]
    )
    client.force_login(cw.world.assessor)
    page = client.get(url(claim), {"size": 3}).content.decode()
    assert 'data-testid="suggest-sample"' not in page and "Suggested:" not in page


def test_r_smp_2_queries_flat_with_and_without_a_suggestion_at_two_sizes(
    cw, client, django_assert_max_num_queries
):
    measured = []
    for extra in (3, 150):
        regs = bulk_candidates(cw, extra, prefix=extra)
        claim = start_claim(cw)
        services.claim_save_lines(
            actor=cw.world.admin,
            claim=claim,
            entries={
                (r.pk, u.pk): ((P, M, D)[(n + k) % 3], cw.assessor.pk)
                for n, r in enumerate(regs)
                for k, u in enumerate(cw.units)
            },
        )
        claim = submit(cw, claim)
        client.force_login(cw.world.assessor)
        for params in ({}, {"size": min(30, extra * 4)}):
            with django_assert_max_num_queries(20) as queries:
                page = client.get(url(claim), params).content.decode()
            assert len(ticked(page)) == (min(30, extra * 4) if params else 0)
            measured.append(len(queries))
    assert measured[0] == measured[1] == measured[2] == measured[3]
