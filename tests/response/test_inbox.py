"""Inbox triage: filters (kind, case, urgency, acknowledged), notifications about one case grouped,
bulk acknowledge of a selection or of everything a filter shows (audited), the keyboard focus moved to
the next notification after acknowledging one, and the badge's number the same everywhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login_verified
from varde.access.response import InboxFilter, inbox_counts, inbox_filtered, inbox_open_count, inbox_page
from varde.accounts.models import Membership
from varde.audit.models import AuditEvent
from varde.response.clocks import clock_start
from varde.response.models import ClockState, Notification, NotificationKind
from varde.response.notifications import notifications_acknowledge
from varde.response.routing import notify


def _warnings(world, case, n: int) -> list[Notification]:
    """`n` deadline warnings to child welfare about one case (a clock each, child welfare responsible)."""
    made = []
    for i in range(n):
        clk = clock_start(
            case=case, kind="police_report", origin=f"w:{i}", responsible_agency=world.agencies.childwelfare
        )
        made += notify(kind=NotificationKind.CLOCK_WARNING, case=case, clock=clk, subject=f"clock:{clk.pk}")
    return made


@pytest.fixture
def inbox_world(world, frozen):
    """Child welfare's inbox: a presumed-child notice for each of the three children (urgent, each
    waiting for an acknowledgement that meets a clock) and four warnings about the police's child."""
    _warnings(world, world.cases.police_child, 4)
    return world


def test_notifications_about_one_case_are_grouped(inbox_world, frozen):
    w = inbox_world
    page = inbox_page(user=w.personas.childwelfare)
    assert page.total == 7 and len(page.groups) == 3
    by_ref = {g.reference: g for g in page.groups}
    police_child = by_ref[w.cases.police_child.reference]
    assert police_child.count == police_child.open == 5 and len(police_child.items) == 5
    assert [g.count for g in page.groups if g is not police_child] == [1, 1]
    # Focus after acknowledging: the next one down the page, the last one back up to the one before.
    flat = [i for g in page.groups for i in g.items]
    assert [i.focus_after for i in flat[:-1]] == [i.notification.pk for i in flat[1:]]
    assert flat[-1].focus_after == flat[-2].notification.pk


def test_filters_by_kind_case_urgency_and_acknowledged(inbox_world, frozen):
    w = inbox_world
    cw = w.personas.childwelfare

    def total(**kw):
        return inbox_page(user=cw, filter=InboxFilter(**kw)).total

    assert total(kind="clock_warning") == 4 and total(kind="presumed_child") == 3
    assert total(case=w.cases.ngo_child.reference.lower()) == 1  # a reference as typed
    assert total(urgent=True) == 3 and total(urgent=False) == 4
    assert total(acknowledged=True) == 0 and total(acknowledged=None) == 7
    assert total(case="V00-NOSUCH") == 0


def test_bulk_acknowledge_of_a_selection_is_audited_and_meets_the_waiting_clocks(inbox_world, frozen):
    w = inbox_world
    cw = w.personas.childwelfare
    notices = list(Notification.objects.filter(kind=NotificationKind.PRESUMED_CHILD))
    assert len(notices) == 3 and all(n.ack_clock.state == ClockState.RUNNING for n in notices)
    someone_elses = notify(
        kind=NotificationKind.AGENCY_INVITED,
        case=w.cases.police_child,
        subject="t:invite",
        invited=w.agencies.ngo,
    )
    chosen = Notification.objects.filter(pk__in=[n.pk for n in notices + someone_elses])
    done = notifications_acknowledge(actor=cw, notifications=chosen, how={"scope": "selected"})
    assert done == 3  # ROSA's invitation is not child welfare's to acknowledge
    for n in Notification.objects.filter(pk__in=[n.pk for n in notices]):
        assert n.acknowledged_by == cw and n.acknowledged_at == frozen.now
        assert n.ack_clock.state == ClockState.MET  # child welfare is informed
    assert Notification.objects.get(pk=someone_elses[0].pk).acknowledged_at is None
    event = AuditEvent.objects.get(object_type="response.notification", object_id="bulk")
    assert event.actor_id == cw.pk and event.detail["acknowledged"] == 3
    assert sorted(event.detail["notifications"]) == sorted(str(n.pk) for n in notices)
    # Acknowledging them again changes nothing.
    assert notifications_acknowledge(actor=cw, notifications=chosen, how={"scope": "selected"}) == 0


