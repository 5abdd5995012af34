from centres.models import Section
from hub.tests.matrix import body_page, everyone, register, section_page

from .factories import (
    built_print_run,
    claim_award_certificate,
    complete_batch,
    issued_certificate,
    posted_centre_certificates,
)

register(
    "certificates:batch",
    kwargs=lambda w: {"batch_pk": complete_batch(w).pk},
    expect=section_page(Section.MODERATION, scoped=True),
)
register(
    "certificates:learner",
    kwargs=lambda w: {"learner_pk": w.learner.pk},
    expect=section_page(Section.MODERATION, scoped=True),
)
register(
    "certificates:download",
    kwargs=lambda w: {"pk": issued_certificate(w).pk},
    expect=section_page(Section.MODERATION, scoped=True),
)
# A claim's full award (R-CRT-2): the claim's page links it, so Claims opens it as Moderation
# does; a batch's certificate above stays Moderation's only.
register(
    "certificates:download",
    kwargs=lambda w: {"pk": claim_award_certificate(w).pk},
    expect=section_page(Section.CLAIMS, scoped=True),
    label="claim award",
)
register(
    "certificates:download",
    method="post",
    kwargs=lambda w: {"pk": issued_certificate(w).pk},
    expect=everyone(405),
    label="POST",
)
# The public check: anyone, logged in or not, sees the form.
register("certificates:verify", expect=everyone(200))
# An empty submission shows the form's errors and counts no attempt against the limit.
register("certificates:verify", method="post", expect=everyone(200), label="POST")
# The moderation dashboard: the awarding body's administrators only.
register("certificates:dashboard", expect=body_page("staff"))

# --- Issue 13: the short verify address, and the staff pages (R-CRT-1, R-CRT-4) -----------
# The QR code's short address: anyone is sent on to the verify page, never to log in.
register(
    "certificates:verify-short",
    kwargs=lambda w: {"token": issued_certificate(w).short_token},
    expect=everyone(302),
    anon_to_login=False,
)
for name in ("certificates:print-queue", "certificates:dispatch-list", "certificates:staff-list"):
    register(name, expect=body_page("staff"))
register(
    "certificates:print-run-create",
    method="post",
    data=lambda w: {"centre": posted_centre_certificates(w).centre_id},
    expect=body_page("staff", ok=302),
)
register("certificates:print-run-create", expect=everyone(405), label="GET")
register(
    "certificates:print-run-download",
    kwargs=lambda w: {"pk": built_print_run(w).pk},
    expect=body_page("staff"),
)
register(
    "certificates:print-run-post",
    method="post",
    kwargs=lambda w: {"pk": built_print_run(w).pk},
    data=lambda w: {"carrier": "Royal Mail", "tracking_reference": "RM123456785GB"},
    expect=body_page("staff", ok=302),
)
register(
    "certificates:staff-detail",
    kwargs=lambda w: {"pk": issued_certificate(w).pk},
    expect=body_page("staff"),
)
for name in ("certificates:staff-reissue", "certificates:staff-revoke"):
    register(
        name,
        method="post",
        kwargs=lambda w: {"pk": issued_certificate(w).pk},
        data=lambda w: {"reason": "Name misspelt on the original."},
        expect=body_page("staff", ok=302),
    )
