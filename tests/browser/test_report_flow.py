"""A caseworker signs in, reports a possible victim and sees the case — keyboard-friendly, 0 axe violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, otp_code
from varde.accounts.models import User
from varde.audit.models import AuditEvent
from varde.cases.models import Case

pytestmark = pytest.mark.browser


def sign_in(page: Page, username: str) -> None:
    """The real two steps: password, then the current TOTP code of the persona's authenticator."""
    page.goto("/sign-in/")
    assert_accessible(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/sign-in/code/"))
    assert_accessible(page)
    page.fill("#id_otp_code", otp_code(User.objects.get(username=username)))
    page.press("#id_otp_code", "Enter")
    page.wait_for_url(re.compile(r"/$"))


def test_caseworker_reports_a_possible_victim_and_sees_the_case(page: Page, personas, agencies):
    sign_in(page, "police")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    assert_accessible(page)

    # The first Tab reaches the skip link: the page is keyboard-friendly from the top.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    page.keyboard.press("Enter")  # follow the skip link to the main content
    page.locator("main a[href='/report/']").first.click()
    page.wait_for_url(re.compile(r"/report/$"))
    assert_accessible(page)

    # The server's own validation (browser checks switched off): an error summary, nothing saved.
    page.fill("#id_municipality", "12")
    page.evaluate("document.querySelectorAll('main form').forEach(f => f.noValidate = true)")
    page.locator("form[action='/report/'] button[type=submit], main form button[type=submit]").last.click()
    expect(page.locator(".ds-error-summary")).to_be_visible()
    assert_accessible(page)
    assert Case.objects.count() == 0

    page.fill("#id_given_name", "Grace")
    page.fill("#id_family_name", "Ukachi")
    page.check("input[name=sex][value=F]")
    page.fill("#id_estimated_age", "16")
    page.select_option("#id_nationality", "NG")
    page.fill("#id_municipality", "0301")  # corrected
    page.check("input[name=exploitation_forms][value=sexual]")
    page.fill("#id_description", "Met at Oslo S during outreach.")
    page.locator("main form button[type=submit]").last.click()

    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    case = Case.objects.get()
    assert case.lead_agency == agencies.police and case.is_child
    expect(page.locator("main")).to_contain_text("Grace Ukachi")
    expect(page.locator("main")).to_contain_text(case.reference)
    assert "Grace" not in page.url and "Ukachi" not in page.title()
    assert_accessible(page)
    assert AuditEvent.objects.filter(action="view", object_id=str(case.pk), actor_username="police").exists()

    # The person page, then the same case in English.
    page.locator(f"a[href='/persons/{case.person_id}/']").first.click()
    page.wait_for_url(re.compile(r"/persons/"))
    expect(page.locator("main")).to_contain_text("Ukachi")
    assert_accessible(page)

    page.goto(f"/cases/{case.pk}/")
    page.locator("form[action='/i18n/setlang/'] button").first.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)


def test_outsider_sees_no_case(page: Page, world):
    sign_in(page, "outsider")
    assert_accessible(page)
    response = page.goto(f"/cases/{world.cases.police_adult.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Okafor")
    assert_accessible(page)
