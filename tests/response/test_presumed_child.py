"""A presumed child: the 24-hour clock, child welfare informed, placement meets it, missing it escalates."""

from __future__ import annotations

import datetime as dt

import pytest

from varde.access.response import notifications_inbox
from varde.events.models import Event
from varde.identification.services import presumption_evaluate
from varde.response.models import Clock, ClockState, Notification, NotificationKind
from varde.response.notifications import notification_acknowledge
from varde.response.placements import on_presumed_child, on_presumption_lifted, placement_record
from varde.response.worker import run_worker

from .conftest import assert_no_personal_data


def _placement_clock(case) -> Clock:
    return Clock.objects.get(case=case, kind="safe_placement")


def test_presumption_event_gives_a_24_hour_clock_and_informs_child_welfare(world, frozen):
    case = world.cases.police_child
    # Reporting a 15-year-old already presumed a child (identification emits `presumed_child`).
    reported_at = frozen.now
    # The clock and the notices exist the moment the report is saved: no worker has run.
    assert not Event.objects.filter(kind="presumed_child", processed_at__isnull=True).exists()
    assert set(Clock.objects.filter(kind="safe_placement").values_list("case_id", flat=True)) == {
        c.pk for c in world.cases.all() if c.is_child
    }
    assert presumption_evaluate(actor=world.personas.police, case=case).outcome == "already_presumed"
    frozen.advance(minutes=5)

    clk = _placement_clock(case)
    assert clk.state == ClockState.RUNNING
    assert clk.started_at == reported_at
    assert clk.due_at == reported_at + dt.timedelta(hours=24)
    assert clk.rule_version == 2 and "24 hours" in clk.rule_source
    assert clk.responsible_agency == world.agencies.childwelfare

    to_cw = Notification.objects.get(
        kind=NotificationKind.PRESUMED_CHILD, case=case, recipient_agency=world.agencies.childwelfare
    )
    assert not to_cw.is_participant  # Bufetat does not take part in the police's case yet
    assert case.reference in to_cw.text_nb and case.reference in to_cw.text_en
    assert "barnevernsloven § 13-2" in to_cw.text_nb
    assert_no_personal_data(to_cw.text_nb + to_cw.text_en)
    assert to_cw.ack_clock is not None and to_cw.ack_clock.kind == "inform_child_welfare"
    # The coordinators are not told: the child's clocks are in their national view.
    assert not Notification.objects.filter(
        kind=NotificationKind.PRESUMED_CHILD, case=case, recipient_agency=world.agencies.kom
    ).exists()
    assert to_cw in notifications_inbox(user=world.personas.childwelfare)
    assert to_cw not in notifications_inbox(user=world.personas.outsider)
    # Bufetat's own child case: it takes part, so it gets the participant's text.
    own = Notification.objects.get(
        kind=NotificationKind.PRESUMED_CHILD,
        case=world.cases.childwelfare_child,
        recipient_agency=world.agencies.childwelfare,
    )
    assert own.is_participant and own.text_en.startswith(f"Case {world.cases.childwelfare_child.reference}")

    # Hearing of the presumption again changes nothing.
    on_presumed_child(case=case, occurred_at=reported_at)
    run_worker(once=True)
    assert Clock.objects.filter(kind="safe_placement").count() == 3
    assert Notification.objects.filter(kind=NotificationKind.PRESUMED_CHILD).count() == 3


def test_placing_the_child_meets_the_clock(world, frozen):
    case = world.cases.police_child
    on_presumed_child(case=case, occurred_at=frozen.now)
    frozen.advance(hours=3)
    # A reception centre is not a safe place for a presumed child: the clock keeps running.
    placement_record(actor=world.personas.police, case=case, kind="reception_centre", from_at=frozen.now)
    assert _placement_clock(case).state == ClockState.RUNNING
    frozen.advance(hours=2)
    placement = placement_record(
        actor=world.personas.police,
        case=case,
        kind="child_welfare_institution",
        from_at=frozen.now,
        description="Institution",
    )
    clk = _placement_clock(case)
    assert clk.state == ClockState.MET and not clk.met_late
    assert clk.history.last().data == {"placement": str(placement.pk)}
    frozen.advance(hours=30)
    run_worker(once=True, consume_events=False)
    assert _placement_clock(case).state == ClockState.MET
    assert not Notification.objects.filter(kind=NotificationKind.CLOCK_MISSED, clock=clk).exists()


