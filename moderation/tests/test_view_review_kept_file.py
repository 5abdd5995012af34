"""Issue 14: the moderator's chosen comments document survives an error on the outcome form.

It is kept (stored, named by no row, so nothing of it shows to the centre) and the page says
so; the next submit sends it; a token from another user or batch, or a forged one, is ignored.
"""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from centres.models import BodyRole
from centres.tests.factories import UserFactory
from moderation.models import BatchDocument, BatchStatus
from moderation.views import KEPT_FIELD

from .factories import make_batch, pdf

S = BatchStatus


@pytest.fixture
def moderator_client(client, world):
    client.force_login(world.moderator)
    return client


def _kept_token(response) -> str:
    return response.context["kept"].token


def test_comments_document_kept_across_a_missing_outcome_then_sent(moderator_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    url = reverse("moderation:outcome", args=[batch.pk])
    response = moderator_client.post(url, {"comments_file": pdf("comments.pdf")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the outcome of the moderation" in page
    assert "Your comments document <strong>comments.pdf</strong> is kept" in page
    assert "Add your comments" not in page
    kept = response.context["kept"]
    assert default_storage.exists(kept.key)
    # Nothing half-saved: the batch has no comments document until the outcome is set.
    assert not BatchDocument.objects.filter(kind="comments").exists()

    response = moderator_client.post(
        url, {"outcome": S.RETURNED, KEPT_FIELD: _kept_token(response)}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == S.RETURNED
    document = BatchDocument.objects.get(kind="comments")
    assert document.original_name == "comments.pdf"
    assert document.file.read().startswith(b"%PDF-")
    assert not default_storage.exists(kept.key)  # the service stored its own copy


def test_kept_document_can_be_dropped(moderator_client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    url = reverse("moderation:outcome", args=[batch.pk])
    first = moderator_client.post(url, {"comments_file": pdf("comments.pdf")})
    response = moderator_client.post(
        url, {"outcome": S.COMPLETE, KEPT_FIELD: _kept_token(first), "remove_kept": "1"}
    )
    assert response.status_code == 400
    assert "Add your comments" in response.content.decode()
    assert response.context["kept"] is None
    assert not default_storage.exists(first.context["kept"].key)


def test_a_kept_token_works_only_for_its_moderator_and_batch(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator)
    other = make_batch(world, S.WITH_MODERATOR, moderator=world.moderator, selections=[])
    client.force_login(world.moderator)
    first = client.post(
        reverse("moderation:outcome", args=[batch.pk]), {"comments_file": pdf("comments.pdf")}
    )
    token = _kept_token(first)
    for forged in (token, token[:-2] + "xx"):
        response = client.post(
            reverse("moderation:outcome", args=[other.pk]),
            {"outcome": S.COMPLETE, KEPT_FIELD: forged},
        )
        assert response.status_code == 400
        assert response.context["kept"] is None
    second = UserFactory(body_role=BodyRole.MODERATOR)
    batch.moderator = second
    batch.save(update_fields=["moderator"])
    client.force_login(second)
    response = client.post(
        reverse("moderation:outcome", args=[batch.pk]), {"outcome": S.COMPLETE, KEPT_FIELD: token}
    )
    assert response.status_code == 400
    assert not BatchDocument.objects.filter(kind="comments").exists()
