"""A real S3-compatible server for tests: moto's server mode, in-process, on a loopback port.

``s3_server`` starts it once per test session. ``s3`` gives a test an empty private bucket
and switches the default storage to it with the same options production uses
(``hub.storage.s3_storage``), so uploads, signed URLs and deletions go over HTTP to a server
exactly as they would to AWS or MinIO. The bucket and its objects go when the test ends.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import pytest

ACCESS_KEY = "hub-test-access-key"
SECRET_KEY = "hub-test-secret-key"
REGION = "eu-west-2"


@dataclass
class S3Bucket:
    """The test's bucket, seen from outside the hub: what is stored there, and how to ask."""

    endpoint: str
    name: str
    client: object  # a boto3 S3 client with the test credentials

    def stored_keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=self.name, Key=key)

    def unsigned_url(self, key: str) -> str:
        """The object's plain address (path style), as anyone on the network could try it."""
        return f"{self.endpoint}/{self.name}/{key}"


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1 and a free port; its address."""
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request moto serves; the tests read the bucket instead.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings) -> S3Bucket:
    """An empty private bucket on the test server, set as the hub's default storage."""
    import boto3

    from hub.storage import s3_storage

    name = f"hub-test-{uuid.uuid4().hex[:16]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name=name,
            endpoint_url=s3_server,
            region_name=REGION,
            signed_url_seconds=settings.HUB_SIGNED_URL_SECONDS,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        ),
    }
    bucket = S3Bucket(endpoint=s3_server, name=name, client=client)
    yield bucket
    for key in bucket.stored_keys():
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)
