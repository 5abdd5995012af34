import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Certificates in tests land in a throwaway folder, never in var/media.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The verify page's rate limit lives in the cache; each test starts with none used.
    cache.clear()
    yield
    cache.clear()


def ready_emails(messages) -> list:
    """The "Certificates ready" emails among ``messages``: Complete also notifies the centre
    of the outcome (R-NTF-1), which is not what these tests count."""
    subjects = ((m, getattr(m, "subject", None) or m["Subject"]) for m in messages)
    return [m for m, subject in subjects if subject.startswith("Certificates ready")]
