"""R-BAT-5, R-NEW-1: per-slot uploads, with and without the page's script."""

from django.urls import reverse

from moderation.models import BatchDocument, BatchStatus

from .factories import make_batch, pdf

S = BatchStatus


def slot_urls(batch, name="moderation:sample-upload"):
    unit = batch.units.order_by("pk").first()
    return unit, reverse(name, args=[batch.pk, unit.pk])


def test_r_bat_5_upload_without_script_redirects_to_the_slot(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit, url = slot_urls(batch)
    response = member_client.post(url, {"file": pdf("work.pdf")})
    assert response["Location"].endswith(f"#slot-{unit.pk}")
    assert BatchDocument.objects.current().get(batch_unit=unit).original_name == "work.pdf"


def test_r_new_1_xhr_upload_returns_just_the_slot(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit, url = slot_urls(batch)
    response = member_client.post(url, {"file": pdf("work.pdf")}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li id="slot-{unit.pk}"')
    assert "work.pdf" in body and "data-has-file" in body


def test_r_bat_2_bad_file_error_beside_the_slot_nothing_else_changes(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    unit = batch.units.order_by("pk")[1]
    url = reverse("moderation:sample-upload", args=[batch.pk, unit.pk])
    response = member_client.post(url, {"file": pdf("P0000001 someone else.pdf")})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="slot-error-{unit.pk}"' in page and "slot is for" in page
    assert BatchDocument.objects.filter(kind="sample").count() == 1
    xhr = member_client.post(
        url,
        {"file": pdf("notes.txt").__class__("notes.txt", b"plain")},
        headers={"HX-Request": "true"},
    )
    assert xhr.status_code == 400
    assert "not accepted" in xhr.content.decode()


def test_r_bat_5_the_x_removes_the_file(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=1)
    unit, url = slot_urls(batch, "moderation:sample-remove")
    assert member_client.post(url).status_code == 302
    assert not BatchDocument.objects.current().filter(batch_unit=unit).exists()


def test_r_bat_8_upload_refused_after_submission_even_when_forged(member_client, world):
    batch = make_batch(world, S.WITH_MODERATOR)
    _, url = slot_urls(batch)
    response = member_client.post(url, {"file": pdf("work.pdf")})
    assert response.status_code == 400
    assert "With Moderator: you cannot upload learner work now" in response.content.decode()
    assert not BatchDocument.objects.filter(kind="sample").exists()


def test_slot_of_another_centres_batch_404(client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    _, url = slot_urls(batch)
    client.force_login(world.outsider)
    assert client.post(url, {"file": pdf()}).status_code == 404
