"""R-BAT-1: Add Batch, the documents step, the Quality Manager's override (R-BAT-3)."""

from django.urls import reverse

from centres.models import Route
from centres.tests.factories import ApprovalFactory, QualificationFactory
from moderation.models import Batch, BatchStatus

from .factories import make_batch, pdf

S = BatchStatus


def test_r_bat_1_add_batch_offers_only_batch_route_qualifications(member_client, world):
    claim_q = QualificationFactory(route=Route.CLAIM)
    ApprovalFactory(centre=world.centre, qualification=claim_q)
    page = member_client.get(reverse("moderation:batch-add")).content.decode()
    assert world.qualification.code in page
    assert claim_q.code not in page
    response = member_client.post(
        reverse("moderation:batch-add"), {"qualification": world.qualification.pk}
    )
    batch = Batch.objects.get()
    assert response["Location"] == reverse("moderation:batch-documents", args=[batch.pk])
    assert (batch.centre, batch.status) == (world.centre, S.DRAFT)


def test_r_bat_1_add_batch_refuses_other_qualifications(member_client, world):
    response = member_client.post(
        reverse("moderation:batch-add"), {"qualification": QualificationFactory().pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Batch.objects.exists()


def test_r_bat_1_documents_uploaded_show_as_done(member_client, world):
    batch = make_batch(world, documents=False)
    url = reverse("moderation:batch-documents", args=[batch.pk])
    page = member_client.get(url).content.decode()
    assert "Select Units to Pass on Batch</a>" not in page
    response = member_client.post(url, {"iv_feedback": pdf("iv.pdf"), "brief": pdf("brief.pdf")})
    assert response.status_code == 302
    page = member_client.get(url).content.decode()
    assert 'data-testid="iv-done">iv.pdf' in page
    assert 'data-testid="brief-done">brief.pdf' in page
    assert reverse("moderation:batch-units", args=[batch.pk]) in page


def test_r_bat_2_wrong_file_error_beside_the_field_the_good_one_kept(member_client, world):
    """Issue 14: the refused brief gets its error; the good IV file beside it is stored and
    the page says so (each document stands on its own)."""
    from .factories import zip_upload

    batch = make_batch(world, documents=False)
    url = reverse("moderation:batch-documents", args=[batch.pk])
    response = member_client.post(
        url,
        {
            "iv_feedback": pdf("iv.pdf"),
            "brief": zip_upload("all.zip", {"P1234567 CMI501.pdf": b"%PDF-1"}),
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "P1234567" in form.errors["brief"][0]
    assert list(batch.documents.values_list("kind", "original_name")) == [("iv_feedback", "iv.pdf")]
    page = response.content.decode()
    assert "Saved: The IV Feedback is iv.pdf. Not saved: the Assessment Brief" in page


def test_r_bat_3_override_box_only_for_the_quality_manager(client, world):
    batch = make_batch(world, documents=False)
    url = reverse("moderation:batch-documents", args=[batch.pk])
    client.force_login(world.admin)
    assert "Override IV Feedback" not in client.get(url).content.decode()
    # A forged tick from a non-QM is ignored: the field is not there to accept it.
    client.post(url, {"override": "on"})
    batch.refresh_from_db()
    assert batch.override_documents is False
    client.force_login(world.quality)
    assert "Override IV Feedback and Assessment Brief Upload" in client.get(url).content.decode()
    client.post(url, {"override": "on"})
    batch.refresh_from_db()
    assert (batch.override_documents, batch.override_by) == (True, world.quality)
    page = client.get(url).content.decode()
    assert "Select Units to Pass on Batch</a>" in page


def test_documents_outsider_404(client, world):
    batch = make_batch(world)
    client.force_login(world.outsider)
    assert client.get(reverse("moderation:batch-documents", args=[batch.pk])).status_code == 404
