"""A caseworker assesses a child's case with a child catalogue — partly by keyboard — previews the rule's
result, concludes with reasoning, saves and sees the explained result; then records age evidence on an
adult's case and lifts the presumption of minority. 0 axe violations on every page visited."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from varde.cases.models import Case
from varde.identification.models import AgePresumption, Assessment
from varde.identification.services import catalogues_load

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _catalogues(transactional_db):
    """The catalogues are loaded by a data migration; a live-server test before this one ends with a flush
    of every table, so load them again (idempotent, as after an upgrade)."""
    catalogues_load()


def in_english(page: Page) -> None:
    """The language the header's button switches to, as a cookie: the assertions below read the English
    texts whether or not the Bokmål catalogue (.po) has them yet."""
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": page.url}])


def test_caseworker_assesses_a_childs_case_and_sees_the_explained_result(page: Page, world):
    case = world.cases.police_child
    sign_in(page, "police")
    in_english(page)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#identification-section")).to_be_visible()
    assert_accessible(page)

    # "New assessment" offers the child catalogues only
    page.locator("#identification-section summary", has_text="New assessment").click()
    links = page.locator("#identification-section a[href*='/assessments/new/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h.endswith("/ilo_child_labour/") for h in hrefs)
    assert not any("ilo_adult" in h for h in hrefs)
    page.locator(f"a[href='/cases/{case.pk}/assessments/new/ilo_child_labour/']").click()
    page.wait_for_url(re.compile(r"/assessments/new/ilo_child_labour/$"))
    expect(page.locator("h1")).to_contain_text("ILO/EC indicators: children, labour exploitation")
    expect(page.locator("legend").first).to_contain_text("Element 1 of 6")
    assert_accessible(page)

    # the first indicator by keyboard: Tab order is checkbox, then its help; Space ticks, the count follows
    first = page.locator("#id_indicators_0")
    help_summary = page.locator(".varde-indicator").first.locator("summary")
    page.locator("#id_indicators_1").focus()
    page.keyboard.press("Shift+Tab")
    expect(help_summary).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(first).to_be_focused()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    counts = page.locator("[data-element-count]")
    expect(counts.nth(0)).to_have_text("1")
    # the help opens from the keyboard too
    page.keyboard.press("Tab")
    expect(help_summary).to_be_focused()
    expect(page.locator("#id_indicators_0-help")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#id_indicators_0-help")).to_be_visible()

    for indicator in ("dr_wages", "ex_excessive_hours", "ex_low_pay"):
        page.check(f"input[name=indicators][value={indicator}]")
    expect(counts.nth(0)).to_have_text("2")
    expect(counts.nth(3)).to_have_text("2")
    expect(page.locator("[data-ticked-total]")).to_have_text("4")

    # check the result (htmx fragment): nothing is saved
    page.get_by_role("button", name="Check the result").click()
    preview = page.locator("#assessment-preview")
    expect(preview).to_contain_text("The indicators point to trafficking")
    expect(preview).to_contain_text("positive (1 strong, 1 medium)")
    expect(page.locator("#preview-heading")).to_be_focused()
    assert Assessment.objects.count() == 0
    assert_accessible(page)

    # conclude by keyboard: the radio group, then the reasoning
    page.locator("#id_conclusion_0").focus()
    page.keyboard.press("Space")
    expect(page.locator("#id_conclusion_0")).to_be_checked()
    page.fill("#id_reasoning", "Worked 14 hours a day in a car wash; was promised school.")
    page.get_by_role("button", name="Save the assessment").click()

    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]{36}/$"))
    assessment = Assessment.objects.get()
    assert (assessment.case_id, assessment.outcome, assessment.conclusion, assessment.disagrees) == (
        case.pk,
        "indicates_trafficking",
        "indicates_trafficking",
        False,
    )
    main = page.locator("main")
    expect(main).to_contain_text("The indicators point to trafficking")
    expect(main).to_contain_text("The rule for children needs a recruitment element AND exploitation")
    expect(main).to_contain_text("never decide alone")
    expect(main).to_contain_text("Worked 14 hours a day in a car wash; was promised school.")
    expect(page.locator("#disagreement")).to_have_count(0)
    assert_accessible(page)

    # back on the case: listed, and on the timeline
    page.get_by_role("link", name=re.compile(r"Back to case")).click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("#identification-section")).to_contain_text(
        "ILO/EC indicators: children, labour exploitation"
    )
    expect(page.locator(f"#timeline-section a[href='/assessments/{assessment.pk}/']")).to_be_visible()
    assert_accessible(page)


def test_age_evidence_starts_the_presumption_and_it_is_lifted_with_a_reason(page: Page, world):
    case = world.cases.police_adult
    sign_in(page, "police")
    in_english(page)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#age-evidence-form summary").click()
    page.check("#id_age-kind_1")  # the person's own statement
    page.fill("#id_age-age_min", "16")
    page.fill("#id_age-note", "Said so in the interview.")
    # The form posts from the case page and comes back to it: wait for that navigation itself (a
    # wait_for_url alone would be satisfied at once by the page the form was on).
    with page.expect_navigation(url=re.compile(rf"/cases/{case.pk}/$"), wait_until="load"):
        page.get_by_role("button", name="Save the age evidence").click()
    expect(page.locator("#presumption-active")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Council of Europe Convention Art. 10(3)")
    assert Case.objects.get(pk=case.pk).is_child
    assert_accessible(page)

    page.locator("#presumption-lift-form summary").click()
    expect(page.locator("#presumption-lift-form")).to_have_attribute("open", "")
    with page.expect_navigation(url=re.compile(r"/presumption/"), wait_until="load"):
        page.get_by_role("button", name="Lift the presumption").click()  # no reason: refused
    expect(page.locator("#lift-errors")).to_be_visible()
    assert_accessible(page)
    page.fill("#id_lift-reason", "A genuine passport shows the person is 19.")
    with page.expect_navigation(url=re.compile(rf"/cases/{case.pk}/$"), wait_until="load"):
        page.get_by_role("button", name="Lift the presumption").click()
    expect(page.locator("#presumption-active")).to_have_count(0)
    assert AgePresumption.objects.get(case=case).lifted_reason == "A genuine passport shows the person is 19."
    assert not Case.objects.get(pk=case.pk).is_child
    assert_accessible(page)
