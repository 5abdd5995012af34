import itertools
from html import escape

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
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
        text = escape(str(link.label))
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
