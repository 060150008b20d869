"""A coordinator opens the linkage review queue, opens a pair, decides with the keyboard only, and
undoes the decision on the decisions page. CSP enforced, 0 axe violations on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_flow import sign_in
from tests.factories import esther_by_police, mihai_adult
from varde.linkage.models import ReviewDecision, ReviewItem
from varde.linkage.services import linkage_run

pytestmark = pytest.mark.browser


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received the focus by Tab")


def test_coordinator_reviews_a_pair_with_the_keyboard(english: Page, personas, agencies):
    page = english
    police = esther_by_police(personas, agencies)
    other = mihai_adult(personas.childwelfare, agencies.childwelfare)
    run = linkage_run(actor=personas.coordinator)
    item = ReviewItem.objects.create(
        run=run, record_a=police.referrals.get(), record_b=other.referrals.get(), match_probability=0.3
    )

    sign_in(page, "coordinator")
    page.locator("header a[href='/linkage/review/']").click()
    page.wait_for_url(re.compile(r"/linkage/review/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Linkage review")
    for name in ("Esther", "Igbinovia", "Mihai", "Popescu"):
        expect(main).not_to_contain_text(name)
    assert_accessible(page)

    # open the pair with the keyboard
    _tab_to(page, f"main a[href='/linkage/review/{item.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/linkage/review/{item.pk}/$"))
    expect(main).to_contain_text("Esther")
    expect(main).to_contain_text("Mihai")
    assert_accessible(page)

    # decide "not the same person" with the keyboard only: Tab to the radio group, arrow, reason, Enter
    _tab_to(page, "input[name='decide-decision']")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_decide-decision_1").is_checked()
    _tab_to(page, "#id_decide-reason")
    page.keyboard.type("Different birth years and nationalities")
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/linkage/review/$"))
    expect(page.locator(".varde-messages")).to_contain_text("Decision saved")
    expect(main).to_contain_text("No pair is waiting for review")
    assert_accessible(page)
    decision = ReviewDecision.objects.get()
    assert decision.decision == "not_same" and decision.reason.startswith("Different birth years")

    # the decisions page, and undo with the keyboard
    page.goto("/linkage/merges/")
    expect(main).to_contain_text("Kept apart")
    assert_accessible(page)
    _tab_to(page, f"#id_undo-{decision.pk}-reason")
    page.keyboard.type("Entered by mistake")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/linkage/merges/$"))
    expect(main).to_contain_text("No decision is in force")
    assert_accessible(page)
    decision.refresh_from_db()
    assert not decision.is_active

    # the pair page after the undo shows the decision form again, and a stale POST is a conflict page
    page.goto(f"/linkage/review/{item.pk}/")
    expect(page.locator("input[name='decide-decision']").first).to_be_visible()
    assert_accessible(page)
    ReviewItem.objects.filter(pk=item.pk).update(version=item.version + 10)  # someone else was faster
    _tab_to(page, "input[name='decide-decision']")
    page.keyboard.press("Space")
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("main [role=alert]")).to_contain_text("Someone else decided this pair")
    assert_accessible(page)
