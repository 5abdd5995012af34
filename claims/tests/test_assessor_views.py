"""R-CLM-10 on the assessor's pages: scoped to assigned centres; sample, finalise, withdraw."""

from django.core import mail
from django.urls import reverse

from claims.models import LINE_WITHDRAWN, ClaimStatus, Grade

from .conftest import sampled_claim, submitted_claim


def test_r_clm_10_list_shows_only_assigned_centres_submitted_claims(cw, client):
    from .factories import ClaimFactory

    mine = submitted_claim(cw)
    other = ClaimFactory(
        centre=cw.world.other_centre,
        qualification=cw.qualification,
        status=ClaimStatus.SUBMITTED,
        number="X-1",
    )
    client.force_login(cw.world.assessor)
    response = client.get(reverse("claims:assessor-list"))
    assert list(response.context["claims"]) == [mine]
    assert client.get(reverse("claims:assessor-claim", args=[other.pk])).status_code == 404


def test_r_clm_10_select_sample(cw, client, django_capture_on_commit_callbacks):
    claim = submitted_claim(cw)
    lines = list(claim.lines.order_by("pk"))
    client.force_login(cw.world.assessor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("claims:assessor-sample", args=[claim.pk]),
            {"sample": [lines[0].pk, lines[1].pk]},
            follow=True,
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED
    assert claim.lines.filter(sampled=True).count() == 2
    assert "Sample saved" in response.content.decode()
    assert mail.outbox[-1].to == ["exams@northgate.test"]


def test_r_clm_10_empty_sample_refused_with_a_message(cw, client):
    claim = submitted_claim(cw)
    client.force_login(cw.world.assessor)
    response = client.post(reverse("claims:assessor-sample", args=[claim.pk]), {}, follow=True)
    assert "Tick at least one" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_r_clm_10_finalise_with_amended_grades(cw, client, django_capture_on_commit_callbacks):
    claim = sampled_claim(cw)
    lines = list(claim.lines.order_by("pk"))
    client.force_login(cw.world.assessor)
    page = client.get(reverse("claims:assessor-claim", args=[claim.pk])).content.decode()
    assert "Submit finalised claim" in page and 'class="sample-tick"' in page
    data = {f"outcome-{line.pk}": line.grade for line in lines}
    data[f"outcome-{lines[0].pk}"] = Grade.DISTINCTION
    data[f"outcome-{lines[1].pk}"] = LINE_WITHDRAWN
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("claims:assessor-finalise", args=[claim.pk]), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FINALISED and claim.reference
    assert list(claim.lines.order_by("pk").values_list("outcome", flat=True))[:2] == [
        Grade.DISTINCTION,
        LINE_WITHDRAWN,
    ]


def test_r_clm_10_finalise_bad_grade_shown_next_to_the_field(cw, client):
    claim = sampled_claim(cw)
    line = claim.lines.first()
    client.force_login(cw.world.assessor)
    response = client.post(
        reverse("claims:assessor-finalise", args=[claim.pk]), {f"outcome-{line.pk}": "A*"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED


def test_r_clm_10_withdraw_needs_a_reason(cw, client):
    claim = submitted_claim(cw)
    client.force_login(cw.world.assessor)
    response = client.post(reverse("claims:assessor-withdraw", args=[claim.pk]), {"note": ""})
    assert response.status_code == 200
    assert "Enter why the claim is withdrawn" in response.content.decode()
    response = client.post(
        reverse("claims:assessor-withdraw", args=[claim.pk]), {"note": "Centre closed"}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_centre_users_cannot_use_assessor_pages(cw, member_client):
    claim = submitted_claim(cw)
    assert member_client.get(reverse("claims:assessor-claim", args=[claim.pk])).status_code == 403