def test_bulk_acknowledge_of_a_filter_result(inbox_world, frozen):
    cw = inbox_world.personas.childwelfare
    warnings = inbox_filtered(user=cw, filter=InboxFilter(kind="clock_warning"))
    assert notifications_acknowledge(actor=cw, notifications=warnings, how={"scope": "filter"}) == 4
    assert inbox_counts(user=cw).open == 3


def test_the_inbox_page_acknowledges_three_at_once_and_the_badge_follows(inbox_world, client, frozen):
    w = inbox_world
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the page's English texts (pages default to Bokmål)
    login_verified(client, w.personas.childwelfare)
    html = client.get(reverse("response-next")).content.decode()
    assert 'data-testid="inbox-count">7<' in html and "7 notifications are not acknowledged" in html
    warnings = list(Notification.objects.filter(kind=NotificationKind.CLOCK_WARNING)[:3])
    response = client.post(
        reverse("notifications-acknowledge"),
        {"scope": "selected", "ids": [str(n.pk) for n in warnings], "acknowledged": "no"},
        follow=True,
    )
    html = response.content.decode()
    assert "3 notifications are acknowledged." in html
    assert 'data-testid="inbox-count">4<' in html and "4 notifications match the filter." in html
    html = client.get(reverse("response-next")).content.decode()
    assert 'data-testid="inbox-count">4<' in html and "4 notifications are not acknowledged" in html


def test_acknowledging_one_puts_the_focus_on_the_next(inbox_world, client, frozen):
    w = inbox_world
    login_verified(client, w.personas.childwelfare)
    flat = [i for g in inbox_page(user=w.personas.childwelfare).groups for i in g.items]
    first, second = flat[0], flat[1]
    response = client.post(
        reverse("notification-acknowledge", args=[first.notification.pk]),
        {"focus_after": str(first.focus_after), "acknowledged": "no", "kind": "", "case": "", "urgent": ""},
    )
    assert response.status_code == 302
    assert f"focus={second.notification.pk}" in response["Location"]
    assert response["Location"].endswith(f"#n-{second.notification.pk}")
    html = client.get(response["Location"]).content.decode()
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", html)
    assert len(focused) == 1 and f'value="{second.notification.pk}"' in focused[0]


def test_the_inbox_page_costs_the_same_queries_with_more_notifications(inbox_world, client, frozen):
    w = inbox_world
    login_verified(client, w.personas.childwelfare)
    client.get(reverse("notifications"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications")).status_code == 200
    _warnings(w, w.cases.childwelfare_child, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("notifications")).status_code == 200
    assert len(many) == len(few) <= 15


def test_the_counts_add_up_the_inbox_part_by_part_without_counting_twice(inbox_world, frozen):
    """The counts read the inbox in parts (the user's own, each agency's); a notification to anyone at
    an agency where the user has two roles, or to the user by name, still counts once."""
    w = inbox_world
    cw = w.personas.childwelfare
    Membership.objects.create(user=cw, agency=w.agencies.childwelfare, role="coordinator")
    Membership.objects.create(user=cw, agency=w.agencies.police, role="caseworker")
    cw = type(cw).objects.get(pk=cw.pk)  # memberships are cached on the user
    case = w.cases.police_child
    base = {
        "kind": NotificationKind.CLOCK_WARNING,
        "case": case,
        "text_nb": "-",
        "text_en": "-",
        "rule_version": 1,
    }
    soon = frozen.now + dt.timedelta(hours=1)
    Notification.objects.bulk_create(
        [
            Notification(recipient_user=cw, recipient_agency=w.agencies.police, ack_due_at=soon, **base),
            Notification(recipient_agency=w.agencies.childwelfare, recipient_role="coordinator", **base),
            Notification(recipient_agency=w.agencies.police, recipient_role="", **base),
            Notification(
                recipient_agency=w.agencies.police, recipient_role="coordinator", **base
            ),  # not hers
            Notification(recipient_agency=w.agencies.ngo, recipient_role="", **base),  # not hers
        ]
    )
    waiting = inbox_filtered(user=cw, filter=InboxFilter(acknowledged=False))
    expected = waiting.count()
    assert expected == 7 + 3
    counts = inbox_counts(user=cw)
    assert counts.open == inbox_open_count(user=cw) == expected
    assert counts.urgent == waiting.filter(kind=NotificationKind.PRESUMED_CHILD).count() == 3
    times = [n.ack_due_at or (n.ack_clock.due_at if n.ack_clock else None) for n in waiting]
    assert counts.with_deadline == sum(t is not None for t in times)
    assert counts.soonest == min(t for t in times if t is not None) == soon
