"""Amounts in NOK are grouped as the page's language writes them."""

from django.utils import translation

from varde.web.templatetags.varde import grouped


def test_amounts_are_grouped_in_the_page_language():
    with translation.override("nb"):
        assert grouped(221_000_000) == "221\xa0000\xa0000"
    with translation.override("en"):
        assert grouped(221_000_000) == "221,000,000"
    assert grouped(None) == "" and grouped(0) == "0"
