from hub.tests.matrix import PERSONAS, everyone, logged_in, register
from notices.models import Notice


def admins_notice(world) -> dict:
    notice = Notice.objects.create(
        recipient=world.admin,
        email=world.admin.email,
        kind="batch.outcome",
        subject="Batch 1: Complete",
        body="The moderator has set the outcome.",
        link="/moderation/",
    )
    return {"pk": notice.pk}


# Everyone logged in has their own list (empty or not).
register("notices:list", expect=logged_in(200))
# A notice opens (and goes to its page) for its recipient only; anyone else's is not found.
register(
    "notices:open",
    kwargs=admins_notice,
    expect={**dict.fromkeys(PERSONAS, 404), "anon": 302, "admin": 302},
)
register(
    "notices:open",
    method="post",
    kwargs=admins_notice,
    expect=everyone(405),
    label="POST",
)
