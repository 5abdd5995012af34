"""Centre pages lead to the certificates: a Complete batch, and each learner's pages."""

import pytest
from django.urls import reverse

from moderation.models import BatchStatus
from moderation.tests.factories import make_batch


@pytest.mark.parametrize(
    ("status", "shown"), [(BatchStatus.COMPLETE, True), (BatchStatus.WITH_MODERATOR, False)]
)
def test_batch_page_links_to_its_certificates_once_complete(member_client, world, status, shown):
    batch = make_batch(world, status)
    body = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert (reverse("certificates:batch", args=[batch.pk]) in body) is shown


def test_learner_pages_link_to_certificates_for_moderation_users(member_client, world):
    url = reverse("certificates:learner", args=[world.learner.pk])
    assert (
        url
        in member_client.get(
            reverse("centres:learner-detail", args=[world.learner.pk])
        ).content.decode()
    )
    assert (
        url in member_client.get(reverse("par:learner", args=[world.learner.pk])).content.decode()
    )


def test_no_certificates_link_without_the_moderation_grant(client, world):
    client.force_login(world.tutor)  # PAR only
    body = client.get(reverse("par:learner", args=[world.learner.pk])).content.decode()
    assert reverse("certificates:learner", args=[world.learner.pk]) not in body
