"""event_emit() writes to the outbox inside the caller's transaction; consumers mark events processed."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from varde.cases.models import Case
from varde.core import clock

from .models import Event, EventKind

# Values in event data are ids and codes: no spaces, short. This keeps free text (names, notes) out.
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class EventDataNotAllowed(ValueError):
    """Event data may hold ids and codes only."""


def _check_value(key: str, value: Any) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str) and _CODE.match(value):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_value(key, item)
        return
    raise EventDataNotAllowed(f"event data {key!r} must be an id or a code")


def _check_data(data: dict[str, Any]) -> None:
    for key, value in data.items():
        if not isinstance(key, str) or not _CODE.match(key):
            raise EventDataNotAllowed("event data keys must be codes")
        _check_value(key, value)


def event_emit(*, kind: str, case: Case | None, data: dict[str, Any] | None = None) -> Event:
    """Add an event to the outbox. Must run inside the transaction that makes the change."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event kind {kind[:40]!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_emit must be called inside the transaction that makes the change")
    payload = dict(data or {})
    if case is not None:
        payload.setdefault("case", str(case.pk))
    _check_data(payload)
    return Event.objects.create(kind=kind, case=case, data=payload, occurred_at=clock.now())


def events_pending(*, kind: str | None = None) -> QuerySet[Event]:
    """Unprocessed events, oldest first."""
    qs = Event.objects.filter(processed_at__isnull=True).order_by("occurred_at", "id")
    return qs.filter(kind=kind) if kind else qs


@transaction.atomic
def event_mark_processed(*, event: Event) -> bool:
    """Mark one event processed; False if another consumer got there first."""
    return bool(Event.objects.filter(pk=event.pk, processed_at__isnull=True).update(processed_at=clock.now()))
