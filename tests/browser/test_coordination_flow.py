"""KOM's national work (issue 19), keyboard only, CSP enforced, 0 axe violations on every page: a
coordinator records a reference-group meeting with a decision and a follow-up task; a ministry user
writes its 2007 status on one measure and sends it for approval."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from tests.factories import make_user
from varde.accounts.models import Agency, AgencyKind, Role
from varde.coordination import groups
from varde.coordination.models import (
    FollowUpTask,
    GroupKind,
    Measure,
    Meeting,
    Ministry,
    ReportState,
    StatusReport,
)
from varde.coordination.plans import plans_load
from varde.core import clock

pytestmark = pytest.mark.browser


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def _tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received the focus by Tab")


def _follow(page: Page, href: str) -> None:
    _tab_to(page, f"a[href='{href}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert_accessible(page)


def test_a_meeting_with_a_decision_and_task_and_a_ministrys_2007_status(english: Page, personas, agencies):
    page = english
    plans_load()  # the live server's database is emptied between tests: load the plan files again
    ministry_agency = Agency.objects.create(
        code="dep-ud", name="Utenriksdepartementet", kind=AgencyKind.MINISTRY
    )
    Ministry.objects.filter(code="ud").update(agency=ministry_agency)
    make_user("ud.writer", ministry_agency, Role.MINISTRY)
    group = groups.group_create(actor=personas.coordinator, kind=GroupKind.REFERENCE, name="Reference group")
    member = groups.group_member_add(
        actor=personas.coordinator, group=group, agency=agencies.ngo, name="Sara Lind", user=personas.ngo,
        readiness_phone="+47 900 00 001",
    )  # fmt: skip
    due = clock.today() + dt.timedelta(days=14)
    # Read before the browser starts: the test's thread and the live server share the database.
    measure = Measure.objects.get(plan__code="2006-2009", number=33)

    # --- the coordinator records the meeting ---------------------------------------------------------------
    sign_in(page, "coordinator")
    _follow(page, "/coordination/")
    _follow(page, f"/coordination/groups/{group.pk}/")
    expect(page.locator("main")).to_contain_text("+47 900 00 001")
    _follow(page, f"/coordination/groups/{group.pk}/meetings/new/")
    _tab_to(page, "#id_meeting-place")
    page.keyboard.type("KOM, Oslo")
    _tab_to(page, "#id_meeting-agenda")
    page.keyboard.type("Organised begging")
    _tab_to(page, "#id_meeting-attendees_0")
    page.keyboard.press("Space")
    _tab_to(page, "#id_meeting-minutes")
    page.keyboard.type("The members described begging in three towns.")
    _tab_to(page, "#id_meeting-decision")
    page.keyboard.type("Ask the police districts for figures.")
    _tab_to(page, "#id_meeting-task")
    page.keyboard.type("Collect the figures")
    _tab_to(page, "#id_meeting-responsible")
    page.keyboard.press("ArrowDown")
    # The date of the meeting (today) and the task's due date (two weeks on) are the form's defaults.
    assert_accessible(page)
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/coordination/meetings/[0-9a-f-]+/$"))
    main = page.locator("main")
    expect(page.locator(".varde-messages")).to_contain_text("The meeting is recorded.")
    expect(page.locator("[data-testid=decisions]")).to_contain_text("Ask the police districts for figures.")
    expect(page.locator("[data-testid=tasks]")).to_contain_text("Collect the figures")
    expect(main).to_contain_text("Sara Lind")
    assert_accessible(page)
    meeting = Meeting.objects.get(group=group)
    task = FollowUpTask.objects.get(decision__meeting=meeting)
    assert (task.responsible, task.due_on, list(meeting.attendees.all())) == (member, due, [member])
    _tab_to(page, "header form[action='/sign-out/'] button")
    page.keyboard.press("Enter")
    expect(page.locator("#id_username")).to_be_visible()  # signed out, at the sign-in page

    # --- the ministry writes its 2007 status on measure 33 and sends it for approval ---------------------
    sign_in(page, "ud.writer")
    _follow(page, "/coordination/")
    _follow(page, "/coordination/plans/2006-2009/")
    _follow(page, f"/coordination/measures/{measure.pk}/")
    _follow(page, f"/coordination/measures/{measure.pk}/status/ud/2007/")
    _tab_to(page, "input[name='status-status']")
    page.keyboard.press("ArrowDown")  # from "Not started" to "Ongoing"
    assert page.locator("#id_status-status_1").is_checked()
    _tab_to(page, "#id_status-done")
    page.keyboard.type("Supported IOM in Kenya and the COMMIT programme in the Mekong region.")
    _tab_to(page, "#id_status-spending_nok")
    page.keyboard.type("12500000")
    assert_accessible(page)
    _tab_to(page, "main form button[name=submit][value='1']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/coordination/status/[0-9a-f-]+/$"))
    expect(page.locator(".varde-messages")).to_contain_text("sent for approval by a second person")
    expect(page.locator("[data-testid=status-report]")).to_contain_text("Submitted for approval")
    expect(main).to_contain_text("Waiting for a second person")
    assert_accessible(page)
    report = StatusReport.objects.get(measure=measure, year=2007)
    assert report.state == ReportState.SUBMITTED and report.spending_nok == 12_500_000
    assert report.written_by.username == "ud.writer" and report.ministry.code == "ud"
