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
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
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
        "seed_demo", **PRODUCTION, DATABASE_URL="sqlite:////tmp/hub-never-created.sqlite3"
    )
    assert result.returncode != 0
    assert "never loaded under the production profile" in result.stderr
