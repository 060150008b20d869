"""Month arithmetic, pausing and extending as recorded, and clocks as they stood on a past date."""

from __future__ import annotations

import datetime as dt

import pytest

from varde.core.errors import EditConflict, TransitionNotAllowed
from varde.response.clocks import (
    case_clocks_as_of,
    clock_as_of,
    clock_cancel,
    clock_extend,
    clock_meet,
    clock_pause,
    clock_resume,
    clock_start,
)
from varde.response.dates import OSLO, add_months, end_of_day, last_day_before, months_period
from varde.response.legal_status import legal_status_record
from varde.response.models import ClockAction, ClockState
from varde.response.plans import task_add
from varde.response.worker import run_worker


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 8, 30), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 9, 1), 6, dt.date(2027, 3, 1)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
    ],
)
def test_add_months_handles_month_ends(start, months, expected):
    assert add_months(start, months) == expected


def test_a_period_runs_out_at_midnight_oslo_across_daylight_saving():
    winter = months_period(dt.date(2026, 8, 31), 6)
    assert winter == (dt.date(2027, 2, 28), dt.datetime(2027, 2, 28, 23, 0, tzinfo=dt.UTC))
    summer_end = end_of_day(dt.date(2027, 6, 30))
    assert summer_end == dt.datetime(2027, 6, 30, 22, 0, tzinfo=dt.UTC)
    assert last_day_before(summer_end) == dt.date(2027, 6, 30)


@pytest.mark.parametrize(
    ("granted", "ends"),
    [
        (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29)),
    ],
)
def test_reflection_period_granted_on_31_august_ends_on_the_last_day_of_february(
    world, frozen, granted, ends
):
    frozen.set(dt.datetime(granted.year, 9, 2, 12, 0, tzinfo=OSLO).astimezone(dt.UTC))
    change = legal_status_record(
        actor=world.personas.police,
        case=world.cases.police_adult,
        kind="reflection_granted",
        from_date=granted,
    )
    (clk,) = change.clocks_started
    assert clk.kind == "reflection_period"
    assert clk.ends_on == ends
    assert clk.due_at.astimezone(OSLO) == dt.datetime(ends.year, 3, 1, 0, 0, tzinfo=OSLO)
    assert "§ 8-3" in clk.rule_source
    assert clk.warn_at == clk.due_at - dt.timedelta(days=30)


def _task_clock(world, due: dt.date):
    task = task_add(
        actor=world.personas.police,
        case=world.cases.police_child,
        title="Health check",
        responsible_agency=world.agencies.police,
        due_date=due,
    )
    return task.clock


def test_pausing_moves_the_due_time_by_the_pause(world, frozen):
    clk = _task_clock(world, dt.date(2026, 10, 20))
    assert clk.due_at == end_of_day(dt.date(2026, 10, 20))
    original_due = clk.due_at
    with pytest.raises(Exception, match="reason"):
        clock_pause(actor=world.personas.police, clock=clk, reason=" ", version=clk.version)
    clk = clock_pause(actor=world.personas.police, clock=clk, reason="Child in hospital", version=clk.version)
    assert clk.state == ClockState.PAUSED and clk.paused_at == frozen.now
    frozen.advance(days=3, hours=4)
    clk = clock_resume(actor=world.personas.police, clock=clk, version=clk.version)
    assert clk.state == ClockState.RUNNING
    assert clk.due_at == original_due + dt.timedelta(days=3, hours=4)
    pause = clk.pauses.get()
    assert pause.reason == "Child in hospital" and pause.paused_by == world.personas.police
    assert pause.resumed_at == frozen.now
    actions = list(clk.history.values_list("action", flat=True))
    assert actions == [ClockAction.STARTED, ClockAction.PAUSED, ClockAction.RESUMED]


