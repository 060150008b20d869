"""The country and language pickers: typing a name in either language or a code chooses the entry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.cases.models import Case

pytestmark = pytest.mark.browser


def test_typing_a_name_or_code_chooses_the_country_and_language(page: Page, personas, agencies):
    sign_in(page, "police")
    page.goto("/report/")
    search = page.locator("#id_nationality_search")
    expect(search).to_have_attribute("aria-label", "Statsborgerskap: Søk etter navn eller kode")
    assert_accessible(page)

    for typed, code in [
        ("Syria", "SY"),
        ("Russland", "RU"),
        ("Russia", "RU"),
        ("USA", "US"),
        ("United States", "US"),
        ("us", "US"),
        ("Nigeria", "NG"),
    ]:
        search.fill(typed)
        expect(page.locator("#id_nationality")).to_have_value(code)
    expect(page.locator("#id_nationality_search_status")).to_have_text("Valgt: Nigeria")
    # Only the matches are left in the list; nothing found leaves the whole list and the choice.
    assert page.locator("#id_nationality option:not([hidden])").count() == 1
    search.fill("qqqq")
    expect(page.locator("#id_nationality_search_status")).to_have_text("Ingen treff")
    expect(page.locator("#id_nationality")).to_have_value("NG")
    assert page.locator("#id_nationality option:not([hidden])").count() > 200

    language = page.locator("#id_language_search")
    for typed, code in [("Dari", "prs"), ("pidgin", "pcm"), ("edo", "bin"), ("tigrinya", "ti")]:
        language.fill(typed)
        expect(page.locator("#id_language")).to_have_value(code)
    language.press("Enter")  # keeps the choice; the form is not sent
    assert page.url.endswith("/report/") and Case.objects.count() == 0
    language.press("ArrowDown")  # on to the list itself
    expect(page.locator("#id_language")).to_be_focused()
    assert_accessible(page)

    page.fill("#id_phone", "+234 803 123 4567")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    person = Case.objects.get().person
    assert person.nationalities == ["NG"] and person.languages == ["ti"]
    page.goto(f"/persons/{person.pk}/")
    expect(page.locator("main")).to_contain_text("+234 803 123 4567")
    expect(page.locator("main")).to_contain_text("Tigrinja")
