"""After the reflection period (issue 16), keyboard only (Tab, typing, arrows, Space, Enter; no
clicks), CSP enforced, 0 axe violations on every page state visited: a police caseworker records a
temporary-permit application and its rejection by UDI with the reason, then plans a voluntary return
with IOM, records the return, and records the first follow-up three months after it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.cases.models import Case
from varde.core import clock
from varde.response.models import Clock, ClockState, LegalStatus, ReturnFollowUp, ReturnState, VoluntaryReturn

pytestmark = pytest.mark.browser


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def _focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector))


def _tab_to(page: Page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return
    raise AssertionError(f"{selector} never received the focus by Tab")


def _type_date(page: Page, selector: str, day: dt.date) -> None:
    """A date field by keyboard, its segments in the order the browser's locale puts them."""
    _tab_to(page, selector)
    for order in ("%d%m%Y", "%m%d%Y", "%Y%m%d"):
        for _ in range(3):
            page.keyboard.press("ArrowLeft")  # back to the first segment
        page.keyboard.type(day.strftime(order))
        if page.locator(selector).input_value() == day.isoformat():
            return
    raise AssertionError(f"could not type {day} into {selector}")


def _choose(page: Page, selector: str, value: str) -> None:
    """A select by keyboard: arrows until it holds the value."""
    _tab_to(page, selector)
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(40):
            if page.locator(selector).input_value() == value:
                return
            page.keyboard.press(key)
    raise AssertionError(f"{value} not reached in {selector}")


def _type_ahead(page: Page, selector: str, text: str, value: str) -> None:
    """A long select (countries) by typing the start of the option's name."""
    _tab_to(page, selector)
    page.keyboard.type(text)
    assert page.locator(selector).input_value() == value


