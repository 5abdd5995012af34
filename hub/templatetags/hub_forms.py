"""Template tags for the error summary the base layout shows above every page's content."""

from django import template
from django.template.loader import get_template

from hub.forms import summary_errors

register = template.Library()

# Where a page's summary errors are kept for the rest of its render (title, then summary).
_ERRORS = "hub_summary_errors"


def _errors(context) -> list:
    """The page's summary errors, looked for once per render: the title and the summary both
    need them, and each look flattened the whole context."""
    render_context = context.render_context
    errors = render_context.get(_ERRORS)
    if errors is None:
        errors = render_context[_ERRORS] = summary_errors(context.flatten())
    return errors


@register.simple_tag(takes_context=True)
def error_summary(context) -> str:
    """Show "There is a problem", with a link to each field in error, when a form has errors."""
    errors = _errors(context)
    if not errors:
        return ""
    return get_template("hub/_error_summary.html").render({"errors": errors})


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """Put "Error: " before the page's title while a form on it has errors (GOV.UK)."""
    return "Error: " if _errors(context) else ""
