"""axe-core over every page, as the persona who uses it: 0 violations (WCAG 2.1 A/AA + best practice)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import axe_violations, watch_csp
from tests.conftest import break_glass, login_verified

pytestmark = pytest.mark.browser


def test_pages_have_no_axe_violations(browser, live_server, world):
    p, a, c = world.personas, world.agencies, world.cases
    pages = [
        (None, reverse("login")),
        (p.police, reverse("dashboard")),
        (p.analyst, reverse("dashboard")),
        (p.auditor, reverse("dashboard")),
        (p.police, reverse("report")),
        (p.police, c.police_adult.get_absolute_url()),
        (p.police, c.police_child.get_absolute_url()),
        (p.ngo, c.police_adult.get_absolute_url()),
        (p.coordinator, c.childwelfare_child.get_absolute_url()),
        (p.police, reverse("person-detail", args=[c.police_adult.person_id])),
        (p.agency_admin, reverse("agency-admin")),
        (p.sysadmin, reverse("agency-admin")),
        (p.sysadmin, reverse("agency-admin-detail", args=[a.kom.pk])),
        (p.police, reverse("directory")),
        (p.police, "/cases/00000000-0000-0000-0000-000000000000/"),
    ]
    break_glass(p.coordinator, c.childwelfare_child)  # the coordinator opens a case KOM takes no part in
    pages.append((p.coordinator, reverse("break-glass", args=[c.police_child.pk])))
    pages.append((p.coordinator, reverse("dashboard")))
    pages.append((p.police, reverse("exports")))
    sessions = {}
    for user, _ in pages:  # sessions are made before the browser's event loop runs (no ORM inside it)
        if user and user.pk not in sessions:
            client = login_verified(Client(), user)
            sessions[user.pk] = client.cookies["sessionid"].value
    violations = {}
    for user, path in pages:
        context = browser.new_context(locale="nb-NO")  # CSP enforced
        if user:
            context.add_cookies([{"name": "sessionid", "value": sessions[user.pk], "url": live_server.url}])
        page = context.new_page()
        csp = watch_csp(page)
        page.goto(live_server.url + path)
        key = f"{user.username if user else 'anonymous'} {path}"
        violations[key] = axe_violations(page)
        if path == reverse("report"):  # the error state too, with focus moved to the error summary
            page.fill("#id_municipality", "12")
            page.click("main button[type=submit]")
            page.wait_for_selector("#error-summary")
            violations["report with errors"] = axe_violations(page)
            assert page.evaluate("document.activeElement.id") == "error-summary"
        context.close()
        assert csp == [], f"{key}: {csp}"
    assert {k: v for k, v in violations.items() if v} == {}
    assert len(violations) == len(pages) + 1
