"""Text from outside is escaped the same way whether it is short (remembered) or long (not)."""

import html

import pytest

from opcc.core.safe_text import SHORT_TEXT, html_text


@pytest.mark.parametrize("length", [1, SHORT_TEXT, SHORT_TEXT + 1, 40_000])
def test_short_and_long_texts_are_escaped_alike(length):
    hostile = ('<script>alert("x")</script>&\'' * (length // 30 + 1))[:length]
    assert html_text(hostile) == html.escape(hostile, quote=True)
    assert "<" not in html_text(hostile) and '"' not in html_text(hostile)


def test_nothing_is_empty_and_numbers_are_text():
    assert html_text(None) == ""
    assert html_text(12.5) == "12.5"
