"""Anonymous notifications in a browser (issue 22): on a 375 px phone, a caseworker records one in a
minute from the menu, sees it in the list and withdraws it; every page, the error state included, fits
the width and has 0 axe violations under the enforced CSP."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, watch_csp
from tests.conftest import login_verified
from varde.identification.models import AnonymousNotification

pytestmark = pytest.mark.browser

WIDTH = 375


def test_record_list_and_withdraw_on_a_phone(browser, live_server, personas, agencies):
    session = login_verified(Client(), personas.police).cookies["sessionid"].value
    coordinator = login_verified(Client(), personas.coordinator).cookies["sessionid"].value
    context = browser.new_context(locale="nb-NO", viewport={"width": WIDTH, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    csp = watch_csp(page)
    wide: dict[str, int] = {}
    violations: dict[str, list[dict]] = {}

    def look(name: str) -> None:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > WIDTH:
            wide[name] = scroll
        violations[name] = axe_violations(page)

    page.goto(live_server.url + reverse("anonymous-notifications"))
    look("empty list")
    page.goto(live_server.url + reverse("anonymous-notification-new"))
    look("form")
    page.locator("main button[type=submit]").click()  # nothing chosen: the server's errors
    expect(page.locator("#anonymous-errors")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "anonymous-errors"
    look("form with errors")
    assert not AnonymousNotification.objects.exists()

    page.check("input[name=age_band][value='25-34']")
    page.check("input[name=sex][value=F]")
    page.select_option("#id_nationality", "RO")
    page.check("input[name=exploitation_forms][value=begging]")
    page.fill("#id_municipality", "4601")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{reverse('anonymous-notifications')}")
    expect(page.locator("[data-testid=anonymous-list] tbody tr")).to_have_count(1)
    look("list")
    notification = AnonymousNotification.objects.get()
    assert notification.exploitation_forms == ["begging"] and notification.municipality == "4601"

    page.locator("[data-testid=anonymous-list] a").first.click()
    page.wait_for_url(f"**{reverse('anonymous-notification-withdraw', args=[notification.pk])}")
    look("withdraw")
    page.check("input[name=reason][value=duplicate]")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{reverse('anonymous-notifications')}")
    look("list with a withdrawn one")
    notification.refresh_from_db()
    assert notification.is_withdrawn

    context.add_cookies([{"name": "sessionid", "value": coordinator, "url": live_server.url}])
    page.goto(live_server.url + reverse("anonymous-notifications"))
    look("coordinator's list")
    context.close()
    assert csp == []
    assert wide == {}
    assert {k: v for k, v in violations.items() if v} == {}
