"""R-ACC-3: files only through access-checked views, as attachments under safe names."""

import io
import zipfile

from django.urls import reverse

from moderation import services
from moderation.models import BatchStatus

from .factories import make_batch, pdf

S = BatchStatus


def test_r_acc_3_centre_download_is_an_attachment(member_client, world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    unit = batch.units.first()
    document = services.batch_upload_sample(
        actor=world.admin,
        batch=batch,
        batch_unit=unit,
        upload=pdf(f'{world.learner.membership_number} "essay";.pdf'),
    )
    response = member_client.get(
        reverse("moderation:document-download", args=[batch.pk, document.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert '"essay"' not in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_r_acc_3_document_of_another_batch_404(member_client, world):
    mine = make_batch(world, S.CENTRE_COMPLETING)
    theirs = make_batch(world, S.CENTRE_COMPLETING, centre=world.other_centre, selections=[])
    document = theirs.documents.first()
    url = reverse("moderation:document-download", args=[mine.pk, document.pk])
    assert member_client.get(url).status_code == 404
    url = reverse("moderation:document-download", args=[theirs.pk, document.pk])
    assert member_client.get(url).status_code == 404


def test_moderator_downloads_the_whole_batch_as_one_streamed_zip(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, samples=2, moderator=world.moderator)
    client.force_login(world.moderator)
    response = client.get(reverse("moderation:review-zip", args=[batch.pk]))
    assert response.status_code == 200
    assert response.streaming  # written while sent, never whole in memory
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "IV Feedback/iv_feedback.pdf" in names
    assert "Assessment Brief/brief.pdf" in names
    learner_files = [n for n in names if n.startswith("Learner work/")]
    assert len(learner_files) == 2
    assert all(world.learner.membership_number in n for n in learner_files)
    assert archive.read(learner_files[0]).startswith(b"%PDF-")
    assert archive.testzip() is None


def test_moderator_cannot_download_files_of_unassigned_batches(client, world):
    batch = make_batch(world, S.WITH_MODERATOR, samples=1)
    client.force_login(world.moderator)
    document = batch.documents.first()
    assert (
        client.get(reverse("moderation:review-download", args=[batch.pk, document.pk])).status_code
        == 404
    )
    assert client.get(reverse("moderation:review-zip", args=[batch.pk])).status_code == 404
