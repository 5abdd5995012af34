"""Template tags for the error summary the base layout shows above every page's content."""

from django import template

from hub.forms import summary_errors

register = template.Library()


@register.inclusion_tag("hub/_error_summary.html", takes_context=True)
def error_summary(context):
    """Show "There is a problem", with a link to each field in error, when a form has errors."""
    return {"errors": summary_errors(context.flatten())}


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """Put "Error: " before the page's title while a form on it has errors (GOV.UK)."""
    return "Error: " if summary_errors(context.flatten()) else ""
