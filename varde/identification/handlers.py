"""Identification reacts to a reported case (varde.events, immediate): an uncertain age with reasons to
believe the person is a child starts the presumption of minority (CoE Convention Art. 10(3)) in the
report's own transaction, and emits the event the response acts on."""

from __future__ import annotations

from varde.accounts.models import Agency, User
from varde.cases.models import Case
from varde.events.models import Event, EventKind
from varde.events.services import event_handler

from .services import presumption_evaluate_on_report


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=20)
def _case_reported(event: Event) -> None:
    presumption_evaluate_on_report(
        actor=User.objects.get(pk=event.data["actor"]),
        case=Case.objects.get(pk=event.data["case"]),
        agency=Agency.objects.get(pk=event.data["agency"]),
    )
