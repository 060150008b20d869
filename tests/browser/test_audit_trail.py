"""An auditor signs in with password and code, opens the audit trail, filters it by a case and opens
who has seen the case: 0 axe violations, and the pages fit a 375 px phone (issue 20)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.access.cases import case_get_for_user
from varde.audit.models import AuditEvent

pytestmark = pytest.mark.browser

WIDTH = 375


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_auditor_filters_the_trail_by_a_case(page: Page, world):
    case = world.cases.police_adult
    case_get_for_user(user=world.personas.ngo, case_id=case.pk)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    sign_in(page, "auditor")
    assert_accessible(page)

    page.locator("main a[href='/audit/']").click()
    page.wait_for_url(re.compile(r"/audit/$"))
    expect(page.locator("[data-testid=chain-ok]")).to_be_visible()
    assert_accessible(page)
    _fits(page)

    page.fill("#id_case", case.reference)
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/audit/\?.*case="))
    rows = page.locator("[data-testid=audit-events] tbody tr")
    expect(rows.first).to_contain_text(case.reference)
    assert_accessible(page)
    _fits(page)
    listed = AuditEvent.objects.filter(object_type="audit.trail", action="list").latest("seq")
    assert listed.detail["case"] == str(case.pk)

    page.locator(f"[data-testid=audit-events] a[href='/audit/cases/{case.reference}/']").first.click()
    page.wait_for_url(re.compile(rf"/audit/cases/{case.reference}/$"))
    expect(page.locator("[data-testid=case-viewers]")).to_contain_text("ngo")
    expect(page.locator("main")).not_to_contain_text("Blessing")
    assert_accessible(page)
    _fits(page)
