import itertools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix

from hub.fixed_urls import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a pattern without arguments, reversed once per process."""
    return _fixed_url(name)


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
