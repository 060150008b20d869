"""Issue 15's browser test: a coordinator filters the national deadline view to children's clocks and
acknowledges three notifications at once, with the keyboard only. CSP enforced, 0 axe violations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.audit.models import AuditEvent
from varde.core import clock
from varde.response.models import Notification, NotificationKind
from varde.response.worker import run_worker

pytestmark = pytest.mark.browser


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab (only) until the element the selector names has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_coordinator_filters_childrens_clocks_and_acknowledges_three_at_once(
    page: Page, live_server, world, monkeypatch
):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    # Three hours after the reports: the children's 24-hour placements run (21 h left); child welfare
    # acknowledged none of the three notices, so their 2-hour clocks were missed and the worker told
    # the coordinators, one notification each.
    later = clock.now() + dt.timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    run_worker(once=True)
    to_kom = Notification.objects.filter(
        kind=NotificationKind.CLOCK_MISSED, recipient_agency=world.agencies.kom, acknowledged_at__isnull=True
    )
    assert to_kom.count() == 3
    children = {c.reference for c in world.cases.all() if c.is_child}

    sign_in(page, "coordinator")
    page.goto("/response/clocks/")
    assert_accessible(page)

    # The filter, by keyboard: children's cases only.
    _tab_to(page, "#id_child")
    page.keyboard.press("ArrowDown")  # Both -> Yes
    assert page.evaluate("document.activeElement.value") == "yes"
    _tab_to(page, "form[method=get] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"child=yes"))
    table = page.locator("[data-testid=clock-table]")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    # Each child's missed informing clock, least time left first, then its running placement.
    expect(rows).to_have_count(6)
    for i in range(6):
        expect(rows.nth(i)).to_contain_text("Child")
    for i in range(3):
        expect(rows.nth(i)).to_contain_text("Missed")
        expect(rows.nth(i + 3)).to_contain_text(re.compile(r"(20 h 5\d|21 h 0) min left"))
    assert {rows.nth(i).locator("th").inner_text().split()[0] for i in range(6)} == children
    assert_accessible(page)

    # The inbox, by keyboard: tick three, acknowledge them at once.
    _tab_to(page, "header a[href='/notifications/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/notifications/$"))
    expect(page.locator("[data-testid=inbox-count]")).to_have_text(re.compile(r"^3"))
    assert_accessible(page)
    boxes = page.locator("input[type=checkbox][name=ids]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        box_id = boxes.nth(i).get_attribute("id")
        _tab_to(page, f"#{box_id}")
        page.keyboard.press("Space")
        expect(boxes.nth(i)).to_be_checked()
    _tab_to(page, "button[name=scope][value=selected]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/notifications/"))
    expect(page.locator(".varde-messages")).to_contain_text("3 notifications are acknowledged.")
    expect(page.locator("[data-testid=inbox-count]")).to_have_count(0)
    assert_accessible(page)

    assert not to_kom.exists()
    event = AuditEvent.objects.get(object_type="response.notification", object_id="bulk")
    assert event.actor_username == "coordinator" and event.detail["acknowledged"] == 3
