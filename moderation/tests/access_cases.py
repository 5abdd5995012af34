"""Every moderation URL, every persona (R-ACC-1, R-ACC-2, R-ACC-3)."""

from centres.models import Section
from hub.tests.matrix import body_page, everyone, register, section_page
from moderation.models import BatchStatus

from .factories import make_batch, pdf

S = BatchStatus
SCOPED = dict(scoped=True)


def _batch(status, **kwargs):
    return lambda w: {"pk": make_batch(w, status, **kwargs).pk}


def _document(status):
    def kwargs(w):
        batch = make_batch(w, status, samples=1)
        return {"pk": batch.pk, "doc_pk": batch.documents.order_by("pk").first().pk}

    return kwargs


def _slot(status, samples=0):
    def kwargs(w):
        batch = make_batch(w, status, samples=samples)
        return {"pk": batch.pk, "unit_pk": batch.units.order_by("pk").first().pk}

    return kwargs


def _p(w):
    return w.learner.membership_number


# --- the centre's side ---------------------------------------------------------------------
register("moderation:index", expect=section_page(Section.MODERATION))
register("moderation:batch-add", expect=section_page(Section.MODERATION))
register(
    "moderation:batch-add",
    method="post",
    data=lambda w: {"qualification": w.qualification.pk},
    # The outsider's own centre is approved for the same qualification: their batch, there.
    expect=section_page(Section.MODERATION, ok=302),
    label="POST",
)
register(
    "moderation:batch-detail",
    kwargs=_batch(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-documents",
    kwargs=_batch(S.DRAFT),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-documents",
    method="post",
    kwargs=_batch(S.DRAFT, documents=False),
    data=lambda w: {"iv_feedback": pdf("iv.pdf"), "brief": pdf("brief.pdf")},
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:batch-units",
    kwargs=_batch(S.DRAFT),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-units",
    method="post",
    kwargs=_batch(S.DRAFT),
    data=lambda w: {"action": "add_matching"},
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST tick all matching",
)
register(
    "moderation:sample-upload",
    kwargs=_slot(S.CENTRE_COMPLETING),
    expect=everyone(405),
    label="GET",
)
register(
    "moderation:sample-upload",
    method="post",
    kwargs=_slot(S.CENTRE_COMPLETING),
    data=lambda w: {"file": pdf(f"{_p(w)} work.pdf")},
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:sample-remove",
    kwargs=_slot(S.CENTRE_COMPLETING, samples=1),
    expect=everyone(405),
    label="GET",
)
register(
    "moderation:sample-remove",
    method="post",
    kwargs=_slot(S.CENTRE_COMPLETING, samples=1),
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:batch-unit-remove",
    kwargs=_slot(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-unit-remove",
    method="post",
    kwargs=_slot(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
# R-SMP-1: "Suggest a sample" and its slots to fill.
register(
    "moderation:batch-sample",
    kwargs=_batch(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-sample",
    method="post",
    kwargs=_batch(S.CENTRE_COMPLETING),
    data=lambda w: {"clear": "1"},
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:batch-submit",
    kwargs=_batch(S.CENTRE_COMPLETING, samples=4),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-submit",
    method="post",
    kwargs=_batch(S.CENTRE_COMPLETING, samples=4),
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register("moderation:batch-resubmit", kwargs=_batch(S.RETURNED), expect=everyone(405), label="GET")
register(
    "moderation:batch-resubmit",
    method="post",
    kwargs=_batch(S.RETURNED),
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:batch-delete",
    kwargs=_batch(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-delete",
    method="post",
    kwargs=_batch(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:batch-request-deletion",
    kwargs=_batch(S.WITH_MODERATOR),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "moderation:batch-request-deletion",
    method="post",
    kwargs=_batch(S.WITH_MODERATOR),
    data=lambda w: {"reason": "Wrong qualification."},
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "moderation:document-download",
    kwargs=_document(S.CENTRE_COMPLETING),
    expect=section_page(Section.MODERATION, **SCOPED),
)

# --- the moderator's side ------------------------------------------------------------------
register("moderation:queue", expect=body_page("moderator"))


def _assigned(status=S.WITH_MODERATOR):
    """A batch assigned to the test world's moderator: the only persona who may open it."""
    return lambda w: {"pk": make_batch(w, status, samples=1, moderator=w.moderator).pk}


def _assigned_document(w):
    batch = make_batch(w, S.WITH_MODERATOR, samples=1, moderator=w.moderator)
    return {"pk": batch.pk, "doc_pk": batch.documents.order_by("pk").first().pk}


register("moderation:review", kwargs=_assigned(), expect=body_page("moderator"))
register(
    "moderation:review",
    kwargs=_batch(S.WITH_MODERATOR),
    # Not assigned to them: a moderator sees only their own batches (R-ACC-2).
    expect=body_page("moderator", moderator=404),
    label="unassigned",
)
register("moderation:take", kwargs=_batch(S.WITH_MODERATOR), expect=everyone(405), label="GET")
register(
    "moderation:take",
    method="post",
    kwargs=_batch(S.WITH_MODERATOR),
    expect=body_page("moderator", ok=302),
    label="POST",
)
register("moderation:outcome", kwargs=_assigned(), expect=everyone(405), label="GET")
register(
    "moderation:outcome",
    method="post",
    kwargs=_assigned(),
    data=lambda w: {"outcome": S.RETURNED, "comments": "Replace the brief."},
    expect=body_page("moderator", ok=302),
    label="POST",
)
register(
    "moderation:outcome",
    method="post",
    kwargs=_batch(S.WITH_MODERATOR),
    data=lambda w: {"outcome": S.COMPLETE, "comments": "Fine."},
    expect=body_page("moderator", moderator=404),
    label="POST unassigned",
)
register("moderation:review-download", kwargs=_assigned_document, expect=body_page("moderator"))
register("moderation:review-zip", kwargs=_assigned(), expect=body_page("moderator"))
