"""R-NTF-1 for reviews: each step tells the people concerned, text with a link to their page,
emailed through the outbox; a notice never blocks or fails the step."""

from notices.models import Notice
from reviews import services
from reviews.models import Review, ReviewStatus

from .factories import REASONS, make_review, make_reviewer, reviewable_batch


def test_r_ntf_1_each_step_tells_its_audience_with_a_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer = make_reviewer(world)
    with django_capture_on_commit_callbacks(execute=True):
        review = make_review(world, status=ReviewStatus.UPHELD, reviewer=reviewer)
    by_kind = {}
    for notice in Notice.objects.order_by("pk"):
        by_kind.setdefault(notice.kind, []).append(notice)
    assert [n.email for n in by_kind["review.requested"]] == ["moderation@awarding.test"]
    assert [n.recipient for n in by_kind["review.assigned"]] == [reviewer]
    assert by_kind["review.assigned"][0].link == f"/reviews/assigned/{review.pk}/"
    for kind in ("review.started", "review.decided"):
        assert {n.recipient for n in by_kind[kind]} == {world.admin, None}
        assert {n.link for n in by_kind[kind]} == {f"/reviews/{review.pk}/"}
    decided = by_kind["review.decided"][0]
    assert "Upheld" in decided.subject and "The original outcome stands." in decided.body
    # Every notice with an address is emailed once, its link made absolute.
    emailed = [m for m in mailoutbox if "eview" in m.subject]
    assert len(emailed) == Notice.objects.exclude(email="").count()
    assert any(f"/reviews/{review.pk}/" in m.body for m in emailed)


def test_r_ntf_1_a_broken_notice_never_fails_the_step(world, monkeypatch):
    import notices.services

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(notices.services, "render_notice", broken)
    review = services.review_request(
        actor=world.admin, batch=reviewable_batch(world), reasons=REASONS
    )
    assert Review.objects.filter(pk=review.pk, status=ReviewStatus.REQUESTED).exists()
    assert not Notice.objects.exists()


def test_r_ntf_1_a_notice_that_cannot_find_its_people_never_fails_the_step(world, monkeypatch):
    from reviews import notices as review_notices

    def broken(review):
        raise RuntimeError("recipients")

    monkeypatch.setattr(review_notices, "centre_recipients", broken)
    reviewer = make_reviewer(world)
    review = make_review(world, reviewer=reviewer)
    started = services.review_start(actor=reviewer, review=review)
    assert started.status == ReviewStatus.UNDER_REVIEW
    assert not Notice.objects.filter(kind="review.started").exists()
