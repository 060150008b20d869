"""What the coordinated response does when something happens below it (varde.events).

All immediate, in the transaction of the fact (a clock the law starts at an event exists the moment
the event is saved; nothing a child's safety depends on waits for a worker):
- a reported case and an invited agency are told at once (routing rules are data);
- a presumed or verified child: the 24-hour safe placement and the duty to inform child welfare;
  a lifted presumption cancels the child-only clocks;
- a closed case: its running clocks are cancelled; a re-opened case gets back what the rules require.
The worker only does what is time-driven or external: warnings, missed clocks, escalations, e-mail.
"""

from __future__ import annotations

from varde.cases.models import Case, CaseParticipation, CaseStatus
from varde.events.models import Event, EventKind
from varde.events.services import event_handler

from .models import Clock
from .notifications import on_agency_invited, on_case_reported
from .placements import (
    on_case_closed,
    on_case_reopened,
    on_child_confirmed,
    on_presumed_child,
    on_presumption_lifted,
)
from .rules import after_closure_kinds


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=30)
def _case_reported(event: Event) -> None:
    on_case_reported(case=Case.objects.get(pk=event.data["case"]))


@event_handler(EventKind.AGENCY_INVITED, immediate=True)
def _agency_invited(event: Event) -> None:
    participation = CaseParticipation.objects.select_related("case", "agency").get(
        pk=event.data["participation"]
    )
    on_agency_invited(participation=participation)


@event_handler(EventKind.PRESUMED_CHILD, immediate=True)
def _presumed_child(event: Event) -> None:
    if event.case is not None:
        on_presumed_child(case=event.case, occurred_at=event.occurred_at)


@event_handler(EventKind.CHILD_CONFIRMED, immediate=True)
def _child_confirmed(event: Event) -> None:
    if event.case is not None:
        on_child_confirmed(case=event.case, occurred_at=event.occurred_at)


@event_handler(EventKind.PRESUMPTION_LIFTED, immediate=True)
def _presumption_lifted(event: Event) -> None:
    if event.case is not None:
        on_presumption_lifted(case=event.case, occurred_at=event.occurred_at)


@event_handler(EventKind.CASE_STATUS_CHANGED, immediate=True)
def _case_status_changed(event: Event) -> None:
    case = Case.objects.get(pk=event.data["case"])
    Clock.objects.filter(case=case).exclude(kind__in=after_closure_kinds()).update(
        case_open=case.status != CaseStatus.CLOSED
    )
    if event.data.get("to") == CaseStatus.CLOSED:
        on_case_closed(case=case)
    elif event.data.get("from") == CaseStatus.CLOSED:
        on_case_reopened(case=case, at=event.occurred_at)
