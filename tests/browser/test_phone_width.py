"""Pages fit a phone (390 px wide): no page scrolls sideways; a wide table scrolls inside its own box."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login_verified
from varde.response.models import Notification

pytestmark = pytest.mark.browser

WIDTH = 390


def test_pages_do_not_scroll_sideways_on_a_phone(browser, live_server, world):
    p, c = world.personas, world.cases
    assert Notification.objects.filter(recipient_agency=world.agencies.childwelfare).exists()
    pages = [
        (p.childwelfare, reverse("notifications")),  # a wide table with screen-reader-only button text
        (p.childwelfare, reverse("response-next")),
        (p.childwelfare, c.childwelfare_child.get_absolute_url()),
        (p.police, reverse("dashboard")),
        (p.police, reverse("report")),
        (p.police, reverse("person-detail", args=[c.police_adult.person_id])),
        (p.coordinator, reverse("response-clocks")),
        (p.coordinator, reverse("linkage-review")),
    ]
    sessions = {u.pk: login_verified(Client(), u).cookies["sessionid"].value for u, _ in pages}
    wide = {}
    for user, path in pages:
        context = browser.new_context(locale="nb-NO", viewport={"width": WIDTH, "height": 844})
        context.add_cookies([{"name": "sessionid", "value": sessions[user.pk], "url": live_server.url}])
        page = context.new_page()
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > WIDTH:
            wide[f"{user.username} {path}"] = scroll
        context.close()
    assert wide == {}
