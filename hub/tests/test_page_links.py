"""{% page_links %} prints the numbered links hub/_pagination.html used to loop over."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from hub.paging import paginate

# The markup the template printed before (hub/_pagination.html, numbered branch), with the
# gap as the entity it now is (an all-ASCII page encodes ~60 times faster).
BEFORE = Template(
    """<nav aria-label="{{ label|default:'Pages' }}">
  <p class="small text-body-secondary mb-1">Page {{ page.number }} of {{ page.paginator.num_pages }}</p>
  <ul class="pagination flex-wrap">
    {% if page.previous_url %}<li class="page-item"><a class="page-link" href="{{ page.previous_url }}">Previous</a></li>{% endif %}
    {% for link in page.links %}{% if link.current %}<li class="page-item active" aria-current="page"><span class="page-link">{{ link.label }}</span></li>{% elif link.url %}<li class="page-item"><a class="page-link" href="{{ link.url }}" aria-label="Page {{ link.label }}">{{ link.label }}</a></li>{% else %}<li class="page-item disabled"><span class="page-link">&hellip;</span></li>{% endif %}{% endfor %}
    {% if page.next_url %}<li class="page-item"><a class="page-link" href="{{ page.next_url }}">Next</a></li>{% endif %}
  </ul>
</nav>"""  # noqa: E501
)
AFTER = Template("{% load hub_links %}{% page_links page label %}")


@pytest.mark.parametrize("number", ["1", "2", "9", "20", "40"])
@pytest.mark.parametrize("label", [None, 'Pages of "batches" & <more>'])
def test_the_same_links_as_the_template_printed(number, label, settings):
    settings.HUB_PAGE_SIZE = 10
    request = RequestFactory().get("/x/", {"page": number, "q": "a&b", "sort": "-name"})
    page = paginate(request, list(range(400)))
    context = {"page": page} if label is None else {"page": page, "label": label}
    assert AFTER.render(Context(context)) == BEFORE.render(Context(context))
    if number == "20":  # gaps on both sides of the current page
        assert AFTER.render(Context(context)).count("&hellip;") == 2
