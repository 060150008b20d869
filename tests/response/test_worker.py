"""The worker's claims: compare-and-set fires each item once; a worker dying mid-way loses nothing."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest
from django.db import connection

from varde.response import routing, worker
from varde.response.cli import register
from varde.response.clocks import clock_fire_missed, clock_meet_system, clock_start
from varde.response.models import Clock, ClockChange, ClockState, Notification, NotificationKind


def _due_clocks(case, frozen, n: int) -> list[Clock]:
    """`n` police-report clocks on the case, run out. The world's own clocks (the children's, started
    with their reports) are met first, so that only these fall due."""
    for own in Clock.objects.filter(state=ClockState.RUNNING):
        clock_meet_system(clock=own, actor=None, agency=None)
    clocks = [clock_start(case=case, kind="police_report", origin=f"t:{i}") for i in range(n)]
    frozen.advance(hours=3)
    return clocks


def test_the_second_claim_on_a_clock_loses(world, frozen):
    (clk,) = _due_clocks(world.cases.police_child, frozen, 1)
    assert clock_fire_missed(clock_id=clk.pk, now=frozen.now) is not None
    assert clock_fire_missed(clock_id=clk.pk, now=frozen.now) is None
    assert ClockChange.objects.filter(clock=clk, action="missed").count() == 1


def test_two_passes_never_fire_twice(world, frozen):
    clocks = _due_clocks(world.cases.police_child, frozen, 30)
    first = worker.run_pass(worker_id="a")
    second = worker.run_pass(worker_id="b")
    assert (first.missed, second.missed) == (30, 0)
    for clk in clocks:
        assert (
            Notification.objects.filter(
                kind=NotificationKind.CLOCK_MISSED, clock=clk, recipient_agency=world.agencies.kom
            ).count()
            == 1
        )


def test_a_worker_that_dies_mid_way_loses_nothing(world, frozen, monkeypatch):
    clocks = _due_clocks(world.cases.police_child, frozen, 5)
    real_notify_many = routing.notify_many

    def dying_notify_many(notices):
        if any(n.clock is not None and n.clock.pk == clocks[2].pk for n in notices):
            raise ConnectionError("killed")  # the process dies while firing the third clock
        return real_notify_many(notices)

    monkeypatch.setattr(worker, "notify_many", dying_notify_many)
    stats = worker.run_pass(worker_id="dying")
    assert stats.missed == 4 and stats.errors == 1
    # The clock being fired when it died was rolled back with its claim: still running, no history.
    running = Clock.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.RUNNING)
    assert running.count() == 1
    assert not ClockChange.objects.filter(clock=running.get(), action="missed").exists()
    monkeypatch.setattr(worker, "notify_many", real_notify_many)
    assert worker.run_pass(worker_id="next").missed == 1
    assert Clock.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.MISSED).count() == 5
    assert ClockChange.objects.filter(clock__in=clocks, action="missed").count() == 5


def test_worker_cli_has_help_with_an_example_and_runs_one_pass(world, frozen, capsys):
    parser = argparse.ArgumentParser(prog="varde")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    with pytest.raises(SystemExit):
        parser.parse_args(["worker", "--help"])
    helptext = capsys.readouterr().out
    assert "varde worker --once" in helptext and "exactly once" in helptext
    with pytest.raises(SystemExit):
        parser.parse_args(["worker", "--batch", "0"])
    capsys.readouterr()
    _due_clocks(world.cases.police_child, frozen, 2)
    args = parser.parse_args(["worker", "--once"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["missed"] == 2


def test_forever_mode_stops_when_asked(world, frozen):
    import threading

    stop = threading.Event()
    stop.set()
    stats = worker.run_worker(False, interval=0.01, stop=stop)
    assert stats.errors == 0


def test_warning_is_sent_once_and_rearmed_by_an_extension(world, frozen):
    from varde.response.clocks import clock_extend
    from varde.response.plans import task_add

    task = task_add(
        actor=world.personas.police,
        case=world.cases.police_child,
        title="Health check",
        responsible_agency=world.agencies.police,
        responsible_user=world.personas.police,
        due_date=dt.date(2026, 10, 8),
    )
    frozen.set(task.clock.warn_at + dt.timedelta(minutes=1))
    assert worker.run_pass(worker_id="a").warned == 1
    assert worker.run_pass(worker_id="a").warned == 0
    warning = Notification.objects.get(kind=NotificationKind.CLOCK_WARNING)
    assert warning.recipient_user == world.personas.police and warning.is_participant
    clk = Clock.objects.get(pk=task.clock.pk)
    clock_extend(actor=world.personas.police, clock=clk, reason="Doctor ill", days=7, version=clk.version)
    frozen.advance(days=7)
    assert worker.run_pass(worker_id="a").warned == 1


def test_a_batch_that_does_not_win_every_item_is_fired_one_by_one_each_once(world, frozen, monkeypatch):
    """The worker claims up to CLAIM items in one compare-and-set; when it does not match every one
    (another worker took one in between), the batch rolls back and its items are fired one by one,
    each once, and nothing is counted as an error."""
    clocks = _due_clocks(world.cases.police_child, frozen, 6)
    real_many = worker.clocks_fire_missed
    calls = {"n": 0}

    def lost_one(*, clock_ids, now):
        calls["n"] += 1
        fired = real_many(clock_ids=clock_ids, now=now)
        return None if calls["n"] == 1 else fired  # the first batch's UPDATE "matched" one row short

    monkeypatch.setattr(worker, "clocks_fire_missed", lost_one)
    stats = worker.run_pass(worker_id="a")
    assert calls["n"] == 1
    assert stats.missed == 6 and stats.errors == 0
    assert Clock.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.MISSED).count() == 6
    assert ClockChange.objects.filter(clock__in=clocks, action="missed").count() == 6
    told = Notification.objects.filter(kind=NotificationKind.CLOCK_MISSED, clock__in=clocks)
    assert told.values("clock_id", "recipient_agency_id").distinct().count() == told.count() > 0
    assert worker.run_pass(worker_id="b").missed == 0


def test_on_sqlite_the_worker_makes_way_after_a_long_transaction(db, monkeypatch):
    """SQLite's waiting writers poll: after a long write transaction the worker pauses, so a sign-in
    waiting for the database gets it. PostgreSQL needs no pause."""
    slept: list[float] = []
    monkeypatch.setattr(worker.time, "sleep", slept.append)
    monkeypatch.setattr(worker.time, "monotonic", lambda: 100.0)
    worker._make_way(100.0 - worker.SQLITE_LONG / 2)  # a short transaction: no pause anywhere
    assert slept == []
    worker._make_way(100.0 - 1.0)  # a second-long one
    assert slept == ([worker.SQLITE_PAUSE] if connection.vendor == "sqlite" else [])
