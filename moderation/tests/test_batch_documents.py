"""R-BAT-1, R-BAT-3, R-BAT-8, R-NEW-4: the IV feedback and assessment brief."""

import pytest

from centres.models import Route
from centres.tests.factories import ApprovalFactory, QualificationFactory
from moderation import services
from moderation.models import Batch, BatchDocument, BatchHistory, BatchStatus, DocumentKind

from .factories import make_batch, pdf, zip_upload

S = BatchStatus


def test_r_bat_1_create_batch_for_approved_qualification(world):
    batch = services.batch_create(
        actor=world.admin, centre=world.centre, qualification=world.qualification
    )
    assert batch.status == S.DRAFT
    assert batch.history.get().event == "created"


def test_r_bat_1_create_refused_for_claim_route_or_unapproved(world):
    claim_q = QualificationFactory(route=Route.CLAIM)
    ApprovalFactory(centre=world.centre, qualification=claim_q)
    with pytest.raises(services.BatchError):
        services.batch_create(actor=world.admin, centre=world.centre, qualification=claim_q)
    with pytest.raises(services.BatchError):
        services.batch_create(
            actor=world.admin, centre=world.centre, qualification=QualificationFactory()
        )
    with pytest.raises(services.BatchPermissionError):
        services.batch_create(
            actor=world.tutor, centre=world.centre, qualification=world.qualification
        )
    assert not Batch.objects.exists()


def test_r_bat_1_upload_both_documents(world):
    batch = make_batch(world, documents=False)
    assert batch.missing_documents() == ["IV Feedback", "Assessment Brief"]
    services.batch_set_documents(
        actor=world.admin, batch=batch, iv_feedback=pdf("iv.pdf"), brief=pdf("brief.pdf")
    )
    assert batch.missing_documents() == []
    iv = batch.documents.get(kind=DocumentKind.IV_FEEDBACK)
    assert iv.original_name == "iv.pdf"
    assert iv.content_type == "application/pdf"
    # The storage key gives nothing away (R-ACC-3).
    assert "iv" not in iv.file.name.split("/")[-1]
    assert iv.file.read().startswith(b"%PDF-")


def test_r_bat_1_document_over_the_size_limit_refused_the_good_one_kept(world, settings):
    """Issue 14: each file stands on its own; the good IV file is stored, the big brief not."""
    settings.HUB_MAX_DOCUMENT_MB = 1
    batch = make_batch(world, documents=False)
    refused = services.batch_set_documents(
        actor=world.admin,
        batch=batch,
        iv_feedback=pdf("iv.pdf"),
        brief=pdf("big.pdf", size=1024 * 1024 + 1),
    )
    assert "limit here is 1 MB" in refused["brief"][0]
    assert list(BatchDocument.objects.values_list("kind", "original_name")) == [
        (DocumentKind.IV_FEEDBACK, "iv.pdf")
    ]
    assert batch.missing_documents() == ["Assessment Brief"]


def test_r_bat_1_zip_allowed_for_several_briefs(world):
    batch = make_batch(world, documents=False)
    services.batch_upload_document(
        actor=world.admin,
        batch=batch,
        kind=DocumentKind.BRIEF,
        upload=zip_upload("briefs.zip", {"brief1.pdf": b"%PDF-1", "brief2.pdf": b"%PDF-1"}),
    )
    assert batch.documents.get().content_type == "application/zip"


def test_r_new_4_replaced_document_kept_as_earlier_version(world):
    batch = make_batch(world, documents=False)
    services.batch_upload_document(
        actor=world.admin, batch=batch, kind=DocumentKind.IV_FEEDBACK, upload=pdf("v1.pdf")
    )
    services.batch_upload_document(
        actor=world.admin, batch=batch, kind=DocumentKind.IV_FEEDBACK, upload=pdf("v2.pdf")
    )
    old, new = batch.documents.order_by("pk")
    assert (old.original_name, new.original_name) == ("v1.pdf", "v2.pdf")
    assert old.superseded_at is not None and old.superseded_by == new
    assert old.file.storage.exists(old.file.name)  # nothing destroyed
    assert "replaces v1.pdf" in BatchHistory.objects.filter(batch=batch).last().note


@pytest.mark.parametrize("status", S.values)
def test_r_bat_8_documents_replaceable_only_while_the_centre_may_edit(world, status):
    batch = make_batch(world, status)
    allowed = status in (S.DRAFT, S.CENTRE_COMPLETING, S.RETURNED, S.INSUFFICIENT_SAMPLE)
    if allowed:
        services.batch_upload_document(
            actor=world.admin, batch=batch, kind=DocumentKind.BRIEF, upload=pdf("new.pdf")
        )
        assert batch.documents.current().get(kind=DocumentKind.BRIEF).original_name == "new.pdf"
    else:
        with pytest.raises(services.BatchStateError):
            services.batch_upload_document(
                actor=world.admin, batch=batch, kind=DocumentKind.BRIEF, upload=pdf("new.pdf")
            )
        assert batch.documents.current().get(kind=DocumentKind.BRIEF).original_name == "brief.pdf"


def test_r_bat_3_quality_manager_overrides_with_who_and_when(world):
    batch = make_batch(world, documents=False)
    services.batch_set_documents(actor=world.quality, batch=batch, override=True)
    batch.refresh_from_db()
    assert batch.override_documents is True
    assert batch.override_by == world.quality
    assert batch.override_at is not None
    assert batch.history.filter(event="override").exists()


@pytest.mark.parametrize("persona", ["admin", "director"])
def test_r_bat_3_override_refused_for_anyone_else(world, persona):
    batch = make_batch(world, documents=False)
    with pytest.raises(services.BatchPermissionError, match="Quality Manager"):
        services.batch_set_documents(actor=getattr(world, persona), batch=batch, override=True)
    batch.refresh_from_db()
    assert batch.override_documents is False


def test_r_bat_3_override_skips_the_uploads(world):
    from .factories import selections_for

    batch = make_batch(world, documents=False)
    ids = [s.pk for s in selections_for(world.learner, world.qualification)]
    with pytest.raises(services.BatchError, match="IV Feedback"):
        services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=ids)
    services.batch_set_documents(actor=world.quality, batch=batch, override=True)
    services.batch_submit_units(actor=world.admin, batch=batch, selection_ids=ids)
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING


def test_documents_refused_for_other_centre_staff(world):
    batch = make_batch(world, documents=False)
    with pytest.raises(services.BatchPermissionError):
        services.batch_upload_document(
            actor=world.outsider, batch=batch, kind=DocumentKind.BRIEF, upload=pdf()
        )
