"""The linkage keeps its stored blocking keys current when a referral is reported or a person's
names or identifiers change (varde.events, immediate: a later referral finds this one at once), and
puts a new referral's probable matches with other agencies' records on KOM's review queue (deferred:
in the worker, so that the report's answer and its timing never depend on records the reporter
cannot see)."""

from __future__ import annotations

from varde.events.models import Event, EventKind
from varde.events.services import event_handler

from .services import earlier_records_queue, record_keys_refresh


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=10)
@event_handler(EventKind.PERSON_KEYS_CHANGED, immediate=True)
def _refresh_keys(event: Event) -> None:
    record_keys_refresh(person_ids=[event.data["person"]])


@event_handler(EventKind.CASE_REPORTED, immediate=False)
def _queue_earlier_records(event: Event) -> None:
    earlier_records_queue(
        case_id=event.data["case"], agency_id=event.data["agency"], actor_id=event.data.get("actor")
    )
