"""A URLconf for hub/tests/test_fixed_urls.py: the hub's, less its probes."""

from hub.urls import urlpatterns as hub_patterns

urlpatterns = [p for p in hub_patterns if getattr(p, "name", None) not in ("healthz", "readyz")]
