"""django-csp's middleware, with the hub's one policy built once rather than per response.

The hub sends the same Content-Security-Policy on every response (settings, no nonce, no
per-view decorator), but django-csp rebuilds the header from the settings twice per
response (the policy and the report-only one), a tenth of a trivial request's Python
(issue 9). Here the header is built on first use and again only when the settings change;
a response that uses a nonce or a per-view policy goes through django-csp as before.
"""

from __future__ import annotations

from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# Set on a response by django-csp's decorators (csp_exempt, csp_update, csp_replace, ...).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


@cache
def _fixed_policy() -> str | None:
    """The header every response gets, or None when the settings make it vary."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    if (
        not policy
        or policy.get("EXCLUDE_URL_PREFIXES")
        or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    ):
        return None
    return build_policy() or None


@receiver(setting_changed)
def _settings_changed(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _fixed_policy.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request, response):
        header = _fixed_policy()
        if (
            header is None
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = header
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
