"""Issue 14: "Upload documents" says only what happened; with no file chosen, nothing did."""

from django.urls import reverse

from moderation.models import BatchDocument, BatchHistory

from .factories import make_batch


def test_upload_documents_with_no_file_is_an_error_not_documents_saved(member_client, world):
    batch = make_batch(world, documents=False)
    history = BatchHistory.objects.filter(batch=batch).count()
    url = reverse("moderation:batch-documents", args=[batch.pk])
    response = member_client.post(url, {"iv_feedback": "", "brief": ""}, follow=True)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Documents saved." not in page
    assert "Select the IV feedback file or the assessment brief file to upload" in page
    assert "There is a problem" in page
    assert not BatchDocument.objects.filter(batch=batch).exists()
    assert BatchHistory.objects.filter(batch=batch).count() == history


def test_the_quality_managers_override_alone_is_saved(client, world):
    """Ticking the override with no file is something done: that one says "Documents saved."."""
    batch = make_batch(world, documents=False)
    client.force_login(world.quality)
    url = reverse("moderation:batch-documents", args=[batch.pk])
    response = client.post(url, {"override": "on"}, follow=True)
    assert "Documents saved." in response.content.decode()
    batch.refresh_from_db()
    assert batch.override_documents is True
    # Sent again with the box as it now is, and still no file: nothing changes, so an error.
    response = client.post(url, {"override": "on"})
    assert response.status_code == 400
    assert "Documents saved." not in response.content.decode()
