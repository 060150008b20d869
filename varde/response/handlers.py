"""What the coordinated response does when something happens below it (varde.events).

Immediate: a reported case and an invited agency are told at once (routing rules are data).
Deferred (the worker, after commit): a presumed child's 24-hour safe placement and the duty to inform
child welfare; a verified child or a lifted presumption updates the clocks.
"""

from __future__ import annotations

from varde.cases.models import Case, CaseParticipation
from varde.events.models import Event, EventKind
from varde.events.services import event_handler

from .notifications import on_agency_invited, on_case_reported
from .placements import on_child_confirmed, on_presumed_child, on_presumption_lifted


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=30)
def _case_reported(event: Event) -> None:
    on_case_reported(case=Case.objects.get(pk=event.data["case"]))


@event_handler(EventKind.AGENCY_INVITED, immediate=True)
def _agency_invited(event: Event) -> None:
    participation = CaseParticipation.objects.select_related("case", "agency").get(
        pk=event.data["participation"]
    )
    on_agency_invited(participation=participation)


@event_handler(EventKind.PRESUMED_CHILD, immediate=False)
def _presumed_child(event: Event) -> None:
    if event.case is not None:
        on_presumed_child(case=event.case, occurred_at=event.occurred_at)


@event_handler(EventKind.CHILD_CONFIRMED, immediate=False)
def _child_confirmed(event: Event) -> None:
    if event.case is not None:
        on_child_confirmed(case=event.case, occurred_at=event.occurred_at)


@event_handler(EventKind.PRESUMPTION_LIFTED, immediate=False)
def _presumption_lifted(event: Event) -> None:
    if event.case is not None:
        on_presumption_lifted(case=event.case, occurred_at=event.occurred_at)
