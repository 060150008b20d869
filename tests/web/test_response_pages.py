"""The response pages: national view of deadlines, my next actions, the inbox, a case's response page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import break_glass
from varde.core import clock
from varde.response.models import (
    Clock,
    ClockState,
    LegalStatus,
    Meeting,
    MissingEpisode,
    Notification,
    NotificationKind,
    Placement,
    Task,
)

NAMES = ["Mihai", "Popescu", "Amina", "Yusuf", "Liang", "Wei", "Blessing", "Okafor", "Joy", "Eze", "Precious"]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def presumed(world, monkeypatch):
    """Every child case was presumed a child when it was reported: its 24-hour clock started and child
    welfare was told then. The pages are looked at 23 hours later: the clocks are about to run out,
    and child welfare's notifications wait for acknowledgement."""
    later = clock.now() + dt.timedelta(hours=23)
    monkeypatch.setattr(clock, "now", lambda: later)
    return {
        case.pk: Clock.objects.get(case=case, kind="safe_placement")
        for case in world.cases.all()
        if case.is_child
    }


def _local(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone(dt.timedelta(0))).strftime("%Y-%m-%dT%H:%M")


# --- access ---------------------------------------------------------------------------------------------


GLOBAL_PAGES = ["response-clocks", "response-next", "notifications"]


@pytest.mark.parametrize("name", GLOBAL_PAGES)
def test_analyst_gets_404_on_the_response_pages(login, world, client, name):
    login(world.personas.analyst)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("persona", ["police", "childwelfare", "ngo", "outsider", "analyst"])
def test_only_coordinators_see_the_national_view(login, world, client, persona):
    login(getattr(world.personas, persona))
    assert client.get(reverse("response-clocks")).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "analyst"])
