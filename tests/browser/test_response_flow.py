"""A coordinator sees a deadline about to run out in the national view; a child-welfare caseworker
acknowledges a notification in the inbox. CSP enforced, 0 axe violations on every page visited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.core import clock
from varde.response.models import Clock, ClockState, Notification, NotificationKind

pytestmark = pytest.mark.browser

NAMES = ["Mihai", "Popescu", "Amina", "Yusuf", "Liang", "Wei"]


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def _hours_later(monkeypatch, hours: float) -> None:
    """Time moves on (for this thread and the live server's): the clocks started with the reports."""
    later = clock.now() + dt.timedelta(hours=hours)
    monkeypatch.setattr(clock, "now", lambda: later)


def test_coordinator_sees_a_clock_about_to_run_out_and_child_welfare_acknowledges(
    english: Page, world, monkeypatch
):
    page = english
    case = world.cases.police_child
    # The data first: the live server answers from another thread. The child was presumed when it was
    # reported, 23 hours ago: the 24-hour placement deadline is in its warning window.
    _hours_later(monkeypatch, 23)
    placement_clock = Clock.objects.get(case=case, kind="safe_placement")
    assert placement_clock.state == ClockState.RUNNING
    note = Notification.objects.get(
        kind=NotificationKind.PRESUMED_CHILD, case=case, recipient_agency=world.agencies.childwelfare
    )

    sign_in(page, "coordinator")
    assert_accessible(page)
    page.locator("header a[href='/response/clocks/']").click()
    page.wait_for_url(re.compile(r"/response/clocks/$"))
    main = page.locator("main")
    expect(main).to_contain_text("About to run out")
    expect(main).to_contain_text(case.reference)
    expect(main).to_contain_text(world.agencies.childwelfare.name)
    for name in NAMES:
        expect(main).not_to_contain_text(name)
    assert_accessible(page)

    page.locator("header form[action='/sign-out/'] button").click()
    page.wait_for_load_state()

    sign_in(page, "childwelfare")
    expect(page.locator("[data-testid=inbox-count]")).to_be_visible()
    page.locator("header a[href='/notifications/']").click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert_accessible(page)
    row = page.locator("tr", has=page.locator(f"a[href='/notifications/{note.pk}/']"))
    expect(row).to_contain_text(case.reference)
    row.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/notifications/(\?[^#]*)?(#.*)?$"))
    expect(page.locator(".varde-messages")).to_contain_text("The notification is acknowledged.")
    # The inbox shows what still waits: the acknowledged notification has left it, and is found
    # under the filter for acknowledged ones.
    row = page.locator("tr", has=page.locator(f"a[href='/notifications/{note.pk}/']"))
    expect(row).to_have_count(0)
    page.locator("select[name=acknowledged]").select_option("yes")
    page.locator("main form[method=get] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"acknowledged=yes"))
    expect(row).to_contain_text("Acknowledged")
    assert_accessible(page)

    note.refresh_from_db()
    assert note.acknowledged_at is not None and note.acknowledged_by.username == "childwelfare"

    page.locator(f"a[href='/notifications/{note.pk}/']").click()
    page.wait_for_url(re.compile(rf"/notifications/{note.pk}/$"))
    expect(page.locator("main")).to_contain_text("Acknowledged")
    assert_accessible(page)


def test_caseworker_places_a_presumed_child_from_the_response_page(english: Page, world, monkeypatch):
    page = english
    case = world.cases.police_child
    _hours_later(monkeypatch, 2)  # reported (and presumed a child) two hours ago
    placement_clock = Clock.objects.get(case=case, kind="safe_placement")

    sign_in(page, "police")
    page.locator("header a[href='/response/next/']").click()
    page.wait_for_url(re.compile(r"/response/next/$"))
    # The 24-hour deadline is child welfare's to meet, not the police's.
    expect(page.locator("h1")).to_contain_text("My next actions")
    assert_accessible(page)

    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#response-heading")).to_be_visible()
    assert_accessible(page)
    page.locator(f"a[href='/cases/{case.pk}/response/']").click()
    page.wait_for_url(re.compile(r"/response/$"))
    assert_accessible(page)

    # Keyboard: open the placement form by its summary, fill it, submit.
    page.locator("#placements-heading ~ details summary").focus()
    page.keyboard.press("Enter")
    page.select_option("#id_placement-kind", "child_welfare_institution")
    page.fill(
        "#id_placement-from_at",
        clock.localtime(clock.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert_accessible(page)
    page.locator(f"form[action='/cases/{case.pk}/response/placements/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/response/"))
    expect(page.locator(".varde-messages")).to_contain_text("The placement is recorded.")
    expect(page.locator("main")).to_contain_text("Child-welfare institution")
    assert_accessible(page)
    placement_clock.refresh_from_db()
    assert placement_clock.state == ClockState.MET
