"""The annual status report in the browser: a coordinator opens the 2009 report from the menu, the
charts load under the enforced CSP, the page has 0 axe violations, and the coordinator writes a
section with the keyboard only and sees it saved. An analyst reads it without the edit link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.demo.demo2009 import load_2009
from varde.statistics.models import AnnualReportText

pytestmark = pytest.mark.browser


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


@pytest.fixture
def year2009(personas, agencies):
    load_2009(
        coordinator=personas.coordinator,
        reporters=[
            (personas.police, agencies.police),
            (personas.ngo, agencies.ngo),
            (personas.childwelfare, agencies.childwelfare),
        ],
    )
    return personas


def _charts_loaded(page: Page) -> None:
    images = page.locator("main img[data-testid^='chart-']")
    expect(images).to_have_count(4)
    for i in range(4):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        expect(image).to_have_attribute("alt", re.compile(r".{20,}"))
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") > 0


def test_coordinator_reads_the_2009_report_and_writes_a_section_with_the_keyboard(english: Page, year2009):
    page = english
    sign_in(page, "coordinator")
    page.locator("header a[href='/statistics/']").click()
    page.wait_for_url(re.compile(r"/statistics/$"))
    assert_accessible(page)
    page.locator("main a[href='/statistics/2009/']").click()
    page.wait_for_url(re.compile(r"/statistics/2009/$"))
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Annual status report 2009")
    expect(main.locator("[data-testid=report-key-figures] [data-key=persons]")).to_have_text("292")
    expect(main.locator("[data-testid=report-key-figures] [data-key=children]")).to_have_text("69")
    expect(main.locator("[data-testid=table-sex_age] [data-key=boys]")).to_have_text("19")
    _charts_loaded(page)
    assert_accessible(page)

    # To the edit page and through the form with the keyboard only.
    page.locator("main a[href='/statistics/2009/edit/']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/statistics/2009/edit/$"))
    assert_accessible(page)
    page.locator("#id_trends").focus()
    page.keyboard.type("Most persons were exploited in prostitution.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Reports from NGOs rose.")
    page.keyboard.press("Tab")  # challenges
    page.keyboard.press("Tab")  # research needs
    page.keyboard.type("Forced labour in fisheries.")
    page.keyboard.press("Tab")  # the Save button
    expect(page.locator("button[type=submit]:focus")).to_have_count(1)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/statistics/2009/$"))
    expect(page.locator(".varde-messages")).to_contain_text("saved")
    trends = page.locator("[data-testid=text-trends] p")
    expect(trends).to_have_count(2)
    expect(trends.nth(1)).to_have_text("Reports from NGOs rose.")
    expect(page.locator("[data-testid=text-research_needs]")).to_contain_text("Forced labour in fisheries.")
    _charts_loaded(page)
    assert_accessible(page)
    saved = AnnualReportText.objects.get(year=2009)
    assert saved.version == 1 and saved.research_needs == "Forced labour in fisheries."


def test_analyst_reads_the_report_without_the_edit_link(english: Page, year2009):
    page = english
    sign_in(page, "analyst")  # the persona has an authenticator, so a code is asked for
    page.locator("header a[href='/statistics/']").click()
    page.wait_for_url(re.compile(r"/statistics/$"))
    page.goto("/statistics/2009/")
    expect(page.locator("main h1")).to_have_text("Annual status report 2009")
    expect(page.locator("main a[href='/statistics/2009/edit/']")).to_have_count(0)
    _charts_loaded(page)
    assert_accessible(page)


def test_the_report_fits_a_phone(english: Page, year2009):
    """The 700 px charts shrink and the wide trend table scrolls in its own box: nothing pushes the
    page wider than a 375 px phone (the charts once made it 756 px wide)."""
    page = english
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "analyst")
    page.goto("/statistics/2009/")
    _charts_loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
