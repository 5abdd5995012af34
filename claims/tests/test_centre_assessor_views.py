"""R-CLM-1: View centre assessors, Create centre assessor, edit, deactivate."""

from django.urls import reverse

from claims.models import CentreAssessor


def test_r_clm_1_list_shows_the_qualifications_assessors(cw, member_client):
    response = member_client.get(reverse("claims:centre-assessor-list", args=[cw.qualification.pk]))
    body = response.content.decode()
    assert "Priya Shah" in body and "Create centre assessor" in body


def test_r_clm_1_create_centre_assessor(cw, member_client):
    url = reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    response = member_client.post(url, {"name": "Tom Okafor", "initials": "tok"})
    assert response.status_code == 302
    assert CentreAssessor.objects.filter(initials="TOK", centre=cw.centre).exists()


def test_r_clm_1_duplicate_initials_shown_next_to_the_field_and_kept(cw, member_client):
    url = reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    response = member_client.post(url, {"name": "Paul Stone", "initials": "PS"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "already uses PS" in body
    assert 'value="Paul Stone"' in body
    assert CentreAssessor.objects.count() == 1


def test_r_clm_1_more_than_four_characters_refused(cw, member_client):
    url = reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    response = member_client.post(url, {"name": "Tom", "initials": "ABCDE"})
    assert response.status_code == 200
    assert CentreAssessor.objects.count() == 1


def test_r_clm_1_edit_and_deactivate(cw, member_client):
    member_client.post(
        reverse("claims:centre-assessor-edit", args=[cw.assessor.pk]),
        {"name": "Priya Shah-Khan", "initials": "PSK", "is_active": "on"},
    )
    cw.assessor.refresh_from_db()
    assert (cw.assessor.name, cw.assessor.initials) == ("Priya Shah-Khan", "PSK")
    member_client.post(reverse("claims:centre-assessor-deactivate", args=[cw.assessor.pk]))
    cw.assessor.refresh_from_db()
    assert not cw.assessor.is_active


def test_other_centres_assessor_404(cw, client):
    client.force_login(cw.world.outsider)
    response = client.get(reverse("claims:centre-assessor-edit", args=[cw.assessor.pk]))
    assert response.status_code == 404
