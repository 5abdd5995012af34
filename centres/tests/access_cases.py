from centres.models import Section
from hub.tests.matrix import everyone, register, section_page

register("centres:switch", expect=everyone(405), label="GET")
register(
    "centres:switch",
    method="post",
    data=lambda w: {"centre": w.centre.pk},
    # Only members of that centre may switch to it; anyone else gets 404, not a hint.
    expect=everyone(404, anon=302, director=302, admin=302, tutor=302, quality=302),
    label="POST",
)
register("centres:learner-list", expect=section_page(Section.LEARNERS))
register(
    "centres:learner-detail",
    kwargs=lambda w: {"pk": w.learner.pk},
    expect=section_page(Section.LEARNERS, scoped=True),
)
