"""Every reviews URL, every persona (R-ACC-1, R-ACC-2, R-ACC-3; R-REV-1, R-REV-2).

The centre's pages of a batch's review need Moderation, of a claim's review Claims; another
centre's review is a 404. The reviewer's pages open only for the reviewer assigned (here the
test world's assessor for a batch, whose moderator gave the outcome): another reviewer gets
a 404, and the awarding body's administrators, who work in Django admin, a 403.
"""

from centres.models import Section
from hub.tests.matrix import body_page, everyone, register, section_page
from moderation.tests.factories import pdf
from reviews.models import ReviewStatus

from .factories import make_review, reviewable_batch, reviewable_claim

S = ReviewStatus
SCOPED = dict(scoped=True)


def _batch_review(status=S.REQUESTED, **kwargs):
    def build(w):
        return {"pk": make_review(w, status=status, reviewer=w.assessor, **kwargs).pk}

    return build


def _claim_review(status=S.REQUESTED, **kwargs):
    def build(w):
        claim = reviewable_claim(w)
        return {"pk": make_review(w, claim=claim, status=status, reviewer=w.moderator, **kwargs).pk}

    return build


# --- the centre's side ---------------------------------------------------------------------
register(
    "reviews:list",
    # Moderation or Claims: the tutor (PAR only) has neither.
    expect=section_page(Section.MODERATION),
)
register(
    "reviews:request-batch",
    kwargs=lambda w: {"pk": reviewable_batch(w).pk},
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "reviews:request-batch",
    method="post",
    kwargs=lambda w: {"pk": reviewable_batch(w).pk},
    data=lambda w: {"reasons": "The sample was judged against the wrong brief."},
    expect=section_page(Section.MODERATION, ok=302, **SCOPED),
    label="POST",
)
register(
    "reviews:request-claim",
    kwargs=lambda w: {"pk": reviewable_claim(w).pk},
    expect=section_page(Section.CLAIMS, **SCOPED),
)
register(
    "reviews:request-claim",
    method="post",
    kwargs=lambda w: {"pk": reviewable_claim(w).pk},
    data=lambda w: {"reasons": "Unit 2 deserved a Merit.", "evidence": pdf("merit.pdf")},
    expect=section_page(Section.CLAIMS, ok=302, **SCOPED),
    label="POST",
)
register(
    "reviews:detail",
    kwargs=_batch_review(S.UNDER_REVIEW),
    expect=section_page(Section.MODERATION, **SCOPED),
)
register(
    "reviews:detail",
    kwargs=_claim_review(S.UPHELD),
    expect=section_page(Section.CLAIMS, **SCOPED),
    label="claim",
)
register(
    "reviews:evidence",
    kwargs=_batch_review(evidence=True),
    expect=section_page(Section.MODERATION, **SCOPED),
)

# --- the reviewer's side -------------------------------------------------------------------
REVIEWER = dict(moderator=404)  # another reviewer: not theirs (R-ACC-2)
register("reviews:reviewer-list", expect=body_page("moderator", "assessor"))
register(
    "reviews:reviewer-detail",
    kwargs=_batch_review(),
    expect=body_page("assessor", **REVIEWER),
)
register(
    "reviews:reviewer-detail",
    kwargs=_claim_review(S.UNDER_REVIEW),
    expect=body_page("moderator", assessor=404),
    label="claim",
)
register("reviews:reviewer-start", kwargs=_batch_review(), expect=everyone(405), label="GET")
register(
    "reviews:reviewer-start",
    method="post",
    kwargs=_batch_review(),
    # Only its reviewer moves it (R-REV-2); staff use Django admin.
    expect=body_page("assessor", ok=302, **REVIEWER),
    label="POST",
)
register(
    "reviews:reviewer-decide",
    kwargs=_batch_review(S.UNDER_REVIEW),
    expect=everyone(405),
    label="GET",
)
register(
    "reviews:reviewer-decide",
    method="post",
    kwargs=_batch_review(S.UNDER_REVIEW),
    data=lambda w: {"decision": S.UPHELD, "comments": "The outcome was right.", "shown": ""},
    expect=body_page("assessor", ok=302, **REVIEWER),
    label="POST",
)
register(
    "reviews:reviewer-evidence",
    kwargs=_batch_review(evidence=True),
    expect=body_page("assessor", **REVIEWER),
)
