"""hub.paging: numbered page links that keep the other parameters, and row URLs made once."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hub.paging import paginate, short_date, url_maker


def links(page):
    return [(link.label, link.url, link.current) for link in page.links]


def test_page_links_keep_search_and_sort_and_elide_far_pages():
    request = RequestFactory().get("/x/", {"q": "smith", "sort": "-dob", "page": "10"})
    page = paginate(request, list(range(1000)), per_page=50)
    assert page.number == 10
    assert links(page)[0] == ("1", "?q=smith&sort=-dob&page=1", False)
    assert ("…", "", False) in links(page)
    assert ("10", "", True) in links(page)
    assert links(page)[-1] == ("20", "?q=smith&sort=-dob&page=20", False)
    assert page.previous_url == "?q=smith&sort=-dob&page=9"
    assert page.next_url == "?q=smith&sort=-dob&page=11"


def test_a_page_past_the_end_is_the_last_and_has_no_next():
    page = paginate(RequestFactory().get("/x/", {"page": "99"}), list(range(120)), per_page=50)
    assert page.number == 3
    assert page.next_url == ""
    assert [link.label for link in page.links] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("name", "args"),
    [("claims:candidate-edit", [7]), ("centres:learner-detail", []), ("claims:unit-edit", [3])],
)
def test_url_maker_gives_what_reverse_gives(name, args):
    make = url_maker(name, *args)
    for key in (1, 42, 123456):
        assert make(key) == reverse(name, args=[*args, key])


def test_short_date_is_day_month_year_in_local_time():
    assert short_date(datetime.date(2026, 3, 4)) == "4 Mar 2026"
    assert short_date(None, blank="—") == "—"
    summer_midnight = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    assert short_date(summer_midnight) == "1 Jul 2026"  # 00:30 in London
