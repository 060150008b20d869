"""Criminal cases (issue 18), keyboard only, CSP enforced, 0 axe violations on every page: a police
investigator opens a criminal case, links two victims' cases and records a charge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.core import clock
from varde.prosecution.models import CriminalCase, Stage, VictimLink

pytestmark = pytest.mark.browser


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def _tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received the focus by Tab")


def _type_date(page: Page, selector: str, day) -> None:
    """A date field by keyboard, its segments in the order the browser's locale puts them."""
    _tab_to(page, selector)
    for order in ("%m%d%Y", "%d%m%Y", "%Y%m%d"):
        for _ in range(3):
            page.keyboard.press("ArrowLeft")  # back to the first segment
        page.keyboard.type(day.strftime(order))
        if page.locator(selector).input_value() == day.isoformat():
            return
    raise AssertionError(f"could not type {day} into {selector}")


def _choose(page: Page, selector: str, value: str) -> None:
    """A select by keyboard: arrow down until it holds the value."""
    _tab_to(page, selector)
    for _ in range(30):
        if page.locator(selector).input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector}")


def _open_details(page: Page, heading: str) -> None:
    _tab_to(page, f"#{heading} ~ details > summary")
    page.keyboard.press("Enter")


def test_investigator_opens_a_case_links_two_victims_and_records_a_charge(english: Page, personas, cases):
    page = english
    today = clock.today()
    sign_in(page, "police")
    assert_accessible(page)

    _tab_to(page, "header a[href='/criminal-cases/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/criminal-cases/$"))
    assert_accessible(page)
    _tab_to(page, "main a[href='/criminal-cases/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/criminal-cases/new/$"))
    assert_accessible(page)

    _choose(page, "#id_police_district", "oslo")
    _choose(page, "#id_offence", "trafficking")
    _type_date(page, "#id_facts_date", today.replace(day=1))
    _choose(page, "#id_exploitation_form", "sexual")
    assert page.locator("#id_first_stage_1").is_checked()  # investigation opened, today: the defaults
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/criminal-cases/[0-9a-f-]+/$"))
    expect(page.locator(".varde-messages")).to_contain_text("The criminal case is opened.")
    expect(page.locator("main")).to_contain_text("straffeloven 2005 § 257")
    assert_accessible(page)
    criminal_case = CriminalCase.objects.get()

    for victim in (cases.police_adult, cases.police_child):
        _open_details(page, "victims-heading")
        _choose(page, "#id_victim-case", str(victim.pk))
        assert page.locator("#id_victim-role_0").is_checked()  # aggrieved party
        _tab_to(page, f"form[action='/criminal-cases/{criminal_case.pk}/victims/'] button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/criminal-cases/[0-9a-f-]+/(#victims-heading)?$"))
        expect(page.locator(".varde-messages")).to_contain_text("The victim's case is linked.")
        expect(page.locator("[data-testid=victim-links]")).to_contain_text(victim.reference)
        assert_accessible(page)

    _open_details(page, "stages-heading")
    _choose(page, "#id_stage-stage", "charged")
    _type_date(page, "#id_stage-on", today)
    _tab_to(page, f"form[action='/criminal-cases/{criminal_case.pk}/stages/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/criminal-cases/[0-9a-f-]+/(#stages-heading)?$"))
    expect(page.locator(".varde-messages")).to_contain_text("The stage is recorded.")
    assert_accessible(page)

    criminal_case.refresh_from_db()
    assert criminal_case.stage == Stage.CHARGED and criminal_case.stage_on == today
    assert set(VictimLink.objects.filter(criminal_case=criminal_case).values_list("case_id", "role")) == {
        (cases.police_adult.pk, "aggrieved_party"),
        (cases.police_child.pk, "aggrieved_party"),
    }


def test_the_other_criminal_case_pages_have_no_axe_violations(browser, live_server, personas, cases):
    """What KOM, the victim's caseworker and the figures show: 0 violations, CSP enforced."""
    import datetime as dt

    from django.test import Client
    from django.urls import reverse

    from tests.browser.conftest import axe_violations, watch_csp
    from tests.conftest import login_verified
    from varde.prosecution import services

    police = personas.police
    criminal_case = services.criminal_case_open(
        actor=police,
        data=services.CriminalCaseInput(
            police_district="oslo",
            offence="trafficking",
            facts_date=dt.date(2025, 1, 5),
            opened_on=dt.date(2025, 2, 1),
        ),
    )
    services.victim_link_add(
        actor=police, criminal_case=criminal_case, case=cases.police_adult, role="witness"
    )
    services.perpetrator_add(actor=police, criminal_case=criminal_case, name="Suspect", role="leader")
    pages = [
        (personas.coordinator, reverse("criminal-case-detail", args=[criminal_case.pk])),
        (personas.coordinator, reverse("criminal-cases")),
        (personas.ngo, reverse("case-criminal-proceedings", args=[cases.police_adult.pk])),
        (personas.coordinator, reverse("statistics-prosecution") + "?first_year=2024&last_year=2026"),
    ]
    sessions = {u.pk: login_verified(Client(), u).cookies["sessionid"].value for u, _ in pages}
    violations = {}
    for user, path in pages:
        context = browser.new_context(locale="nb-NO")
        context.add_cookies([{"name": "sessionid", "value": sessions[user.pk], "url": live_server.url}])
        page = context.new_page()
        csp = watch_csp(page)
        page.goto(live_server.url + path)
        violations[f"{user.username} {path}"] = axe_violations(page)
        context.close()
        assert csp == [], csp
    assert {k: v for k, v in violations.items() if v} == {}
