"""R-NEW-2, R-NEW-6: "Check your answers" before "Submit to assessor", and the
reconciliation that blocks it, in the page and in the service; R-CLM-8 removing a line."""

import datetime

import pytest
from django.urls import reverse

from centres.models import AuditEvent, Registration
from claims import services
from claims.models import Claim, ClaimLine, ClaimStatus, Grade
from moderation.tests.factories import make_batch
from par.models import UnitSelection
from testsupport import nu

from .conftest import bulk_candidates, claim_with_lines, start_claim
from .factories import ClaimFactory, ClaimLineFactory


def check_url(claim):
    return reverse("claims:claim-check", args=[claim.pk])


def remove_url(claim, line):
    return reverse("claims:line-remove", args=[claim.pk, line.pk])


def submit(client, claim):
    return client.post(
        reverse("claims:claim-submit", args=[claim.pk]),
        {"contact_email": "exams@northgate.test", "declaration": "on", "confirmed": "yes"},
    )


def test_r_new_6_every_line_with_a_change_link(cw, member_client):
    claim = claim_with_lines(cw)
    page = member_client.get(check_url(claim)).content.decode()
    assert "Check your answers before you submit the claim" in page
    for line in claim.lines.select_related("registration__learner", "unit", "assessor"):
        learner = line.registration.learner
        edit = reverse("claims:candidate-edit", args=[claim.pk, line.registration_id])
        assert f'href="{edit}?from=check"' in page
        assert f'href="{remove_url(claim, line)}"' in page
        assert f'data-line="{learner.membership_number} {line.unit.code}"' in page
        assert f"{learner.last_name}, {learner.first_name}" in page
    assert "Merit" in page and "Priya Shah (PS)" in page
    assert "Unit grades on the claim (4)" in page
    assert "to fix before you can submit" not in page
    assert "Submit to assessor</button>" in page


def test_r_new_2_candidate_no_longer_current_blocks_with_what_to_do(cw, member_client):
    claim = claim_with_lines(cw)
    Registration.objects.filter(pk=cw.full.pk).update(is_current=False)
    page = member_client.get(check_url(claim)).content.decode()
    assert "1 unit grade to fix before you can submit" in page
    assert "The candidate is no longer current on this qualification." in page
    assert "ask your Customer Data Administrator" in page
    line = claim.lines.get(registration=cw.full)
    p_number = cw.full.learner.membership_number
    assert f"Remove {p_number} {cw.units[0].code} from the claim</a>" in page
    # No grade page for a candidate no longer current: only Remove.
    assert reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]) not in page
    assert f'href="{remove_url(claim, line)}"' in page
    assert "Submit to assessor</button>" not in page
    assert "The claim cannot be submitted yet" in page
    # A POST without the page is refused by the service, with the same reason.
    response = submit(member_client, claim)
    assert "no longer current" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSUBMITTED


@pytest.mark.parametrize("mismatch", ["not_current", "not_entered", "passed", "claimed", "late"])
def test_r_new_2_service_refuses_each_mismatch(cw, mismatch):
    claim = claim_with_lines(cw)
    registration = cw.unit_entry if mismatch == "not_entered" else cw.full
    unit = cw.units[0]
    if mismatch == "not_current":
        Registration.objects.filter(pk=registration.pk).update(is_current=False)
    elif mismatch == "not_entered":
        registration.entered_units.remove(unit)
    elif mismatch == "passed":
        UnitSelection.objects.create(registration=registration, unit=unit, result="pass")
    elif mismatch == "claimed":
        # A live claim elsewhere (the awarding body's data can hold one; the UI refuses it).
        other = ClaimFactory(
            centre=cw.centre, qualification=cw.qualification, status=ClaimStatus.SUBMITTED
        )
        ClaimLineFactory(claim=other, registration=registration, unit=unit, assessor=cw.assessor)
    else:
        # R-CLM-12: the visit in 3 weeks, so entries were due a week ago; submission is not.
        Claim.objects.filter(pk=claim.pk).update(
            visit_date=datetime.date.today() + datetime.timedelta(weeks=3)
        )
        Registration.objects.exclude(pk=registration.pk).update(
            registered_on=datetime.date.today() - datetime.timedelta(weeks=8)
        )
        claim.refresh_from_db()
    with pytest.raises(services.NotReconciled) as refused:
        services.claim_submit(
            actor=cw.world.admin, claim=claim, contact_email="a@b.test", declared=True
        )
    counts = {m.key: n for m, n in refused.value.reconciliation.counts}
    assert counts[mismatch] == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSUBMITTED


def test_r_new_2_unit_on_a_moderation_batch_is_claimed_elsewhere(cw):
    claim = claim_with_lines(cw)
    selection = UnitSelection.objects.create(registration=cw.full, unit=cw.units[0])
    make_batch(
        cw.world,
        "centre_completing",
        selections=[selection],
        qualification=cw.qualification,
    )
    reconciliation = services.claim_reconciliation(claim)
    assert [(m.key, n) for m, n in reconciliation.counts] == [("claimed", 1)]
    assert reconciliation.examples[0]["p_number"] == cw.full.learner.membership_number


