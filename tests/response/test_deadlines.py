"""The national deadline view and my next actions: every running clock with its time left, filters
(kind, agency, child, state), least time left first, pages of at most 50, counts from the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from varde.access.response import PAGE_SIZE, ClockFilter, my_clocks, national_clocks
from varde.cases.models import Case, CaseStatus
from varde.cases.services import case_change_status
from varde.core.errors import NotPermitted
from varde.response.clocks import clock_start
from varde.response.models import Clock
from varde.response.worker import run_worker


def test_the_national_view_shows_a_clock_with_20_hours_left(world, frozen):
    frozen.advance(hours=4)  # the children's 24-hour clocks started with their reports, four hours ago
    page = national_clocks(
        user=world.personas.coordinator, filter=ClockFilter(kind="safe_placement"), language="en"
    )
    assert page.total == 3 and page.counts["running"] == 3
    refs = {c.reference for c in world.cases.all() if c.is_child}
    assert {r.reference for r in page.rows} == refs
    for row in page.rows:
        assert row.time_left == dt.timedelta(hours=20) and row.display_state == "running"
        assert (
            row.label.startswith("Safe placement")
            and row.is_child
            and row.responsible == "Bufetat region øst"
        )


def test_the_national_view_is_for_coordinators(world):
    with pytest.raises(NotPermitted):
        national_clocks(user=world.personas.police)


def test_filters_by_state_kind_agency_and_child(world, frozen):
    police = world.agencies.police
    clock_start(case=world.cases.police_adult, kind="police_report", agency=police, origin="t:1")
    clock_start(case=world.cases.police_adult, kind="plan_review", origin="t:2")
    frozen.advance(hours=1, minutes=30)  # the police report (2 h) is in its warning window (1 h)
    coordinator = world.personas.coordinator

    def refs(**kw):
        return [
            (r.reference, r.kind) for r in national_clocks(user=coordinator, filter=ClockFilter(**kw)).rows
        ]

    page = national_clocks(user=coordinator)
    # Three children's clocks each (placement, informing child welfare) and the two adult ones.
    assert page.counts == {"all": 8, "running": 8, "warning": 4, "missed": 0}
    assert {k for _r, k in refs(state="warning")} == {"police_report", "inform_child_welfare"}
    ref = world.cases.police_adult.reference
    assert refs(agency=police.pk) == [(ref, "police_report"), (ref, "plan_review")]  # the lead's review
    assert {r for r, _k in refs(child=False)} == {world.cases.police_adult.reference}
    assert {k for _r, k in refs(child=True)} == {"safe_placement", "inform_child_welfare"}
    assert refs(kind="plan_review") == [(world.cases.police_adult.reference, "plan_review")]

    frozen.advance(hours=1)  # the informing clocks and the police report ran out
    assert (
        national_clocks(user=coordinator, filter=ClockFilter(state="missed")).total == 4
    )  # before the worker
    run_worker(once=True)
    page = national_clocks(user=coordinator, filter=ClockFilter(state="missed"))
    assert page.total == 4 and {r.display_state for r in page.rows} == {"missed"}
    assert all(r.time_left < dt.timedelta(0) and r.overdue for r in page.rows)
    assert national_clocks(user=coordinator).counts == {"all": 8, "running": 4, "warning": 0, "missed": 4}


def test_sorted_by_time_left_either_way(world, frozen):
    clock_start(case=world.cases.police_adult, kind="plan_review", origin="t:2")
    coordinator = world.personas.coordinator
    soonest = national_clocks(user=coordinator).rows
    assert [r.due_at for r in soonest] == sorted(r.due_at for r in soonest)
    latest = national_clocks(user=coordinator, filter=ClockFilter(descending=True)).rows
    assert latest[0].kind == "plan_review" and [r.clock_id for r in latest] == [
        r.clock_id for r in reversed(soonest)
    ]


def test_a_closed_case_is_not_in_the_view(world, frozen):
    case = Case.objects.get(pk=world.cases.police_child.pk)
    case_change_status(
        actor=world.personas.police,
        case=case,
        status=CaseStatus.CLOSED,
        reason="Returned to family abroad.",
        version=case.version,
        closure_reason="settled",
    )
    page = national_clocks(user=world.personas.coordinator)
    assert case.reference not in {r.reference for r in page.rows} and page.total == 4


def test_what_a_closed_case_missed_leaves_the_lists_and_comes_back_when_it_reopens(world, frozen):
    frozen.advance(hours=25)  # the children's clocks ran out
    run_worker(once=True)
    coordinator, police = world.personas.coordinator, world.personas.police
    case = Case.objects.get(pk=world.cases.police_child.pk)
    missed = national_clocks(user=coordinator, filter=ClockFilter(state="missed"))
    assert case.reference in {r.reference for r in missed.rows} and missed.total == 6

    case_change_status(
        actor=police,
        case=case,
        status=CaseStatus.CLOSED,
        reason="Returned to family abroad.",
        version=case.version,
        closure_reason="settled",
    )
    # The missed clocks stay missed (history) but leave the lists with their case.
    assert set(Clock.objects.filter(case=case).values_list("state", "case_open")) == {("missed", False)}
    after = national_clocks(user=coordinator, filter=ClockFilter(state="missed"))
    assert case.reference not in {r.reference for r in after.rows} and after.total == 4
    assert national_clocks(user=coordinator).counts["missed"] == 4

    case.refresh_from_db()
    case_change_status(
        actor=police,
        case=case,
        status=CaseStatus.UNDER_ASSESSMENT,
        reason="Back in Norway.",
        version=case.version,
    )
    assert not Clock.objects.filter(case=case, case_open=False).exists()
    back = national_clocks(user=coordinator, filter=ClockFilter(state="missed"))
    assert case.reference in {r.reference for r in back.rows} and back.total == 6


def test_pages_of_50_and_a_fixed_number_of_queries(world, frozen):
    coordinator = world.personas.coordinator
    case = world.cases.police_adult
    for i in range(PAGE_SIZE + 10):
        clock_start(case=case, kind="police_report", agency=world.agencies.police, origin=f"t:{i}")
    with CaptureQueriesContext(connection) as first:
        page = national_clocks(user=coordinator)
    assert page.total == PAGE_SIZE + 10 + 6 and page.pages == 2 and len(page.rows) == PAGE_SIZE
    second = national_clocks(user=coordinator, page=2)
    assert len(second.rows) == 16 and not second.has_next and second.has_previous
    assert not {r.clock_id for r in page.rows} & {r.clock_id for r in second.rows}
    assert national_clocks(user=coordinator, page=99).number == 2  # past the end: the last page
    for i in range(100):
        clock_start(case=case, kind="police_report", agency=world.agencies.police, origin=f"u:{i}")
    with CaptureQueriesContext(connection) as more:
        national_clocks(user=coordinator)
    assert len(more) <= len(first) <= 3  # counts, rows (and who the user is): not one per row


def test_my_next_actions_are_my_agencys_deadlines(world, frozen):
    cw = world.personas.childwelfare
    page = my_clocks(user=cw, language="en")
    # Child welfare answers for the children's placements and for acknowledging the notices, on the
    # case it takes part in (its own): the others' cases it may not open are not listed.
    assert {(r.reference, r.kind) for r in page.rows} == {
        (world.cases.childwelfare_child.reference, "safe_placement"),
        (world.cases.childwelfare_child.reference, "inform_child_welfare"),
    }
    assert my_clocks(user=world.personas.ngo).total == 0
    police = world.personas.police
    clock_start(case=world.cases.police_adult, kind="police_report", agency=world.agencies.police, origin="t")
    assert [r.kind for r in my_clocks(user=police).rows] == ["police_report"]
    assert Clock.objects.filter(responsible_agency=world.agencies.police).count() == 1