def test_outsider_and_analyst_get_404_on_a_case_response_page(login, world, client, presumed, persona):
    login(getattr(world.personas, persona))
    case = world.cases.police_child
    clk = presumed[case.pk]
    urls = [
        reverse("case-response", args=[case.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    posts = [
        reverse("case-placement", args=[case.pk]),
        reverse("case-missing", args=[case.pk]),
        reverse("case-plan", args=[case.pk]),
        reverse("case-task", args=[case.pk]),
        reverse("case-meeting", args=[case.pk]),
        reverse("case-legal-status", args=[case.pk]),
        reverse("case-clock-action", args=[case.pk, clk.pk, "meet"]),
    ]
    for url in posts:
        assert client.post(url, {"placement-kind": "shelter"}).status_code == 404
    assert clk.state == ClockState.RUNNING


def test_outsider_gets_404_for_another_agencys_notification(login, world, client, presumed):
    note = Notification.objects.filter(recipient_agency=world.agencies.childwelfare).first()
    login(world.personas.outsider)
    assert client.get(reverse("notification-detail", args=[note.pk])).status_code == 404
    assert client.post(reverse("notification-acknowledge", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.acknowledged_at is None
    # The outsider's own inbox is empty.
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert str(note.pk) not in response.content.decode()


def test_partner_sees_the_shared_case_response_but_not_other_agencies(login, world, client):
    login(world.personas.ngo)
    assert client.get(reverse("case-response", args=[world.cases.police_adult.pk])).status_code == 200
    assert client.get(reverse("case-response", args=[world.cases.ngo_child.pk])).status_code == 200
    assert client.get(reverse("case-response", args=[world.cases.police_child.pk])).status_code == 404


# --- the national view -----------------------------------------------------------------------------------


def test_coordinator_national_view_is_name_free_and_grouped_by_agency(
    login, world, client, english, presumed
):
    login(world.personas.coordinator)
    response = client.get(reverse("response-clocks"))
    assert response.status_code == 200
    html = response.content.decode()
    for case in (world.cases.police_child, world.cases.childwelfare_child, world.cases.ngo_child):
        assert case.reference in html
        # KOM takes part in none: each row offers break-the-glass.
        assert reverse("break-glass", args=[case.pk]) in html
    assert world.agencies.childwelfare.name in html
    assert "About to run out" in html
    for name in NAMES:
        assert name not in html


def test_national_view_links_to_the_case_after_break_the_glass(login, world, client, presumed):
    case = world.cases.police_child
    break_glass(world.personas.coordinator, case)
    login(world.personas.coordinator)
    html = client.get(reverse("response-clocks")).content.decode()
    assert reverse("case-response", args=[case.pk]) in html
    assert "Mihai" not in html


def test_national_view_shows_missed_clocks(login, world, client, english, presumed):
    Clock.objects.filter(pk=presumed[world.cases.ngo_child.pk].pk).update(state=ClockState.MISSED)
    login(world.personas.coordinator)
    html = client.get(reverse("response-clocks")).content.decode()
    assert "Missed" in html and world.cases.ngo_child.reference in html


def test_national_view_query_budget(login, world, client, presumed, django_assert_max_num_queries):
    login(world.personas.coordinator)
    client.get(reverse("response-clocks"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("response-clocks")).status_code == 200


# --- my next actions -------------------------------------------------------------------------------------


def test_next_actions_lists_the_agencys_clocks_soonest_first(login, world, client, english, presumed):
    login(world.personas.childwelfare)
    response = client.get(reverse("response-next"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.cases.childwelfare_child.reference in html
    # What waits in the inbox, the same number as the menu's badge (three presumed children).
    assert 'data-testid="inbox-count">3<' in html and "3 notifications are not acknowledged" in html
    assert "Read the urgent notifications" in html
    assert world.cases.police_adult.reference not in html


def test_outsider_has_no_next_actions(login, world, client, english, presumed):
    login(world.personas.outsider)
    html = client.get(reverse("response-next")).content.decode()
    assert "Every notification is acknowledged." in html
    assert "No deadline of yours matches the filter." in html
    for case in world.cases.all():
        assert case.reference not in html


# --- the inbox -----------------------------------------------------------------------------------------


def test_inbox_shows_notifications_in_the_active_language_and_counts_them(
    login, world, client, english, presumed
):
    login(world.personas.childwelfare)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    html = response.content.decode()
    notes = Notification.objects.filter(
        recipient_agency=world.agencies.childwelfare, acknowledged_at__isnull=True
    )
    assert notes.exists()
    first = notes.first()
    assert first.text_en in html and first.text_nb not in html
    assert 'data-testid="inbox-count"' in html
    for name in NAMES:
        assert name not in html


def test_acknowledge_flow(login, world, client, english, presumed):
    note = Notification.objects.get(
        kind=NotificationKind.PRESUMED_CHILD,
        case=world.cases.police_child,
        recipient_agency=world.agencies.childwelfare,
    )
    login(world.personas.childwelfare)
    detail = client.get(reverse("notification-detail", kwargs={"notification_id": note.pk}))
    assert detail.status_code == 200 and note.case.reference in detail.content.decode()
    response = client.post(reverse("notification-acknowledge", args=[note.pk]), {"next": "detail"})
    assert response.status_code == 302
    assert response["Location"] == reverse("notification-detail", args=[note.pk])
    note.refresh_from_db()
    assert note.acknowledged_at is not None and note.acknowledged_by == world.personas.childwelfare
    assert note.ack_clock.state == ClockState.MET  # child welfare is informed
    html = client.get(reverse("notification-detail", args=[note.pk])).content.decode()
    assert "Acknowledged" in html
    # A second acknowledgement changes nothing and says so.
    again = client.post(reverse("notification-acknowledge", args=[note.pk]), follow=True)
    assert "already acknowledged" in again.content.decode()


def test_inbox_query_budget(login, world, client, presumed, django_assert_max_num_queries):
    login(world.personas.childwelfare)
    client.get(reverse("notifications"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("notifications")).status_code == 200


# --- the case's response page -------------------------------------------------------------------------------


def test_case_page_has_a_response_section(login, world, client, english, presumed):
    login(world.personas.police)
    case = world.cases.police_child
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="response-heading"' in html
    assert reverse("case-response", args=[case.pk]) in html


def test_placement_through_the_page_meets_the_24_hour_clock(login, world, client, english, presumed):
    case = world.cases.police_child
    login(world.personas.police)
    response = client.post(
        reverse("case-placement", args=[case.pk]),
        {
            "placement-kind": "child_welfare_institution",
            "placement-from_at": clock.localtime(clock.now() - dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "placement-description": "",
        },
    )
    assert response.status_code == 302
    assert Placement.objects.filter(case=case).count() == 1
    assert Clock.objects.get(pk=presumed[case.pk].pk).state == ClockState.MET
    page = client.get(reverse("case-response", args=[case.pk])).content.decode()
    assert "Child-welfare institution" in page and "Placement" in page


def test_placement_validation_errors_save_nothing(login, world, client, english, presumed):
    case = world.cases.police_child
    login(world.personas.police)
    future = clock.localtime(clock.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for data in (
        {"placement-kind": "", "placement-from_at": ""},
        {"placement-kind": "shelter", "placement-from_at": future},
    ):
        response = client.post(reverse("case-placement", args=[case.pk]), data)
        assert response.status_code == 200
        assert "ds-error-summary" in response.content.decode()
    assert not Placement.objects.filter(case=case).exists()
    assert Clock.objects.get(pk=presumed[case.pk].pk).state == ClockState.RUNNING


def test_missing_episode_recorded_and_closed_through_the_page(login, world, client, english):
    case = world.cases.childwelfare_child
    login(world.personas.childwelfare)
    seen = clock.localtime(clock.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("case-missing", args=[case.pk]),
        {"missing-missing_from": "care_centre", "missing-last_seen_at": seen},
    )
    assert response.status_code == 302
    episode = MissingEpisode.objects.get(case=case)
    assert episode.police_report_clock is not None
    assert Notification.objects.filter(case=case, kind=NotificationKind.DISAPPEARANCE).exists()
    # Invalid: no outcome time. Nothing changes.
    bad = client.post(
        reverse("case-missing-close", args=[case.pk, episode.pk]),
        {f"close-{episode.pk}-status": "returned", f"close-{episode.pk}-version": episode.version},
    )
    assert bad.status_code == 200
    episode.refresh_from_db()
    assert episode.status == "missing"
    back = clock.localtime(clock.now() - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(
        reverse("case-missing-close", args=[case.pk, episode.pk]),
        {
            f"close-{episode.pk}-status": "returned",
            f"close-{episode.pk}-at": back,
            f"close-{episode.pk}-version": episode.version,
        },
    )
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.status == "returned"
    assert Task.objects.filter(case=case, origin="return_interview").exists()


def test_missing_episode_validation_saves_nothing(login, world, client, english):
    case = world.cases.childwelfare_child
    login(world.personas.childwelfare)
    response = client.post(
        reverse("case-missing", args=[case.pk]),
        {"missing-missing_from": "", "missing-last_seen_at": "yesterday"},
    )
    assert response.status_code == 200
    assert not MissingEpisode.objects.filter(case=case).exists()


def test_plan_goal_task_and_completion(login, world, client, english):
    case = world.cases.childwelfare_child
    login(world.personas.childwelfare)
    assert client.post(reverse("case-plan", args=[case.pk])).status_code == 302
    assert client.post(reverse("case-plan", args=[case.pk])).status_code == 200  # already has one
    assert (
        client.post(reverse("case-plan-goal", args=[case.pk]), {"goal-text": "Safe schooling"}).status_code
        == 302
    )
    due = (clock.today() + dt.timedelta(days=7)).isoformat()
    # Invalid first: no title. Nothing saved.
    bad = client.post(
        reverse("case-task", args=[case.pk]),
        {
            "task-title": "",
            "task-responsible_agency": str(world.agencies.childwelfare.pk),
            "task-due_date": due,
        },
    )
    assert bad.status_code == 200 and not Task.objects.filter(case=case).exists()
    ok = client.post(
        reverse("case-task", args=[case.pk]),
        {
            "task-title": "Find a school",
            "task-responsible_agency": str(world.agencies.childwelfare.pk),
            "task-due_date": due,
        },
    )
    assert ok.status_code == 302
    task = Task.objects.get(case=case)
    assert task.clock is not None and task.plan is not None
    done = client.post(
        reverse("case-task-done", args=[case.pk, task.pk]), {f"task-{task.pk}-version": task.version}
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.clock.state == ClockState.MET
    stale = client.post(reverse("case-task-done", args=[case.pk, task.pk]), {f"task-{task.pk}-version": 1})
    assert stale.status_code == 409
    html = client.get(reverse("case-response", args=[case.pk])).content.decode()
    assert "Safe schooling" in html and "Find a school" in html


def test_meeting_with_a_decision_that_creates_a_task(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    held = clock.localtime(clock.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    due = (clock.today() + dt.timedelta(days=3)).isoformat()
    bad = client.post(
        reverse("case-meeting", args=[case.pk]),
        {
            "meeting-held_at": held,
            "meeting-participants": [str(world.agencies.police.pk)],
            "meeting-decision_1": "Shelter",
            "meeting-task_title_1": "Find shelter",
        },
    )
    assert bad.status_code == 200 and not Meeting.objects.filter(case=case).exists()
    ok = client.post(
        reverse("case-meeting", args=[case.pk]),
        {
            "meeting-held_at": held,
            "meeting-participants": [
                str(a.pk) for a in (world.agencies.police, world.agencies.ngo, world.agencies.childwelfare)
            ],
            "meeting-decision_1": "ROSA finds a shelter place",
            "meeting-task_title_1": "Find shelter",
            "meeting-responsible_agency_1": str(world.agencies.ngo.pk),
            "meeting-due_date_1": due,
            # Child welfare takes part in the meeting, not (yet) in the case: it may still get a task.
            "meeting-decision_2": "Child welfare looks at the age again",
            "meeting-task_title_2": "Age assessment",
            "meeting-responsible_agency_2": str(world.agencies.childwelfare.pk),
            "meeting-due_date_2": due,
            "meeting-decision_3": "Next meeting in a fortnight",
        },
    )
    assert ok.status_code == 302
    meeting = Meeting.objects.get(case=case)
    assert {t.responsible_agency for t in meeting.tasks.all()} == {
        world.agencies.ngo,
        world.agencies.childwelfare,
    }
    assert meeting.decisions.count() == 3
    html = client.get(reverse("case-response", args=[case.pk])).content.decode()
    assert "ROSA finds a shelter place" in html and "Coordination meeting" in html


def test_a_meeting_planned_ahead_gets_its_decisions_once_held(login, world, client, english, monkeypatch):
    case = world.cases.police_adult
    login(world.personas.police)
    when = clock.now() + dt.timedelta(minutes=5)
    planned = client.post(
        reverse("case-meeting", args=[case.pk]),
        {
            "meeting-held_at": clock.localtime(when).strftime("%Y-%m-%dT%H:%M"),
            "meeting-participants": [str(world.agencies.police.pk), str(world.agencies.ngo.pk)],
        },
    )
    assert planned.status_code == 302
    meeting = Meeting.objects.get(case=case)
    assert not meeting.decisions.exists()
    html = client.get(reverse("case-response", args=[case.pk])).content.decode()
    assert "Planned" in html and reverse("case-meeting-decisions", args=[case.pk, meeting.pk]) not in html
    later = clock.now() + dt.timedelta(minutes=10)  # it has been held (the session still fresh)
    monkeypatch.setattr(clock, "now", lambda: later)
    url = reverse("case-meeting-decisions", args=[case.pk, meeting.pk])
    assert url in client.get(reverse("case-response", args=[case.pk])).content.decode()
    done = client.post(
        url,
        {
            f"decide-{meeting.pk}-decision_1": "ROSA keeps the shelter place",
            f"decide-{meeting.pk}-decision_2": "Police interview next week",
        },
    )
    assert done.status_code == 302
    assert sorted(d.text for d in meeting.decisions.all()) == [
        "Police interview next week",
        "ROSA keeps the shelter place",
    ]


def test_legal_status_shows_rights_and_authority(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    bad = client.post(reverse("case-legal-status", args=[case.pk]), {"legal-kind": "asylum_seeker"})
    assert bad.status_code == 200 and not LegalStatus.objects.filter(case=case).exists()
    assert (
        client.post(
            reverse("case-legal-status", args=[case.pk]),
            {"legal-kind": "asylum_seeker", "legal-from_date": "2026-09-01"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("case-legal-status", args=[case.pk]),
            {"legal-kind": "reflection_applied", "legal-from_date": "2026-09-20"},
        ).status_code
        == 302
    )
    entries = list(LegalStatus.objects.filter(case=case).order_by("from_date"))
    assert entries[1].withdraws == entries[0]
    html = client.get(reverse("case-response", args=[case.pk])).content.decode()
    assert "Responsible authority" in html and "withdraws an earlier entry" in html
    assert "Help system" in html


def test_clock_actions_through_the_page(login, world, client, english):
    case = world.cases.childwelfare_child
    login(world.personas.childwelfare)
    client.post(reverse("case-plan", args=[case.pk]))
    review = Clock.objects.get(case=case, kind="plan_review")
    # Pausing needs a reason: nothing changes without one.
    bad = client.post(
        reverse("case-clock-action", args=[case.pk, review.pk, "pause"]),
        {f"pause-{review.pk}-version": review.version, f"pause-{review.pk}-reason": ""},
    )
    assert bad.status_code == 200
    review.refresh_from_db()
    assert review.state == ClockState.RUNNING
    due = review.due_at
    ok = client.post(
        reverse("case-clock-action", args=[case.pk, review.pk, "extend"]),
        {
            f"extend-{review.pk}-version": review.version,
            f"extend-{review.pk}-days": "14",
            f"extend-{review.pk}-reason": "Waiting for the school's report",
        },
    )
    assert ok.status_code == 302
    review.refresh_from_db()
    assert review.due_at == due + dt.timedelta(days=14)
    assert (
        client.post(
            reverse("case-clock-action", args=[case.pk, review.pk, "pause"]),
            {f"pause-{review.pk}-version": review.version, f"pause-{review.pk}-reason": "Child in hospital"},
        ).status_code
        == 302
    )
    review.refresh_from_db()
    assert review.state == ClockState.PAUSED
    assert (
        client.post(reverse("case-clock-action", args=[case.pk, review.pk, "explode"]), {}).status_code == 404
    )
    html = client.get(reverse("case-response", args=[case.pk])).content.decode()
    assert "Deadline extended" in html and "Child in hospital" in html
