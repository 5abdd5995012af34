"""R-BAT-1, R-BAT-5: sizes are checked while the upload streams in; CSRF still applies."""

import pytest
from django.core.files.uploadhandler import SkipFile
from django.test import Client, RequestFactory
from django.urls import reverse

from moderation.files import SizeLimitHandler
from moderation.models import BatchDocument, BatchStatus

from .factories import make_batch, pdf

S = BatchStatus


def test_handler_stops_storing_past_the_limit():
    request = RequestFactory().post("/")
    handler = SizeLimitHandler(request, limit=10)
    handler.new_file("file", "big.pdf", "application/pdf", 100)
    assert handler.receive_data_chunk(b"x" * 8, 0) == b"x" * 8
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 8, 8)
    assert request.oversize_uploads == [("file", "big.pdf")]


def test_r_bat_5_oversize_sample_refused_beside_the_slot(member_client, world, settings):
    settings.HUB_MAX_SAMPLE_MB = 1
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = batch.units.order_by("pk").first()
    response = member_client.post(
        reverse("moderation:sample-upload", args=[batch.pk, unit.pk]),
        {"file": pdf("huge.pdf", size=1024 * 1024 + 10)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "“huge.pdf” is larger than 1 MB" in response.content.decode()
    assert not BatchDocument.objects.filter(kind="sample").exists()


def test_r_bat_1_oversize_document_error_on_its_field(member_client, world, settings):
    settings.HUB_MAX_DOCUMENT_MB = 1
    batch = make_batch(world, documents=False)
    response = member_client.post(
        reverse("moderation:batch-documents", args=[batch.pk]),
        {"iv_feedback": pdf("iv.pdf"), "brief": pdf("brief.pdf", size=2 * 1024 * 1024)},
    )
    assert response.status_code == 400
    assert "larger than 1 MB" in response.context["form"].errors["brief"][0]
    # Issue 14: the good IV file beside it is kept, not lost with the refused brief.
    assert list(batch.documents.values_list("kind", flat=True)) == ["iv_feedback"]


def test_csrf_still_checked_on_upload_views(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = batch.units.first()
    response = client.post(
        reverse("moderation:sample-upload", args=[batch.pk, unit.pk]), {"file": pdf()}
    )
    assert response.status_code == 403
    assert not BatchDocument.objects.filter(kind="sample").exists()
