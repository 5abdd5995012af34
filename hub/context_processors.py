from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str
    current: bool
    aria_current: str  # "page" on the section's own page, "true" further in, "" elsewhere


def navigation(request):
    """The header's links: the sections the user has (as on the home page), current marked.

    The current one is the link whose address is the longest start of this page's: the
    Moderation section holds every batch page, "Moderation queue" its own pages. Not on
    the home page, whose tiles are the same links.
    Computed only when the header is printed (a callable), and with no query.
    """

    def items() -> list[NavItem]:
        from .views import body_tiles, section_tiles

        user = getattr(request, "user", None)
        # The home page's tiles are these same links, with their descriptions: not twice.
        if user is None or not user.is_authenticated or request.path == "/":
            return []
        tiles = section_tiles(getattr(request, "membership", None)) + body_tiles(user)
        path = request.path
        matches = [t.url for t in tiles if path.startswith(t.url)]
        current = max(matches, key=len) if matches else None
        return [
            NavItem(
                t.title,
                t.url,
                t.url == current,
                ("page" if t.url == path else "true") if t.url == current else "",
            )
            for t in tiles
        ]

    def html() -> str:
        """The sections' list as the header prints it, built here rather than by a loop of
        lookups in the template; "" when there is none."""
        return _nav_html(tuple(items()))

    return {"nav_html": html}


@lru_cache(maxsize=512)
def _nav_html(items: tuple[NavItem, ...]) -> str:
    """The list for these links, marked as given: a few kinds of user (their sections) times
    the section a page is in, so each is formatted and escaped once per process."""
    links = []
    for item in items:
        current = f' aria-current="{item.aria_current}"' if item.current else ""
        links.append(
            f'<li class="nav-item"><a class="nav-link{" active" if item.current else ""}"'
            f' href="{escape(item.url)}"{current}>{escape(item.title)}</a></li>'
        )
    if not links:
        return ""
    return mark_safe(  # noqa: S308 (escaped above)
        '<ul class="navbar-nav flex-row flex-wrap column-gap-3 me-md-3 hub-sections">'
        + "".join(links)
        + "</ul>"
    )
