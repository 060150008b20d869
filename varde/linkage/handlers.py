"""The linkage keeps its stored blocking keys current when a referral is reported or a person's
names or identifiers change (varde.events, immediate: a later referral finds this one at once)."""

from __future__ import annotations

from varde.events.models import Event, EventKind
from varde.events.services import event_handler

from .services import record_keys_refresh


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=10)
@event_handler(EventKind.PERSON_KEYS_CHANGED, immediate=True)
def _refresh_keys(event: Event) -> None:
    record_keys_refresh(person_ids=[event.data["person"]])
