"""Every downloads URL, every persona (R-ACC-1, R-ACC-2, R-ACC-3, R-DL-1).

The centre's personas with the Moderation grant (director, admin, quality) and the moderator
may use the pages; a download is its requester's alone, so another member of the same centre
gets 404 for it, as the outsider does for anything of our centre.
"""

from centres.models import Section
from hub.tests.matrix import everyone, register, section_page
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch

from .factories import make_download

S = BatchStatus


def _both(ok: int, **overrides: int) -> dict[str, int]:
    """A page for centre members granted Moderation and for moderators."""
    return section_page(Section.MODERATION, ok=ok, **{"moderator": ok, **overrides})


def _batch(w):
    return {"pk": make_batch(w, S.CENTRE_COMPLETING, samples=1).pk}


def _assigned(w):
    return {"pk": make_batch(w, S.WITH_MODERATOR, samples=1, moderator=w.moderator).pk}


def _qualification(w):
    make_batch(w, S.WITH_MODERATOR, samples=1, moderator=w.moderator)
    return {"centre_pk": w.centre.pk, "pk": w.qualification.pk}


def _admins_download(w):
    return {"pk": make_download(w.admin, make_batch(w, S.CENTRE_COMPLETING, samples=1)).pk}


def _moderators_download(w):
    batch = make_batch(w, S.WITH_MODERATOR, samples=1, moderator=w.moderator)
    return {"pk": make_download(w.moderator, batch, as_moderator=True).pk}


register("downloads:index", expect=_both(200))
register("downloads:index", method="post", expect=everyone(405), label="POST")
# Prepare download on the centre's batch: the moderator is not assigned it, so 404.
register(
    "downloads:prepare-batch",
    method="post",
    kwargs=_batch,
    expect=_both(302, outsider=404, moderator=404),
    label="centre's batch",
)
register(
    "downloads:prepare-batch",
    method="post",
    kwargs=_assigned,
    # The moderator's batch is also the centre's: its members may download it too.
    expect=_both(302, outsider=404),
    label="assigned batch",
)
register("downloads:prepare-batch", kwargs=_batch, expect=everyone(405), label="GET")
register(
    "downloads:prepare-qualification",
    method="post",
    kwargs=_qualification,
    expect=_both(302, outsider=404),
)
register("downloads:prepare-month", method="post", expect=_both(403, moderator=302))
register("downloads:prepare-month", expect=everyone(405), label="GET")
# A download is its requester's: the centre's other members get 404, as does the outsider.
register(
    "downloads:detail",
    kwargs=_admins_download,
    expect=_both(404, admin=200),
    label="centre's",
)
register(
    "downloads:detail",
    kwargs=_moderators_download,
    expect=_both(404, moderator=200),
    label="moderator's",
)
register("downloads:file", kwargs=_admins_download, expect=_both(404, admin=200), label="centre's")
register(
    "downloads:file",
    kwargs=_moderators_download,
    expect=_both(404, moderator=200),
    label="moderator's",
)
