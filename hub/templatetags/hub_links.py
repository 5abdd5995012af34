from django import template

from hub.fixed_urls import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a pattern without arguments, reversed once per process."""
    return _fixed_url(name)
