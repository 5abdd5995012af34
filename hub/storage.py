"""Where uploads and certificates live: S3-compatible storage in production, local disk else.

``s3_storage`` builds the ``STORAGES["default"]`` entry that settings use when
``AWS_STORAGE_BUCKET_NAME`` is set (the tests that run against a real S3 server use it too,
so they exercise exactly what production runs). ``is_s3`` tells views to hand out signed
URLs instead of sending bytes themselves, and ``storage_reachable`` is the readiness probe's
storage check. This module imports no settings: hub/settings.py imports it.
"""

from __future__ import annotations

MB = 1024 * 1024
# An upload goes to S3 in parts of this size (S3's smallest part is 5 MiB), one part in
# flight while the next is read from the upload's temporary file: a 50 MB sample never sits
# in a web worker's memory whole (hub/tests/test_storage_s3.py measures about 13 MB).
# Parts go one after the other; within a region that costs well under a second for 50 MB.
UPLOAD_PART_BYTES = 5 * MB
UPLOAD_PARTS_IN_MEMORY = 1


def transfer_config():
    """boto3's managed-transfer settings for uploads: multipart above one part, bounded memory."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(
        multipart_threshold=UPLOAD_PART_BYTES,
        multipart_chunksize=UPLOAD_PART_BYTES,
        max_concurrency=UPLOAD_PARTS_IN_MEMORY,
        # The classic manager: its memory bound below is documented and applies here.
        preferred_transfer_client="classic",
    )
    # s3transfer reads each part of a file object into memory before sending it; this caps
    # how many such parts exist at once (the default, 10, would hold a whole 50 MB file).
    config.max_in_memory_upload_chunks = UPLOAD_PARTS_IN_MEMORY
    return config


def s3_storage(
    *,
    bucket_name: str,
    endpoint_url: str | None,
    region_name: str | None,
    signed_url_seconds: int,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> dict:
    """The ``STORAGES["default"]`` entry for a private bucket whose downloads are signed URLs.

    Without ``access_key``/``secret_key`` boto3 finds credentials itself (the
    ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` variables, an instance role...).
    """
    from botocore.config import Config

    options = {
        "bucket_name": bucket_name,
        "endpoint_url": endpoint_url or None,
        "region_name": region_name or None,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": signed_url_seconds,
        # SigV4 signed URLs carry their lifetime (X-Amz-Expires) and work in every region.
        "signature_version": "s3v4",
        "file_overwrite": False,
        "transfer_config": transfer_config(),
        # A storage that does not answer fails the request (or the readiness probe) in
        # seconds, instead of holding a web worker for botocore's default minute.
        "client_config": Config(
            connect_timeout=2,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            signature_version="s3v4",
        ),
    }
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def is_s3(storage) -> bool:
    """True when ``storage`` is django-storages' S3 backend (downloads go by signed URL)."""
    from storages.backends.s3 import S3Storage

    # isinstance sees through default_storage's lazy wrapper.
    return isinstance(storage, S3Storage)


def private_download(file, *, filename: str, content_type: str):
    """The response that hands ``file`` (a FieldFile) to a user the view has already checked.

    On S3 the browser is redirected to a signed URL that lives ``HUB_SIGNED_URL_SECONDS``
    and makes S3 answer with an attachment under ``filename``: the bytes never pass
    through a web worker, and the bucket itself stays private. On local disk the file is
    streamed from here. Either way it is an attachment that no cache keeps.
    """
    from django.http import FileResponse, HttpResponseRedirect
    from django.utils.http import content_disposition_header

    if is_s3(file.storage):
        url = file.storage.url(
            file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(
                    as_attachment=True, filename=filename
                ),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
    # The redirect carries a working URL for its lifetime: no cache may keep it either.
    response["Cache-Control"] = "private, no-store"
    return response


# S3 takes at most 10,000 parts per object; a little headroom for the zip's own headers.
MAX_PARTS = 9_000


def part_bytes_for(expected_size: int) -> int:
    """The multipart part size that fits ``expected_size`` bytes in S3's 10,000 parts.

    5 MiB (S3's smallest part) up to 45 GB, then larger: a 200 GB zip goes in ~23 MB parts.
    One part is held in memory at a time, so this is also the writer's memory cost.
    """
    return max(UPLOAD_PART_BYTES, -(-expected_size // MAX_PARTS))


class _WriteOnly:
    """A write-only view of a storage file: no tell or seek, so zipfile streams into it
    (data descriptors after each member) and never seeks back into a part already sent."""

    def __init__(self, file) -> None:
        self._file = file
        self.written = 0

    def write(self, data) -> int:
        self._file.write(data)
        self.written += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def streaming_writer(storage, name: str, *, expected_size: int):
    """A context manager giving a write-only file that lands in ``storage`` as ``name``.

    On S3 the bytes go up as a multipart upload in parts of ``part_bytes_for(expected_size)``
    (django-storages' S3File, one part buffered in memory at a time): nothing touches the
    worker's disk and memory stays flat however large the object. The upload is completed
    only when the block ends cleanly; on an exception it is aborted, so no half object is
    left. On local disk the file is written in place (the storage is the disk).
    """
    import contextlib
    import os

    @contextlib.contextmanager
    def writer():
        if is_s3(storage):
            from storages.backends.s3 import S3File
            from storages.utils import clean_name

            file = S3File(
                storage._normalize_name(clean_name(name)),
                "wb",
                storage,
                buffer_size=part_bytes_for(expected_size),
            )
            try:
                yield _WriteOnly(file)
            except BaseException:
                if file._multipart is not None:
                    file._multipart.abort()
                    file._multipart = None
                file._is_dirty = False
                file._raw_bytes_written = 1  # closing must not create an empty object
                file.close()
                raise
            file.close()
        else:
            path = storage.path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            try:
                with open(path, "wb") as file:
                    yield _WriteOnly(file)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
                raise

    return writer()


def streaming_reader(storage, name: str):
    """``name`` opened for reading in chunks, never loaded whole.

    django-storages' S3File downloads the whole object into memory when opened for reading;
    here S3's own response body is read as it arrives instead.
    """
    if is_s3(storage):
        from storages.utils import clean_name

        key = storage._normalize_name(clean_name(name))
        return storage.bucket.Object(key).get()["Body"]
    return storage.open(name, "rb")
