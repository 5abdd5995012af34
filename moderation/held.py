"""A good file kept across a form error (issue 14: nothing the user chose is lost).

A browser cannot put a file back in a file input, so when a form with a good upload has an
error elsewhere (the moderator's outcome not chosen, say), the file is stored under a random
key, as every document is, and the page carries a signed token naming it; the next submit
uses it unless another file is chosen, and the page says so. Nothing is half-saved: no row
names the kept file, so the batch shows nothing of it until the form goes through. If the
form is never sent again, the orphan sweep (``hub/orphans.py``) removes the file once past
``HUB_ORPHAN_GRACE_HOURS``, and the token lasts no longer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage

from .files import safe_filename
from .models import document_key

SALT = "moderation.held-upload"


@dataclass(frozen=True)
class HeldFile:
    token: str
    key: str
    name: str

    @property
    def shown_name(self) -> str:
        return safe_filename(self.name)

    def open(self) -> File:
        """The kept file as an upload the form's checks and the service can read."""
        return File(default_storage.open(self.key, "rb"), name=self.name)

    def discard(self) -> None:
        default_storage.delete(self.key)


def hold(upload, *, user, batch) -> HeldFile:
    """Store ``upload`` (already checked) for this user's next submit on this batch."""
    upload.seek(0)
    key = default_storage.save(document_key(None, upload.name or ""), upload)
    token = signing.dumps(
        {"k": key, "n": upload.name or "upload", "u": user.pk, "b": batch.pk}, salt=SALT
    )
    return HeldFile(token=token, key=key, name=upload.name or "upload")


def find(token: str, *, user, batch) -> HeldFile | None:
    """The file a token names, if it is this user's on this batch and still stored."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.HUB_ORPHAN_GRACE_HOURS * 3600)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk or data.get("b") != batch.pk:
        return None
    if not default_storage.exists(data["k"]):
        return None
    return HeldFile(token=token, key=data["k"], name=data["n"])