def test_extending_records_reason_and_who_granted_it(world, frozen):
    clk = _task_clock(world, dt.date(2026, 10, 20))
    before = clk.due_at
    with pytest.raises(EditConflict):
        clock_extend(actor=world.personas.police, clock=clk, reason="x", version=clk.version + 5, days=1)
    clk = clock_extend(
        actor=world.personas.police,
        clock=clk,
        reason="Interpreter not available",
        days=7,
        version=clk.version,
    )
    assert clk.due_at == before + dt.timedelta(days=7)
    assert clk.ends_on == dt.date(2026, 10, 27)
    ext = clk.extensions.get()
    assert (ext.from_due_at, ext.to_due_at) == (before, clk.due_at)
    assert ext.reason == "Interpreter not available"
    assert ext.granted_by == world.personas.police and ext.granted_by_agency == world.agencies.police
    clk = clock_extend(
        actor=world.personas.police, clock=clk, reason="More time", months=1, version=clk.version
    )
    assert clk.ends_on == dt.date(2026, 11, 27)


def test_rules_decide_what_may_be_paused_or_extended(world, frozen):
    placement = clock_start(case=world.cases.police_child, kind="safe_placement")
    with pytest.raises(TransitionNotAllowed):
        clock_pause(actor=world.personas.police, clock=placement, reason="no", version=placement.version)
    with pytest.raises(TransitionNotAllowed):
        clock_extend(
            actor=world.personas.police, clock=placement, reason="no", hours=5, version=placement.version
        )
    met = clock_meet(actor=world.personas.police, clock=placement, version=placement.version)
    with pytest.raises(TransitionNotAllowed):
        clock_cancel(actor=world.personas.police, clock=met, reason="late", version=met.version)


def test_someone_who_cannot_see_the_case_cannot_touch_its_clocks(world):
    from django.http import Http404

    clk = _task_clock(world, dt.date(2026, 10, 20))
    with pytest.raises(Http404):
        clock_extend(actor=world.personas.outsider, clock=clk, reason="x", days=1, version=clk.version)


def test_clocks_as_they_stood_on_a_past_date(world, frozen):
    case = world.cases.police_child
    t0 = frozen.now
    clk = _task_clock(world, dt.date(2026, 10, 10))
    first_due = clk.due_at
    frozen.advance(days=1)
    t1 = frozen.now
    clk = clock_extend(
        actor=world.personas.police, clock=clk, reason="Waiting for the school", days=2, version=clk.version
    )
    frozen.advance(days=1)
    t2 = frozen.now
    frozen.set(clk.due_at + dt.timedelta(minutes=1))
    run_worker(once=True, consume_events=False)
    t3 = frozen.now

    assert clock_as_of(clk, t0 - dt.timedelta(seconds=1)) is None
    at0 = clock_as_of(clk, t0)
    assert (at0.state, at0.due_at, at0.last_action) == (ClockState.RUNNING, first_due, ClockAction.STARTED)
    at2 = clock_as_of(clk, t2)
    assert (at2.state, at2.due_at, at2.ends_on) == (
        ClockState.RUNNING,
        first_due + dt.timedelta(days=2),
        dt.date(2026, 10, 12),
    )
    assert clock_as_of(clk, t1).last_action == ClockAction.EXTENDED
    at3 = clock_as_of(clk, t3)
    assert at3.state == ClockState.MISSED
    # Before the worker recorded it, it was running past due.
    just_before = clock_as_of(clk, t3 - dt.timedelta(seconds=30))
    assert just_before.state == ClockState.RUNNING and just_before.overdue

    other = clock_start(case=case, kind="plan_review")
    snaps = case_clocks_as_of(case, t2)
    # The child's own clocks started with the report (the 24-hour rule); the task clock beside them.
    assert [s.clock_id for s in snaps if s.kind not in ("safe_placement", "inform_child_welfare")] == [clk.pk]
    assert {clk.pk, other.pk} <= {s.clock_id for s in case_clocks_as_of(case, frozen.now)}
