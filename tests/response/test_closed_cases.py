"""Closed is closed: closing a case cancels its running clocks (the closure named as the reason), no
clock starts and no urgent notice goes out for a closed case, and re-opening restores what the rules
require."""

from __future__ import annotations

import datetime as dt

from varde.cases.models import Case, CaseStatus
from varde.cases.services import case_change_status
from varde.response.clocks import CASE_CLOSED
from varde.response.disappearances import missing_episode_record
from varde.response.models import OPEN_CLOCK_STATES, Clock, ClockState, Notification, NotificationKind
from varde.response.placements import on_presumed_child, placement_record
from varde.response.worker import run_worker


def _set_status(world, case: Case, status: str) -> Case:
    case = Case.objects.get(pk=case.pk)
    return case_change_status(
        actor=world.personas.police,
        case=case,
        status=status,
        reason="The person went home with family." if status == CaseStatus.CLOSED else "New information.",
        version=case.version,
        closure_reason="settled" if status == CaseStatus.CLOSED else "",
    )


def test_closing_cancels_the_running_clocks_with_the_closure_as_reason(world, frozen):
    case = world.cases.police_child
    episode = missing_episode_record(
        actor=world.personas.police, case=case, missing_from="care_centre", last_seen_at=frozen.now
    )
    running = set(Clock.objects.filter(case=case, state=ClockState.RUNNING).values_list("pk", flat=True))
    # The child's two clocks started with the report; the disappearance's police report clock.
    assert len(running) == 3 and episode.police_report_clock_id in running
    assert Notification.objects.filter(case=case, ack_due_at__isnull=False).exists()  # acknowledge in 1 h

    _set_status(world, case, CaseStatus.CLOSED)
    for clk in Clock.objects.filter(pk__in=running):
        assert clk.state == ClockState.CANCELLED and clk.closed_at == frozen.now
        assert clk.history.order_by("-at", "-id").first().reason == CASE_CLOSED
    # Nothing of the closed case falls due: no missed clock, no escalation, no notice.
    frozen.advance(days=3)
    before = Notification.objects.filter(case=case).count()
    run_worker(once=True)
    assert not Clock.objects.filter(case=case, state=ClockState.MISSED).exists()
    assert Notification.objects.filter(case=case).count() == before


def test_no_clock_and_no_urgent_notice_for_a_closed_case(world, frozen):
    case = world.cases.police_adult
    _set_status(world, case, CaseStatus.CLOSED)
    notices = Notification.objects.filter(case=case, kind=NotificationKind.PRESUMED_CHILD)
    assert on_presumed_child(case=case, occurred_at=frozen.now) is None
    assert not Clock.objects.filter(case=case).exists() and not notices.exists()


def test_reopening_restores_what_the_rules_require(world, frozen):
    case = world.cases.police_child
    placement = Clock.objects.get(case=case, kind="safe_placement")
    informed = Clock.objects.get(case=case, kind="inform_child_welfare")
    _set_status(world, case, CaseStatus.CLOSED)

    # Re-opened within the 24 hours: the same placement clock runs again, to its own due time; the
    # informing clock (2 h) had run out meanwhile and stays cancelled.
    frozen.advance(hours=5)
    _set_status(world, case, CaseStatus.UNDER_ASSESSMENT)
    placement.refresh_from_db()
    informed.refresh_from_db()
    assert placement.state == ClockState.RUNNING and placement.due_at == frozen.now + dt.timedelta(hours=19)
    assert informed.state == ClockState.CANCELLED
    assert Clock.objects.filter(case=case, kind="safe_placement", state__in=OPEN_CLOCK_STATES).count() == 1

    # Closed and re-opened two days later: the child has no safe place, so a new 24-hour clock starts
    # at the re-opening and child welfare is told again.
    _set_status(world, case, CaseStatus.CLOSED)
    frozen.advance(days=2)
    _set_status(world, case, CaseStatus.UNDER_ASSESSMENT)
    fresh = Clock.objects.get(case=case, kind="safe_placement", state=ClockState.RUNNING)
    assert fresh.pk != placement.pk and fresh.started_at == frozen.now
    assert fresh.due_at == frozen.now + dt.timedelta(hours=24)
    assert (
        Notification.objects.filter(
            case=case, kind=NotificationKind.PRESUMED_CHILD, recipient_agency=world.agencies.childwelfare
        ).count()
        == 2
    )


def test_reopening_a_child_in_care_starts_no_new_clock(world, frozen):
    case = world.cases.police_child
    placement_record(actor=world.personas.police, case=case, kind="care_centre", from_at=frozen.now)
    _set_status(world, case, CaseStatus.CLOSED)
    frozen.advance(days=2)
    _set_status(world, case, CaseStatus.UNDER_ASSESSMENT)
    assert not Clock.objects.filter(case=case, kind="safe_placement", state__in=OPEN_CLOCK_STATES).exists()
