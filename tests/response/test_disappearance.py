"""Disappearances: police and child welfare told at once, a clock for the police report, a return
interview when the person is back, and episodes kept for the statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from varde.access.response import missing_episode_counts, my_clocks
from varde.core.errors import NotPermitted
from varde.response.disappearances import (
    missing_episode_close,
    missing_episode_record,
    missing_episode_reported_to_police,
)
from varde.response.models import ClockState, MissingStatus, Notification, NotificationKind, TaskStatus
from varde.response.worker import run_worker

from .conftest import assert_no_personal_data


def test_a_disappearance_notifies_police_and_child_welfare_and_starts_the_report_clock(
    world, frozen, contacts
):
    case = world.cases.ngo_child  # led by ROSA: neither police nor child welfare take part
    episode = missing_episode_record(
        actor=world.personas.ngo,
        case=case,
        missing_from="reception_centre",
        last_seen_at=frozen.now - dt.timedelta(hours=5),
    )
    told = Notification.objects.filter(kind=NotificationKind.DISAPPEARANCE, case=case)
    by_agency = {n.recipient_agency: n for n in told}
    # The coordinators are not told: the disappearance's police-report clock is in their national view.
    assert set(by_agency) == {world.agencies.police, world.agencies.childwelfare, world.agencies.ngo}
    police = by_agency[world.agencies.police]
    assert not police.is_participant and police.ack_due_at == frozen.now + dt.timedelta(hours=1)
    assert "asylum reception centre" in police.text_en and case.reference in police.text_en
    assert "ROSA" in police.text_en and "+47 800 00 002" in police.text_en  # lead agency's 24-hour phone
    # The police are told what is theirs to do, not to report to the police.
    assert "to the police" not in police.text_en and "til politiet" not in police.text_nb
    assert "Report to the police" in by_agency[world.agencies.ngo].text_en  # the lead reports it
    for n in told:
        assert_no_personal_data(n.text_nb + n.text_en)
    clk = episode.police_report_clock
    assert clk.kind == "police_report" and clk.due_at == frozen.now + dt.timedelta(hours=2)
    assert clk.responsible_agency == world.agencies.ngo

    frozen.advance(minutes=40)
    episode = missing_episode_reported_to_police(
        actor=world.personas.ngo, episode=episode, reported_at=frozen.now, version=episode.version
    )
    assert episode.police_report_clock.state == ClockState.MET


def test_an_unreported_disappearance_is_missed_and_the_unacknowledged_alert_escalates(world, frozen):
    case = world.cases.police_child
    episode = missing_episode_record(
        actor=world.personas.police, case=case, missing_from="care_centre", last_seen_at=frozen.now
    )
    alerts = Notification.objects.filter(kind=NotificationKind.DISAPPEARANCE, ack_due_at__isnull=False)
    assert {n.recipient_agency for n in alerts} == {world.agencies.police, world.agencies.childwelfare}
    frozen.advance(hours=1, seconds=1)
    stats = run_worker(once=True, consume_events=False)
    assert stats.escalated == 2  # police (taking part) and child welfare did not acknowledge
    # The coordinators hear of it once, not once per late notification.
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION, case=case)
    assert [n.recipient_agency for n in escalations] == [world.agencies.kom]
    late = escalations[0].escalation_of
    assert late in alerts and late.recipient_agency.name in escalations[0].text_en
    assert not alerts.filter(escalated_at__isnull=True).exists()
    assert run_worker(once=True, consume_events=False).escalated == 0
    frozen.advance(hours=1)
    run_worker(once=True, consume_events=False)
    episode.police_report_clock.refresh_from_db()
    assert episode.police_report_clock.state == ClockState.MISSED


def test_an_acknowledged_alert_does_not_escalate(world, frozen):
    from varde.response.notifications import notification_acknowledge

    missing_episode_record(
        actor=world.personas.police,
        case=world.cases.police_child,
        missing_from="institution",
        last_seen_at=frozen.now,
        reported_to_police_at=frozen.now,
    )
    for n in Notification.objects.filter(kind=NotificationKind.DISAPPEARANCE, ack_due_at__isnull=False):
        user = (
            world.personas.police
            if n.recipient_agency == world.agencies.police
            else world.personas.childwelfare
        )
        notification_acknowledge(actor=user, notification=n)
    frozen.advance(hours=3)
    assert run_worker(once=True, consume_events=False).escalated == 0
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()


def test_return_creates_a_return_interview_task_and_episodes_are_counted(world, frozen):
    case = world.cases.childwelfare_child
    episode = missing_episode_record(
        actor=world.personas.childwelfare,
        case=case,
        missing_from="institution",
        last_seen_at=frozen.now - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        missing_episode_record(
            actor=world.personas.childwelfare, case=case, missing_from="institution", last_seen_at=frozen.now
        )
    frozen.advance(days=4)
    episode = missing_episode_close(
        actor=world.personas.childwelfare,
        episode=episode,
        status=MissingStatus.RETURNED,
        at=frozen.now - dt.timedelta(hours=2),
        version=episode.version,
    )
    assert episode.status == MissingStatus.RETURNED
    assert episode.police_report_clock.state == ClockState.CANCELLED
    task = episode.tasks.get()
    assert task.origin == "return_interview" and task.status == TaskStatus.OPEN
    assert task.responsible_agency == world.agencies.childwelfare
    assert task.clock.kind == "return_interview" and task.clock.due_at == frozen.now + dt.timedelta(days=3)
    actions = my_clocks(user=world.personas.childwelfare, language="en").rows
    assert any(a.kind == "return_interview" and a.clock_id == task.clock_id for a in actions)

    missing_episode_record(
        actor=world.personas.police,
        case=world.cases.police_adult,
        missing_from="shelter",
        last_seen_at=frozen.now,
    )
    counts = missing_episode_counts(user=world.personas.analyst)
    assert {"missing_from": "institution", "status": "returned", "was_child": True, "n": 1} in counts
    assert {"missing_from": "shelter", "status": "missing", "was_child": False, "n": 1} in counts
    with pytest.raises(NotPermitted):
        missing_episode_counts(user=world.personas.police)


def test_outsiders_cannot_record_a_disappearance(world, frozen):
    with pytest.raises(Http404):
        missing_episode_record(
            actor=world.personas.outsider,
            case=world.cases.police_child,
            missing_from="reception_centre",
            last_seen_at=frozen.now,
        )
