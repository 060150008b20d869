"""Issue 20's browser test: a caseworker finds a case by another spelling of the name and opens it,
with the keyboard only; the case list with its filters open fits a phone (375 px). CSP enforced,
0 axe violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_deadline_triage import _tab_to
from tests.browser.test_report_flow import sign_in
from tests.factories import report

pytestmark = pytest.mark.browser

PHONE = 375


def test_a_caseworker_finds_a_case_by_another_spelling_and_opens_it(page: Page, live_server, world):
    p, a = world.personas, world.agencies
    case = report(p.police, a.police, given="Muhammad", family="Bello", child=False)
    report(p.childwelfare, a.childwelfare, given="Mohammed", family="Bello", child=False)  # not theirs
    sign_in(page, "police")
    page.goto("/cases/")
    assert_accessible(page)

    _tab_to(page, "#id_q")
    page.keyboard.type("bello mohamed")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\?q=bello\+mohamed"))
    table = page.locator("[data-testid=case-table]")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Muhammad Bello")
    expect(page.locator("[data-testid=case-count]")).to_contain_text("1 sak")
    assert_accessible(page)

    _tab_to(page, f"[data-testid=case-table] a[href='{case.get_absolute_url()}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(case.get_absolute_url()) + "$"))
    expect(page.locator("main")).to_contain_text(case.reference)


def test_the_case_list_with_its_filters_fits_a_phone(browser, live_server, world):
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", viewport={"width": PHONE, "height": 800}
    )
    page = context.new_page()
    sign_in(page, "coordinator")
    page.goto("/cases/?status=reported&child=true&sort=reference")  # the filters open
    expect(page.locator("details.ds-details[open] summary").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert_accessible(page)
    context.close()
