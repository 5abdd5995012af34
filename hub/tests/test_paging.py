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


@pytest.mark.django_db
def test_prepared_pages_give_paginate_the_querysets_pages_and_ask_nothing_when_empty(
    django_assert_num_queries,
):
    """PreparedPages: a windowed hub.prepared query paged as its queryset would be, one
    query a page; an empty list's page asks the database nothing."""
    from centres.models import Centre
    from hub.paging import PreparedPages
    from hub.prepared import Prepared

    made = [
        Centre.objects.create(number=f"7700{i}", name=f"Paged {i}", contact_email="p@x.test")
        for i in range(7)
    ]

    def build(low):
        return Centre.objects.filter(pk__gte=low).order_by("number").values_list("pk")

    since = Prepared(build, "int", window=True)
    request = RequestFactory().get("/x/", {"page": "2"})
    pages = PreparedPages(since, made[0].pk, counter=Prepared(build, "int"))
    assert pages.count() == len(pages) == 7
    with pytest.raises(TypeError, match="give paginate the count"):
        PreparedPages(since, made[0].pk).count()
    with django_assert_num_queries(1):
        page = paginate(request, pages, per_page=3, count=7)
    assert [pk for (pk,) in page.object_list] == [c.pk for c in made[3:6]]
    with django_assert_num_queries(0):
        empty = paginate(request, PreparedPages(since, made[-1].pk + 1), per_page=3, count=0)
    assert list(empty.object_list) == [] and empty.number == 1


def test_url_maker_reverses_once_per_process_and_still_matches_reverse(settings):
    """The pattern is reversed once and the keys put in place: several leading keys, a text
    key (reversed as before), and a script prefix all give what reverse gives."""
    from django.urls import set_script_prefix

    name = "moderation:sample-upload"
    for batch in (2, 1234567):
        assert url_maker(name, batch)(9) == reverse(name, args=[batch, 9])
    assert url_maker("claims:candidate-edit", "7")(3) == reverse(
        "claims:candidate-edit", args=["7", 3]
    )
    set_script_prefix("/hub/")
    try:
        assert url_maker(name, 5)(6) == reverse(name, args=[5, 6])
        assert url_maker(name, 5)(6).startswith("/hub/moderation/")
    finally:
        set_script_prefix("/")
