"""The production profile is deployable and refuses what it must."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3#Vz9!pQ2@wL7^rT5&yB8*uN1(mF4)hJ6-xC0+sD3=gA9_eR2~oI5",
    "DJANGO_ALLOWED_HOSTS": "hub.example.org",
    # Every part shared, as on more than one node (nothing here connects to them).
    "DATABASE_URL": "postgres://hub@127.0.0.1:5432/hub",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "hub-media",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
}
# What the calling shell may have set (the PostgreSQL leg, a developer's S3...): each test
# says exactly which services its process has.
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "HUB_SINGLE_NODE",
)


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in SERVICE_VARIABLES
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_the_production_profile():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_demo_data_is_never_loaded_by_the_production_profile():
    result = manage(
        "seed_demo",
        **{
            **PRODUCTION,
            "DATABASE_URL": "sqlite:////tmp/hub-never-created.sqlite3",
            "HUB_SINGLE_NODE": "1",
        },
    )
    assert result.returncode != 0
    assert "never loaded under the production profile" in result.stderr


def production_without(*names: str, **extra) -> dict:
    return {**{k: v for k, v in PRODUCTION.items() if k not in names}, **extra}


def test_production_profile_refuses_local_media_on_more_than_one_node():
    result = manage("check", **production_without("AWS_STORAGE_BUCKET_NAME"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "media on local disk (set AWS_STORAGE_BUCKET_NAME)" in result.stderr
    assert "HUB_SINGLE_NODE=1" in result.stderr
    # Only what is local is named: the database, cache and broker here are shared.
    assert "SQLite" not in result.stderr
    assert "REDIS_URL" not in result.stderr


def test_production_profile_refuses_a_per_process_cache_sqlite_and_a_disk_broker():
    result = manage("check", **production_without("DATABASE_URL", "REDIS_URL"))
    assert result.returncode != 0
    assert "SQLite (set DATABASE_URL to PostgreSQL)" in result.stderr
    assert "a per-process cache (set REDIS_URL)" in result.stderr
    assert "a broker on local disk (set REDIS_URL)" in result.stderr
    assert "media on local disk" not in result.stderr


def test_a_single_node_install_may_keep_media_on_its_own_disk():
    result = manage(
        "check",
        **production_without(
            "AWS_STORAGE_BUCKET_NAME",
            "DATABASE_URL",
            "REDIS_URL",
            DATABASE_URL="sqlite:////tmp/hub-never-created.sqlite3",
            HUB_SINGLE_NODE="1",
        ),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


SHOW_SHARED_STATE = """
from django.conf import settings
from django.core.files.storage import default_storage
from importlib import import_module
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessions
from hub.storage import is_s3
print(settings.CACHES["default"]["BACKEND"], settings.CACHES["default"]["LOCATION"])
print(settings.SESSION_ENGINE, issubclass(import_module(settings.SESSION_ENGINE).SessionStore, DatabaseSessions))
print(settings.CELERY_BROKER_URL)
print(is_s3(default_storage), default_storage.bucket_name, default_storage.default_acl)
print(default_storage.querystring_auth, default_storage.querystring_expire)
"""


def test_production_shares_sessions_cache_broker_and_files_between_nodes():
    result = manage(
        "shell", "--no-imports", "-c", SHOW_SHARED_STATE, **PRODUCTION, HUB_SIGNED_URL_SECONDS="45"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "django.core.cache.backends.redis.RedisCache redis://127.0.0.1:6379/0"
    # Sessions in the database every node reads (Django's engine, with a plain-SQL read);
    # never a node's memory or files.
    assert lines[1] == "hub.session_store True"
    assert lines[2] == "redis://127.0.0.1:6379/0"
    # Files in a private bucket, handed out only as signed URLs that expire.
    assert lines[3] == "True hub-media private"
    assert lines[4] == "True 45"
