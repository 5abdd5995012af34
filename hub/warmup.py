"""Load at start what Django would otherwise load on each worker's first requests (issue 9).

Django imports the URLconf (and with it every view module, reportlab and redis' client
among them) on the first request a process serves, and compiles each template the first
time it is rendered. Under gunicorn that happened in every worker, after the fork, and again
in each worker that ``max_requests`` replaced: at a thousand requests a second on the
2-core bench box a quarter of the workers' Python went on importing the URLconf again
(py-spy, `make bench`'s trivial view). Done here, in the master that ``preload_app``
forks, the workers share the result and start serving at once.

Nothing here opens a database connection: a socket made before the fork would be shared by
every worker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def _own_template_names() -> list[str]:
    """Every template under the project's folders: ``templates/`` and each app's."""
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for folder in settings.TEMPLATES[0].get("DIRS", [])]
    from django.apps import apps

    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        # The project's own apps sit at its top level (the virtualenv may be inside it too).
        if Path(config.path).resolve().parent == base
    ]
    names = set()
    for folder in folders:
        if folder.is_dir():
            names.update(
                path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
            )
    return sorted(name for name in names if name.endswith((".html", ".txt")))


def warm_up() -> None:
    """Import every view (through the URLconf) and compile the project's templates."""
    from django.template import engines
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (imports the URLconf and every view module)
    resolver.reverse_dict  # noqa: B018 (the table reverse() reads, built once)
    engine = engines["django"]
    for name in _own_template_names():
        # The cached loader keeps each compiled template; a template that extends or
        # includes others loads them as it compiles.
        engine.get_template(name)
