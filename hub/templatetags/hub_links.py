import itertools
from html import escape

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from hub.fixed_urls import fixed_url as _fixed_url
from hub.fixed_urls import keyed_url as _keyed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a pattern without arguments, reversed once per process."""
    return _fixed_url(name)


@register.simple_tag
def keyed_url(name: str, key) -> str:
    """``{% url name key %}`` for a pattern with one integer key (a claim's, a batch's): the
    pattern reversed once per process, the key put in its place."""
    return _keyed_url(name, key)


# Bumped when settings change (tests point STATIC_URL or the storage elsewhere), so every
# ``{% once %}`` block renders afresh.
_generation = itertools.count()
_current = [next(_generation)]


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _current[0] = next(_generation)


class OnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}

    def render(self, context) -> str:
        key = (_current[0], get_script_prefix())
        text = self.rendered.get(key)
        if text is None:
            if len(self.rendered) > 8:  # settings changed many times (tests): keep a few
                self.rendered.clear()
            text = self.rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def once(parser, token):
    """``{% once %}...{% endonce %}``: rendered the first time, then the same text reused.

    Only for markup that depends on nothing but settings and the URLconf (``{% static %}``,
    ``{% fixed_url %}``, fixed text): the head's icons, style sheets and scripts every page
    prints the same. Never for anything of the request, the user or the page.
    """
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)


def _csrf_token(context) -> str:
    """The page's CSRF token as text, worked out once per render: the context's lazy token
    answered each isinstance, comparison and escape of the template through a proxy."""
    render_context = context.render_context
    token = render_context.get("hub_csrf_token")
    if token is None:
        lazy = context.get("csrf_token")
        token = render_context["hub_csrf_token"] = str(lazy) if lazy else ""
    return token


@register.simple_tag(takes_context=True)
def csrf_value(context) -> str:
    """``{{ csrf_token }}``: the token itself (escaped by the tag)."""
    return _csrf_token(context)


@register.simple_tag(takes_context=True)
def csrf_input(context) -> str:
    """``{% csrf_token %}``: the hidden field a form posts the token in, none without one."""
    token = _csrf_token(context)
    if not token or token == "NOTPROVIDED":
        return ""
    return mark_safe(  # noqa: S308 (escaped)
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
    )


@register.simple_tag
def page_links(page, label="") -> str:
    """hub/_pagination.html's numbered links for a page from ``hub.paging.paginate``, built
    here: the template printed each link through a loop of tests and lookups, on every list."""
    previous = (
        f'<li class="page-item"><a class="page-link" href="{escape(page.previous_url)}">'
        "Previous</a></li>"
        if page.previous_url
        else ""
    )
    items = []
    for link in page.links:
        # The gap as an entity: one "…" made the whole page's text wide (two bytes a
        # character) and its encoding to UTF-8 ~60 times dearer than an all-ASCII page's.
        text = "&hellip;" if link.is_gap else escape(str(link.label))
        if link.current:
            items.append(
                '<li class="page-item active" aria-current="page">'
                f'<span class="page-link">{text}</span></li>'
            )
        elif link.url:
            items.append(
                f'<li class="page-item"><a class="page-link" href="{escape(link.url)}"'
                f' aria-label="Page {text}">{text}</a></li>'
            )
        else:
            items.append(
                f'<li class="page-item disabled"><span class="page-link">{text}</span></li>'
            )
    following = (
        f'<li class="page-item"><a class="page-link" href="{escape(page.next_url)}">Next</a></li>'
        if page.next_url
        else ""
    )
    return mark_safe(  # noqa: S308 (every text escaped above)
        f'<nav aria-label="{escape(str(label or "Pages"))}">\n'
        f'  <p class="small text-body-secondary mb-1">Page {page.number} of'
        f" {page.paginator.num_pages}</p>\n"
        f'  <ul class="pagination flex-wrap">\n    {previous}\n    {"".join(items)}\n'
        f"    {following}\n  </ul>\n</nav>"
    )


@register.simple_tag(takes_context=True)
def centre_picker(context) -> str:
    """hub/_centre_picker.html's form, built here: the header prints it on every page for a
    member of more than one centre. Reads what the include passes (label, picker_id,
    in_header, button) and the page's centres, request and CSRF token."""
    in_header = bool(context.get("in_header"))
    request = context.get("request")
    current = context.get("current_centre")
    current_pk = current.pk if current is not None else None
    csrf = csrf_input(context)
    picker_id = escape(str(context.get("picker_id") or ""))
    options = "".join(
        f'\n    <option value="{m.centre_id}"{" selected" if m.centre_id == current_pk else ""}>'
        f"{escape(str(m.centre.number))} {escape(str(m.centre.name))}</option>\n    "
        for m in context.get("available_memberships") or ()
    )
    return mark_safe(  # noqa: S308 (every text escaped above)
        f'<form method="post" action="{escape(_fixed_url("centres:switch"))}" class="centre-picker'
        f' d-flex flex-wrap align-items-center gap-2{"" if in_header else " mb-3"}" data-busy>\n'
        f"  {csrf}\n"
        f'  <input type="hidden" name="next" value="{escape(request.get_full_path())}">\n'
        f'  <label for="{picker_id}" class="mb-0'
        f'{" text-white small" if in_header else " fw-semibold"}">'
        f"{escape(str(context.get('label') or ''))}</label>\n"
        f'  <select id="{picker_id}" name="centre" class="form-select w-auto'
        f'{" form-select-sm" if in_header else ""}">\n    {options}\n  </select>\n'
        f'  <button type="submit" class="btn{" btn-sm btn-light" if in_header else " btn-outline-primary"}"'
        f' data-busy-label="Switching…">{escape(str(context.get("button") or "Switch"))}</button>\n'
        "</form>"
    )


