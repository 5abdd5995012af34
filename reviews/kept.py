"""Evidence kept across a form error on "Request a review" (issue 14: inputs kept).

A browser cannot put a file back in a file input, so when the request form has a good
evidence file and an error elsewhere (no reasons), the file is stored under a random key in
the reviews folder, as evidence is, and the page carries a signed token naming it; the next
submit uses it unless another file is chosen. No row names it until the request goes
through, so the orphan sweep (``hub/orphans.py``) removes a file never sent again once past
``HUB_ORPHAN_GRACE_HOURS``, and the token lasts no longer. Same shape as
``moderation.held``, whose ``HeldFile`` it returns.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage

from moderation.held import HeldFile

from .models import evidence_key

SALT = "reviews.kept-evidence"


def _subject(batch, claim) -> str:
    return f"batch-{batch.pk}" if batch is not None else f"claim-{claim.pk}"


def hold(upload, *, user, batch=None, claim=None) -> HeldFile:
    """Store ``upload`` (already checked) for this user's next request on this batch/claim."""
    upload.seek(0)
    name = upload.name or "evidence"
    key = default_storage.save(evidence_key(None, name), upload)
    token = signing.dumps(
        {"k": key, "n": name, "u": user.pk, "s": _subject(batch, claim)}, salt=SALT
    )
    return HeldFile(token=token, key=key, name=name)


def find(token: str, *, user, batch=None, claim=None) -> HeldFile | None:
    """The file a token names, if it is this user's for this batch/claim and still stored."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.HUB_ORPHAN_GRACE_HOURS * 3600)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk or data.get("s") != _subject(batch, claim):
        return None
    if not str(data.get("k", "")).startswith("reviews/") or not default_storage.exists(data["k"]):
        return None
    return HeldFile(token=token, key=data["k"], name=data["n"])
