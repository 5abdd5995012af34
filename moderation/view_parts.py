"""Small pieces the moderation lists' views share, each worked out once a view (issue 9)."""

from __future__ import annotations

from html import escape

from django.http import HttpRequest

from hub.csrf import get_token


def page_csrf(request: HttpRequest) -> tuple[str, str]:
    """The request's CSRF token, masked once, and the hidden input its forms post it in.

    The view puts the token in its context as ``csrf_token``, so the header's forms
    (base.html: hub_links' csrf_value and csrf_input) print the same one rather than
    masking another (hub.csrf.get_token masks afresh on each call).
    Any masked form of the request's secret is valid, as before.
    """
    token = get_token(request)
    return token, f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


class Escaped(dict):
    """Texts escaped once per page, looked up by the text: a page's rows repeat a few texts
    many times (Select Units' 200 boxes share a qualification's unit labels, the batch
    page's 50 slots their learners' names and units), and escape is five replaces a text."""

    __slots__ = ()

    def __missing__(self, text: str) -> str:
        self[text] = escaped = escape(text)
        return escaped


def ascii_html(text: str) -> str:
    """``text`` escaped, with any character beyond ASCII as a numeric reference (an en
    dash, filesizeformat's no-break space): one such character makes Python keep a whole
    page's text wide, and its encoding to UTF-8 ~60 times dearer than an all-ASCII page's."""
    text = escape(text)
    return text if text.isascii() else text.encode("ascii", "xmlcharrefreplace").decode("ascii")
