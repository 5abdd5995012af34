"""Pages of a hub.prepared query that PostgreSQL plans once per connection (issue 9).

Every windowed ``Prepared`` now runs this way (``Prepared._window_text``: the page's size in
the text, the offset through a scalar subquery); ``PlannedWindow`` is the name the
moderation lists were first written with.
"""

from __future__ import annotations

from hub.prepared import Prepared


class PlannedWindow(Prepared):
    """A windowed ``Prepared`` (``window=True``)."""

    def __init__(self, build, *kinds: str) -> None:
        super().__init__(build, *kinds, window=True)