def _type(page: Page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def _space(page: Page, selector: str) -> None:
    """A radio button or checkbox: Tab to it, Space to choose it."""
    _tab_to(page, selector)
    page.keyboard.press("Space")
    assert page.locator(selector).is_checked()


def _open(page: Page, action: str) -> None:
    """Open the folded form that posts to `action` by its summary (Tab, then Enter)."""
    _tab_to(page, f"details:has(form[action$='{action}']) > summary")
    page.keyboard.press("Enter")
    expect(page.locator(f"form[action$='{action}']")).to_be_visible()


def _submit(page: Page, action: str, message: str) -> None:
    _tab_to(page, f"form[action$='{action}'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".varde-messages")).to_contain_text(message)


def test_caseworker_records_a_rejection_and_a_voluntary_return_with_its_first_follow_up(english: Page, world):
    page = english
    case = world.cases.police_adult
    today = clock.today()
    # The person came to the police 140 days ago; she went home 95 days ago, so that the first
    # follow-up (three months after the return) is due now. The data first: the live server answers
    # from another thread.
    Case.objects.filter(pk=case.pk).update(opened_at=clock.now() - dt.timedelta(days=140))
    applied_on = today - dt.timedelta(days=130)
    rejected_on = today - dt.timedelta(days=110)
    returned_on = today - dt.timedelta(days=95)

    sign_in(page, "police")
    page.goto(f"/cases/{case.pk}/")
    _tab_to(page, f"main a[href='/cases/{case.pk}/response/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/response/$"))
    expect(page.locator("#legal-heading")).to_have_text("The legal path")
    assert_accessible(page)

    # The application for a temporary permit after the reflection period.
    legal = "/response/legal-status/"
    _open(page, legal)
    _choose(page, "#id_legal-kind", "temporary_permit_applied")
    _type_date(page, "#id_legal-from_date", applied_on)
    assert_accessible(page)
    _submit(page, legal, "The legal status is recorded.")
    matters = page.locator("[data-testid=legal-matters]")
    expect(matters).to_contain_text("Temporary permit applied for")
    expect(matters).to_contain_text("Pending")
    application = LegalStatus.objects.get(case=case, kind="temporary_permit_applied")

    # UDI rejects it, with the reason.
    _open(page, legal)
    _choose(page, "#id_legal-kind", "temporary_permit_rejected")
    _type_date(page, "#id_legal-from_date", rejected_on)
    _choose(page, "#id_legal-authority", "udi")
    _choose(page, "#id_legal-application", str(application.pk))
    _type(page, "#id_legal-reason", "The police have closed the investigation.")
    assert_accessible(page)
    _submit(page, legal, "The legal status is recorded.")
    expect(matters).to_contain_text("Rejected")
    expect(matters).to_contain_text("UDI (Directorate of Immigration)")
    expect(matters).to_contain_text("The police have closed the investigation.")
    now = page.locator("[data-testid=legal-status-now]")
    expect(now).to_contain_text("A voluntary return with IOM can be offered")
    expect(now).to_contain_text("forvaltningsloven")
    expect(page.locator("[data-testid=help-system-change]")).to_be_visible()
    assert_accessible(page)

    # A voluntary return with IOM.
    plan = "/response/return/"
    _open(page, plan)
    _space(page, "#id_return-organisation_0")
    _type_ahead(page, "#id_return-country", "Romania", "RO")
    _type_date(page, "#id_return-planned_on", returned_on)
    _space(page, "#id_return-escort")
    _type(page, "#id_return-reception", "Met by IOM in Bucharest; a room at a shelter in Iasi")
    assert_accessible(page)
    _submit(page, plan, "The voluntary return is planned.")
    expect(page.locator("[data-testid=return]")).to_contain_text("Return to Romania")
    assert_accessible(page)

    record = "/response/return/record/"
    _open(page, record)
    _type_date(page, "#id_return-record-returned_on", returned_on)
    _submit(page, record, "The return is recorded.")
    follow_ups = page.locator("[data-testid=follow-ups]")
    expect(follow_ups).to_contain_text("3 months after the return")
    expect(follow_ups).to_contain_text("Not yet recorded")
    assert_accessible(page)

    # The first follow-up, three months after the return.
    follow_up = "/response/return/follow-ups/"
    _open(page, follow_up)
    assert page.locator("#id_followup-stage").input_value() == "3"
    assert page.locator("#id_followup-on_date").input_value() == today.isoformat()
    _space(page, "#id_followup-outcome_0")
    _choose(page, "#id_followup-housing", "good")
    _choose(page, "#id_followup-income", "uncertain")
    _choose(page, "#id_followup-education_work", "good")
    _choose(page, "#id_followup-health", "good")
    _choose(page, "#id_followup-re_trafficking_risk", "low")
    _type(page, "#id_followup-note", "In a vocational course; lives with her sister")
    assert_accessible(page)
    _submit(page, follow_up, "The follow-up is recorded.")
    expect(follow_ups).to_contain_text("Reached")
    expect(follow_ups).to_contain_text("lives with her sister")
    assert_accessible(page)

    rejection = LegalStatus.objects.get(case=case, kind="temporary_permit_rejected")
    assert (rejection.application_id, rejection.authority, rejection.from_date) == (
        application.pk,
        "udi",
        rejected_on,
    )
    ret = VoluntaryReturn.objects.get(case=case)
    assert (ret.state, ret.country, ret.organisation, ret.escort, ret.returned_on) == (
        ReturnState.RETURNED,
        "RO",
        "iom",
        True,
        returned_on,
    )
    done = ReturnFollowUp.objects.get(voluntary_return=ret)
    assert (done.stage, done.outcome, done.on_date, done.re_trafficking_risk) == (3, "reached", today, "low")
    assert Clock.objects.get(case=case, kind="return_followup", stage=3).state == ClockState.MET


def test_the_legal_path_and_return_sections_fit_a_phone_with_no_axe_violations(browser, live_server, world):
    """The sections filled (a child's case: the guardian and best-interests checks; every form
    unfolded), in Norwegian, at 390 px: nothing scrolls sideways, 0 axe violations, CSP enforced."""
    from django.test import Client

    from tests.browser.conftest import axe_violations, watch_csp
    from tests.conftest import login_verified
    from varde.response import legal_status, returns

    cw = world.personas.childwelfare
    child = world.cases.childwelfare_child
    adult = world.cases.police_adult
    police = world.personas.police
    today = clock.today()
    legal_status.legal_status_record(actor=cw, case=child, kind="asylum_seeker", from_date=today)
    legal_status.legal_status_record(
        actor=cw, case=child, kind="limited_until_18", from_date=today, authority="udi", reason="Age 16."
    )
    legal_status.police_cooperation_record(actor=cw, case=child, state="considering", on_date=today)
    returns.return_plan(
        actor=cw,
        case=child,
        organisation="other",
        organisation_name="Caritas",
        country="RO",
        planned_on=today,
    )
    legal_status.legal_status_record(
        actor=police, case=adult, kind="temporary_permit_applied", from_date=today
    )
    ret = returns.voluntary_return_record(actor=police, case=adult, returned_on=today, country="NG")
    returns.follow_up_record(actor=police, ret=ret, stage=3, on_date=today, outcome="not_reached")

    pages = [(cw, f"/cases/{child.pk}/response/"), (police, f"/cases/{adult.pk}/response/")]
    sessions = {u.pk: login_verified(Client(), u).cookies["sessionid"].value for u, _ in pages}
    wide, violations = {}, {}
    for user, path in pages:
        context = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "sessionid", "value": sessions[user.pk], "url": live_server.url}])
        page = context.new_page()
        csp = watch_csp(page)
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > 390:
            wide[path] = page.evaluate(  # what sticks out, to say where to look
                "Array.from(document.querySelectorAll('main *'))"
                ".filter((e) => e.getBoundingClientRect().right > 390).slice(0, 3)"
                ".map((e) => e.tagName + ': ' + e.textContent.trim().slice(0, 40))"
            )
        violations[path] = axe_violations(page)
        context.close()
        assert csp == [], csp
    assert wide == {}
    assert {k: v for k, v in violations.items() if v} == {}