def test_r_clm_8_remove_a_line_then_submitted(cw, member_client):
    claim = claim_with_lines(cw)
    Registration.objects.filter(pk=cw.full.pk).update(is_current=False)
    line = claim.lines.get(registration=cw.full)
    page = member_client.get(remove_url(claim, line)).content.decode()
    assert "no longer current" in page and "Remove from claim</button>" in page
    response = member_client.post(remove_url(claim, line))
    assert response["Location"] == check_url(claim)
    assert not ClaimLine.objects.filter(pk=line.pk).exists()
    assert AuditEvent.objects.filter(action="claims.remove_line").count() == 1
    page = member_client.get(check_url(claim)).content.decode()
    assert "Unit grades on the claim (3)" in page
    assert "Submit to assessor</button>" in page
    submit(member_client, claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_remove_refused_once_submitted_and_outsider_404(cw, client):
    claim = claim_with_lines(cw)
    line = claim.lines.first()
    client.force_login(cw.world.outsider)
    assert client.get(remove_url(claim, line)).status_code == 404
    assert client.post(remove_url(claim, line)).status_code == 404
    services.claim_submit(
        actor=cw.world.admin, claim=claim, contact_email="a@b.test", declared=True
    )
    client.force_login(cw.world.admin)
    response = client.post(remove_url(claim, line))
    assert response["Location"] == reverse("claims:claim-detail", args=[claim.pk])
    assert ClaimLine.objects.filter(pk=line.pk).exists()
    with pytest.raises(services.ClaimError):
        services.claim_remove_line(actor=cw.world.admin, claim=claim, line_id=line.pk)


def test_claim_detail_has_a_visible_heading(cw, member_client):
    claim = start_claim(cw)
    page = member_client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert '<h1 class="h3">Unsubmitted claim for 05839</h1>' in page
    assert 'visually-hidden">Claim</h1>' not in page


def test_check_page_queries_flat_at_4_and_600_lines(
    cw, member_client, django_assert_max_num_queries, settings
):
    """A 600-line claim costs the queries and page size of a 4-line one, problems and all."""
    measured = []
    for size in (4, 600):
        Claim.objects.all().delete()
        claim = start_claim(cw)
        registrations = bulk_candidates(cw, size // 2, prefix=size)
        services.claim_save_lines(
            actor=cw.world.admin,
            claim=claim,
            entries={
                (r.pk, unit.pk): (Grade.PASS, cw.assessor.pk)
                for r in registrations
                for unit in cw.units[:2]
            },
        )
        Registration.objects.filter(pk__in=[r.pk for r in registrations[::2]]).update(
            is_current=False
        )
        with django_assert_max_num_queries(20) as queries:
            response = member_client.get(check_url(claim))
        page = response.content.decode()
        assert page.count("data-line=") == min(size, settings.HUB_PAGE_SIZE)
        assert f"Unit grades on the claim ({size})" in page
        assert len(response.content) <= 200_000
        measured.append(len(queries))
    assert measured[0] == measured[1]


def test_check_and_remove_pages_are_valid_html(cw, member_client):
    """Issue 14: the Nu HTML Checker finds no error on either Check your answers page, with
    problems listed, nor on either question page that takes a line off."""
    reason = nu.missing_reason()
    if reason:
        pytest.skip(reason)
    claim = claim_with_lines(cw)
    batch = make_batch(cw.world, "centre_completing", samples=4)
    Registration.objects.filter(learner=cw.world.learner).update(is_current=False)
    Registration.objects.filter(pk=cw.full.pk).update(is_current=False)
    line = claim.lines.get(registration=cw.full)
    unit = batch.units.first()
    urls = {
        "claim check": check_url(claim),
        "claim line remove": remove_url(claim, line),
        "batch check": reverse("moderation:batch-submit", args=[batch.pk]),
        "batch unit remove": reverse("moderation:batch-unit-remove", args=[batch.pk, unit.pk]),
    }
    pages = {}
    for label, address in urls.items():
        response = member_client.get(address)
        assert response.status_code == 200, label
        pages[label] = response.content.decode()
    assert "to fix before you can submit" in pages["claim check"]
    assert "to fix before you can submit" in pages["batch check"]
    errors = nu.check(pages)
    assert not any(errors.values()), errors


def test_remove_page_queries_flat_at_4_and_200_lines(
    cw, member_client, django_assert_max_num_queries
):
    measured = []
    for size in (4, 200):
        Claim.objects.all().delete()
        claim = start_claim(cw)
        registrations = bulk_candidates(cw, size // 2, prefix=size)
        services.claim_save_lines(
            actor=cw.world.admin,
            claim=claim,
            entries={
                (r.pk, unit.pk): (Grade.PASS, cw.assessor.pk)
                for r in registrations
                for unit in cw.units[:2]
            },
        )
        line = claim.lines.order_by("-pk").first()
        with django_assert_max_num_queries(15) as queries:
            page = member_client.get(remove_url(claim, line)).content.decode()
        assert "Remove from claim</button>" in page
        measured.append(len(queries))
    assert measured[0] == measured[1]


def test_r_clm_7_a_unit_from_another_awarding_body_changes_on_its_own_page(cw, member_client):
    claim = claim_with_lines(cw)
    services.claim_add_other_body_unit(
        actor=cw.world.admin,
        claim=claim,
        registration_id=cw.full.pk,
        unit_id=cw.units[2].pk,
        assessor_id=cw.assessor.pk,
        awarding_body="Pearson",
        grade=Grade.DISTINCTION,
    )
    page = member_client.get(check_url(claim)).content.decode()
    assert "Distinction (from Pearson)" in page
    other_body = reverse("claims:other-body", args=[claim.pk, cw.full.pk])
    assert f'href="{other_body}"' in page


def test_r_new_6_a_change_saved_comes_back_to_check_your_answers(cw, member_client):
    claim = claim_with_lines(cw)
    edit = reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk]) + "?from=check"
    page = member_client.get(edit).content.decode()
    assert f'action="{edit}"' in page
    assert f'href="{check_url(claim)}"' in page  # Cancel goes back there too
    line = claim.lines.get(registration=cw.full)
    data = {f"grade-{cw.units[0].pk}": "distinction", f"assessor-{cw.units[0].pk}": cw.assessor.pk}
    response = member_client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == check_url(claim)
    line.refresh_from_db()
    assert line.grade == "distinction"
