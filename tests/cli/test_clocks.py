"""`varde clocks`: the operator's list of legal clocks by state, as lines or JSON."""

from __future__ import annotations

import datetime as dt
import json

from varde.cases.models import Case, CaseStatus
from varde.cases.services import case_change_status
from varde.core import clock


def _later(monkeypatch, **delta):
    when = clock.now() + dt.timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: when)
    return when


def test_clocks_as_json_by_state_and_case(varde, world, monkeypatch):
    result = varde("clocks", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    children = {c.reference for c in world.cases.all() if c.is_child}
    assert {r["case"] for r in rows} == children and len(rows) == 6  # placement and informing, each
    assert set(rows[0]) >= {"case", "kind", "state", "started", "due", "case_status"}
    assert {(r["kind"], r["state"], r["case_status"]) for r in rows} == {
        ("safe_placement", "running", "reported"),
        ("inform_child_welfare", "running", "reported"),
    }
    started = dt.datetime.fromisoformat(rows[0]["started"])
    assert dt.datetime.fromisoformat(rows[0]["due"]) - started == dt.timedelta(hours=2)  # soonest first

    _later(monkeypatch, hours=1, minutes=30)
    assert {r["kind"] for r in json.loads(varde("clocks", "--state", "warning", "--json").out)} == {
        "inform_child_welfare"
    }
    _later(monkeypatch, hours=1)
    missed = json.loads(varde("clocks", "--state", "missed", "--json").out)
    assert len(missed) == 3 and all(r["overdue"] and r["state"] == "running" for r in missed)  # no worker yet

    ref = world.cases.police_child.reference
    one = json.loads(varde("clocks", "--case", ref, "--state", "all", "--json").out)
    assert {r["case"] for r in one} == {ref} and len(one) == 2


def test_a_closed_cases_clocks_show_cancelled_with_the_case_status(varde, world):
    case = Case.objects.get(pk=world.cases.ngo_child.pk)
    case_change_status(
        actor=world.personas.ngo,
        case=case,
        status=CaseStatus.CLOSED,
        reason="Moved abroad with family.",
        version=case.version,
        closure_reason="moved_abroad",
    )
    running = json.loads(varde("clocks", "--json").out)
    assert case.reference not in {r["case"] for r in running}
    rows = json.loads(varde("clocks", "--case", case.reference, "--state", "all", "--json").out)
    assert {(r["state"], r["case_status"]) for r in rows} == {("cancelled", "closed")}


def test_clocks_help_and_lines(varde, world):
    assert "varde clocks --state missed --json" in varde("clocks", "--help").out
    result = varde("clocks")
    assert result.code == 0 and world.cases.police_child.reference in result.out
    assert "6 clock(s)" in result.err
    assert varde("clocks", "--state", "soon").code == 2
