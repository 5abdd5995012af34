"""Stored files that no row points to: left by work killed between storing and committing.

A file reaches storage before the row that names it commits: an upload is written while its
request's transaction is still open, a certificate PDF is drawn and stored before the row
is updated with its name. If the request or the worker dies in between (or the transaction
rolls back), the file stays in storage and nothing can ever reach it. ``sweep`` removes
such files, and only those:

- it looks only under the folders the models' file fields write to (``moderation/``,
  ``certificates/``...), never the rest of the bucket or media folder;
- a file is a candidate only if no row of any model's file field on that storage names it,
  checked against the database in chunks (never the whole table in memory), and checked
  again just before it is deleted;
- and only if it is older than the grace period (``HUB_ORPHAN_GRACE_HOURS``): a file
  stored moments ago is normally one whose row is about to commit.

It works on any Django storage with ``listdir``, ``get_modified_time`` and ``delete``: local
disk and django-storages' S3 backend (whose ``listdir`` pages through the bucket by prefix).
Beat runs it under the ``orphan-sweep`` lock (``hub.tasks.orphan_sweep``).
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

log = logging.getLogger(__name__)

CHUNK = 500  # names checked against the database per query


def file_fields(storage=default_storage) -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every concrete file field that stores in ``storage``."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and field.storage is storage:
                found.append((model, field.name))
    return found


def folders(storage=default_storage) -> list[str]:
    """The top-level folders those fields write to, from the names they generate."""
    tops = set()
    for model, name in file_fields(storage):
        field = model._meta.get_field(name)
        # upload_to (a pattern or a function of the instance, which ours never read) gives
        # the folder; a field that stores at the root would make the whole storage ours,
        # which is refused rather than guessed.
        try:
            generated = field.generate_filename(None, "probe.pdf")
        except Exception as exc:
            raise ValueError(
                f"{model.__name__}.{name}: its upload_to must name its folder without reading "
                f"the instance, so the orphan sweep knows where to look ({exc!r})."
            ) from exc
        top = generated.split("/", 1)[0]
        if top == generated:
            raise ValueError(f"{model.__name__}.{name} stores files at the storage's root.")
        tops.add(top)
    return sorted(tops)


def _walk(storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder``, depth first."""
    try:
        subfolders, names = storage.listdir(folder)
    except FileNotFoundError:  # local disk: nothing was ever stored there
        return
    for name in names:
        yield posixpath.join(folder, name)
    for sub in subfolders:
        yield from _walk(storage, posixpath.join(folder, sub))


def referenced(names: list[str], storage=default_storage) -> set[str]:
    """Those of ``names`` that some row's file field names."""
    found: set[str] = set()
    for model, field in file_fields(storage):
        manager = model._base_manager
        found.update(manager.filter(**{f"{field}__in": names}).values_list(field, flat=True))
    return found


def _chunks(names: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for name in names:
        chunk.append(name)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def sweep(
    *,
    storage=default_storage,
    grace: timedelta | None = None,
    now: datetime | None = None,
    limit: int = 1000,
) -> list[str]:
    """Delete up to ``limit`` unreferenced files older than ``grace``; return their names."""
    if grace is None:
        grace = timedelta(hours=settings.HUB_ORPHAN_GRACE_HOURS)
    cutoff = (now or timezone.now()) - grace
    removed: list[str] = []
    for folder in folders(storage):
        for chunk in _chunks(_walk(storage, folder)):
            known = referenced(chunk, storage)
            for name in (name for name in chunk if name not in known):
                if len(removed) >= limit:
                    log.info("Orphan sweep stopped at %s files; the next run goes on.", limit)
                    return removed
                if _remove_if_orphan(storage, name, cutoff):
                    removed.append(name)
    if removed:
        log.info("Orphan sweep removed %s stored file(s) no row refers to.", len(removed))
    return removed


def _remove_if_orphan(storage, name: str, cutoff: datetime) -> bool:
    try:
        modified = storage.get_modified_time(name)
    except FileNotFoundError:
        return False  # gone meanwhile
    if timezone.is_naive(modified):
        modified = timezone.make_aware(modified, timezone.get_default_timezone())
    if modified > cutoff:
        return False  # recent: its row may be about to commit
    # Checked again at the last moment: a row may have come to name it since the chunk's query.
    if referenced([name], storage):
        return False
    storage.delete(name)
    log.info("Orphan sweep removed %s (stored %s, no row refers to it).", name, modified)
    return True
