"""The WSGI module loads at start what each worker's first request would (hub/warmup.py)."""

from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.urls import get_resolver

from hub.warmup import _own_template_names, warm_up


def test_warm_up_imports_the_urlconf_and_compiles_every_project_template():
    engine = engines["django"].engine
    (loader,) = (x for x in engine.template_loaders if isinstance(x, CachedLoader))
    loader.reset()

    warm_up()

    names = _own_template_names()
    # The project's own folders, e-mails included; no third-party app's.
    assert {"base.html", "moderation/batch_detail.html", "par/individual.html"} <= set(names)
    assert not [name for name in names if name.startswith(("admin/", "bootstrap5/"))]
    assert set(names) <= set(loader.get_template_cache)
    assert get_resolver()._populated
