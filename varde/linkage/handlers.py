"""The linkage keeps its stored blocking keys, and the case search its search keys, current when a
referral is reported or a person's names or identifiers change (varde.events, immediate: a later
referral, or a search, finds this one at once), and puts a new referral's probable matches with
other agencies' records on KOM's review queue (deferred: in the worker, so that the report's answer
and its timing never depend on records the reporter cannot see)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from varde.events.models import Event, EventKind
from varde.events.services import event_handler

from .search_keys import search_keys_refresh
from .services import EarlierFound, earlier_records_find, earlier_records_queue, record_keys_refresh


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=10)
@event_handler(EventKind.PERSON_KEYS_CHANGED, immediate=True)
def _refresh_keys(event: Event) -> None:
    record_keys_refresh(person_ids=[event.data["person"]])


@event_handler(EventKind.CASE_REPORTED, immediate=True, order=11)
@event_handler(EventKind.PERSON_KEYS_CHANGED, immediate=True)
def _refresh_search_keys(event: Event) -> None:
    """The case search finds a new report, or a new alias, at once (varde.linkage.search_keys)."""
    search_keys_refresh(person_ids=[event.data["person"]])


def _report(event: Event) -> tuple[UUID, UUID]:
    return UUID(event.data["case"]), UUID(event.data["agency"])


def _find_earlier_records(events: list[Event]) -> dict[Any, EarlierFound]:
    """The look-ups of many reports at once, before the worker's write transaction."""
    found = earlier_records_find([_report(e) for e in events])
    return {e.pk: found[_report(e)] for e in events if _report(e) in found}


@event_handler(EventKind.CASE_REPORTED, immediate=False, prepare=_find_earlier_records)
def _queue_earlier_records(event: Event, found: EarlierFound | None) -> None:
    case_id, agency_id = _report(event)
    earlier_records_queue(case_id=case_id, agency_id=agency_id, actor_id=event.data.get("actor"), found=found)
