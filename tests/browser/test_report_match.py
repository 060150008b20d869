"""A caseworker reports the same person twice: the second time the report is shown again with the
earlier case (nothing saved), and the caseworker opens that case by keyboard. 0 axe violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.cases.models import Case

pytestmark = pytest.mark.browser


def _fill_report(page: Page) -> None:
    page.goto("/report/")
    page.fill("#id_given_name", "Grace")
    page.fill("#id_family_name", "Ukachi")
    page.check("input[name=sex][value=F]")
    page.fill("#id_date_of_birth", "1999-04-12")
    page.fill("#id_phone", "+47 934 56 789")
    page.select_option("#id_document_type", "passport")
    page.fill("#id_document_number", "NG1234567")
    page.locator("main form button[type=submit]").last.click()


def test_the_same_person_twice_shows_the_earlier_case_and_opens_it_by_keyboard(page: Page, personas):
    sign_in(page, "police")
    _fill_report(page)
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    earlier = Case.objects.get()

    _fill_report(page)
    notice = page.get_by_test_id("possible-matches")
    expect(notice).to_be_visible()
    expect(page.locator("#possible-matches-heading")).to_be_focused()  # focus moves to the notice
    expect(notice).to_contain_text(earlier.reference)
    expect(notice).to_contain_text("Grace Ukachi")
    expect(page.locator("#id_document_number")).to_have_value("NG1234567")  # the data is kept
    assert Case.objects.count() == 1  # nothing saved
    assert_accessible(page)

    # From the focused heading, the next Tab reaches the link to the earlier case; Enter opens it.
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("open-existing-case")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/cases/{earlier.pk}/$"))
    expect(page.locator("main")).to_contain_text(earlier.reference)
    assert Case.objects.count() == 1
    assert_accessible(page)


def test_saving_anyway_makes_a_second_case(page: Page, personas):
    sign_in(page, "police")
    _fill_report(page)
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    _fill_report(page)
    page.get_by_test_id("save-new-case-anyway").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    assert Case.objects.count() == 2
    assert_accessible(page)