# --- The page's frame (base.html) ---------------------------------------------------------
# Every page printed its header through some twenty lookups of the lazy user, the settings
# and the context processors' values (~0.35 ms of a worker's Python a page, issue 9); the
# three tags below print the same markup from the request in one pass. The centre area
# between them stays a block: a page may show its own (moderation/index.html).


def _signed_in(context):
    """The request's user if logged in, else None (the user is loaded by then: middleware)."""
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def page_top(context) -> str:
    """``<body>`` to the header's centre area (logged in) or to its end (anonymous)."""
    from .. import sessions

    token = escape(_csrf_token(context))
    home = escape(_fixed_url("home"))
    user = _signed_in(context)
    if user is None:
        return mark_safe(  # noqa: S308 (escaped)
            f"""<body data-hx-headers='{{"X-CSRFToken": "{token}"}}'>\n"""
            + _SKIP_AND_BRAND.format(home=home)
        )
    request = context["request"]
    session = getattr(request, "session", None)
    left = sessions.seconds_left(session) if session is not None else settings.SESSION_COOKIE_AGE
    warning = min(settings.HUB_SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE)
    nav = context.get("nav_html")
    nav = conditional_escape(nav() if callable(nav) else (nav or ""))
    return mark_safe(  # noqa: S308 (escaped)
        f"""<body data-hx-headers='{{"X-CSRFToken": "{token}"}}'"""
        f' data-session-seconds="{settings.SESSION_COOKIE_AGE}"'
        f' data-session-seconds-left="{left}" data-session-warning-seconds="{warning}"'
        f' data-keepalive-url="{escape(_fixed_url("session-keepalive"))}">\n'
        + _SKIP_AND_BRAND.format(home=home)
        + f"\n      {nav}\n"
        '      <div class="d-flex flex-wrap align-items-center gap-2 ms-auto">\n        '
    )


_SKIP_AND_BRAND = (
    '<a class="visually-hidden-focusable" href="#main">Skip to main content</a>\n'
    "<header>\n"
    '  <nav class="navbar navbar-expand-md navbar-dark hub-navbar" aria-label="Main">\n'
    '    <div class="container">\n'
    '      <a class="navbar-brand" href="{home}">Awarding Body Hub</a>\n      '
)


@register.simple_tag(takes_context=True)
def header_centre(context) -> str:
    """The header's centre area: the picker for a member of several centres, else the one
    centre's number and name, else nothing."""
    memberships = context.get("available_memberships") or ()
    if len(memberships) > 1:
        with context.push(label="Available Centres", picker_id="centre-switcher", in_header=True):
            return mark_safe(f"\n        \n{centre_picker(context)}\n\n        ")  # noqa: S308
    centre = context.get("current_centre")
    if centre:
        return mark_safe(  # noqa: S308 (escaped)
            '\n        <span class="text-white small" data-testid="current-centre">'
            f"{escape(str(centre.number))} {escape(str(centre.name))}</span>\n        "
        )
    return ""


@register.simple_tag(takes_context=True)
def page_top_end(context) -> str:
    """The header's account links to the opening of ``<main>`` (the idle-session warning
    between, for a user logged in)."""
    user = _signed_in(context)
    if user is None:
        return mark_safe(_HEADER_END + '\n<main id="main" class="container py-4">')  # noqa: S308
    minutes = max(
        1, round(min(settings.HUB_SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE) / 60)
    )
    return mark_safe(  # noqa: S308 (escaped)
        "\n"
        f'        <a class="btn btn-sm btn-outline-light" href="{escape(_fixed_url("password_change"))}">'
        "Change password</a>\n"
        f'        <form method="post" action="{escape(_fixed_url("logout"))}">{csrf_input(context)}\n'
        '          <button type="submit" class="btn btn-sm btn-outline-light">Log out'
        f" {escape(str(user.email))}</button>\n"
        "        </form>\n"
        "      </div>\n      " + _HEADER_END + "\n"
        '<div id="session-warning" class="alert alert-warning shadow session-warning" role="alert" hidden>\n'
        '  <p class="mb-2">You have been inactive for a while: your session ends in about'
        f" {minutes} minute{'' if minutes == 1 else 's'} unless you stay. Anything not yet"
        " saved would be lost.</p>\n"
        '  <button type="button" class="btn btn-sm btn-primary" data-session-keepalive>Stay logged'
        " in</button>\n"
        "</div>\n"
        '\n<main id="main" class="container py-4">'
    )


_HEADER_END = "\n    </div>\n  </nav>\n</header>\n"
