"""The production static files storage, each asset's address worked out once per process.

WhiteNoise's manifest storage looks every ``{% static %}`` up in its manifest, then joins
and quotes the address, on every page: the base template's seven assets cost about 0.4 ms
of a page's Python (issue 9). The manifest is read once when the process starts and never
changes under it, so neither does any address.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