def test_missing_the_clock_escalates_to_the_coordinators(world, frozen):
    case = world.cases.police_child
    clk = on_presumed_child(case=case, occurred_at=frozen.now)
    frozen.advance(hours=23, minutes=59)
    run_worker(once=True, consume_events=False)
    assert _placement_clock(case).state == ClockState.RUNNING
    assert Notification.objects.filter(kind=NotificationKind.CLOCK_WARNING, clock=clk).count() == 1

    frozen.advance(minutes=1)
    stats = run_worker(once=True, consume_events=False)
    assert stats.missed >= 1
    clk.refresh_from_db()
    assert clk.state == ClockState.MISSED and clk.closed_at == frozen.now
    missed = Notification.objects.filter(kind=NotificationKind.CLOCK_MISSED, clock=clk)
    assert {n.recipient_agency for n in missed} == {
        world.agencies.childwelfare,
        world.agencies.police,
        world.agencies.kom,
    }
    to_kom = missed.get(recipient_agency=world.agencies.kom)
    assert to_kom in notifications_inbox(user=world.personas.coordinator)
    for n in missed:
        assert_no_personal_data(n.text_nb + n.text_en)

    # Placing the child late still meets the clock, recorded as late.
    placement_record(actor=world.personas.police, case=case, kind="care_centre", from_at=frozen.now)
    clk.refresh_from_db()
    assert clk.state == ClockState.MET and clk.met_late
    run_worker(once=True, consume_events=False)
    assert (
        not Clock.objects.filter(case=case, state=ClockState.MISSED)
        .exclude(pk=clk.pk)
        .exclude(kind="inform_child_welfare")
        .exists()
    )


def test_child_welfare_acknowledges_and_meets_the_inform_clock(world, frozen):
    case = world.cases.police_child
    on_presumed_child(case=case, occurred_at=frozen.now)
    note = Notification.objects.get(
        kind=NotificationKind.PRESUMED_CHILD, case=case, recipient_agency=world.agencies.childwelfare
    )
    from django.http import Http404

    with pytest.raises(Http404):
        notification_acknowledge(actor=world.personas.ngo, notification=note)
    frozen.advance(minutes=30)
    acked = notification_acknowledge(actor=world.personas.childwelfare, notification=note)
    assert acked.acknowledged_by == world.personas.childwelfare and acked.acknowledged_at == frozen.now
    assert acked.ack_clock.state == ClockState.MET
    frozen.advance(hours=3)
    run_worker(once=True, consume_events=False)
    assert not Notification.objects.filter(kind=NotificationKind.CLOCK_MISSED, clock=acked.ack_clock).exists()


def test_unacknowledged_inform_clock_is_missed_and_reaches_the_coordinators(world, frozen):
    case = world.cases.police_child
    on_presumed_child(case=case, occurred_at=frozen.now)
    inform = Clock.objects.get(case=case, kind="inform_child_welfare")
    frozen.advance(hours=2, seconds=1)
    run_worker(once=True, consume_events=False)
    inform.refresh_from_db()
    assert inform.state == ClockState.MISSED
    assert Notification.objects.filter(
        kind=NotificationKind.CLOCK_MISSED, clock=inform, recipient_agency=world.agencies.kom
    ).exists()


def test_lifting_the_presumption_cancels_the_child_clocks(world, frozen):
    case = world.cases.police_child
    on_presumed_child(case=case, occurred_at=frozen.now)
    cancelled = on_presumption_lifted(case=case, occurred_at=frozen.now)
    assert {c.kind for c in cancelled} == {"safe_placement", "inform_child_welfare"}
    frozen.advance(days=2)
    run_worker(once=True, consume_events=False)
    assert not Clock.objects.filter(case=case, state=ClockState.MISSED).exists()
