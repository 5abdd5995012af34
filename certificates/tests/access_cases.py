from centres.models import Section
from hub.tests.matrix import body_page, everyone, register, section_page

from .factories import complete_batch, issued_certificate

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
