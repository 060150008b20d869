"""event_emit() writes to the outbox inside the caller's transaction; consumers mark events processed.

Cross-package follow-ups are events. A package low in the house (cases) announces what happened; the
packages above it that react register handlers for the kind (in their AppConfig.ready()), so no
import runs upward. Two kinds of handler:

- `immediate=True`: runs inside `event_emit`, in the transaction that makes the change, in `order`
  (lowest first). For what must commit or fail with the event: an audit row, a clock the law starts
  at the event, the notices the routing rules send at once, the linkage keys of a new name.
- `immediate=False` (deferred): run by the worker after commit, exactly once (the claim is a
  compare-and-set on `processed_at`). For what may wait and may be retried.

An event with no deferred handler is marked processed when it is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

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


Handler = Callable[..., None]
# A deferred handler's look-up for many events at once: reads only, run by the worker outside its
# write transaction; returns what it found by event id.
Prepare = Callable[[list[Event]], dict[Any, Any]]


@dataclass(frozen=True)
class _Registration:
    handler: Handler
    immediate: bool
    order: int
    prepare: Prepare | None = None


_HANDLERS: dict[str, list[_Registration]] = {}


def event_handler(
    kind: str, *, immediate: bool, order: int = 50, prepare: Prepare | None = None
) -> Callable[[Handler], Handler]:
    """Register `handler(event)` for events of `kind` (see the module's docstring).

    A deferred handler may name `prepare`: its slow reads for many events at once, which the worker
    runs before its write transaction so that the transaction holds its locks (SQLite's database, the
    audit chain's head) for the writes alone. Such a handler is called `handler(event, prepared)`,
    `prepared` being what `prepare` found for the event, or None (it then looks itself)."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event kind {kind[:40]!r}")
    if prepare is not None and immediate:
        raise ValueError("only deferred handlers prepare")

    def register(handler: Handler) -> Handler:
        registrations = _HANDLERS.setdefault(kind, [])
        if not any(r.handler is handler for r in registrations):
            registrations.append(
                _Registration(handler=handler, immediate=immediate, order=order, prepare=prepare)
            )
            registrations.sort(key=lambda r: r.order)
        return handler

    return register


def event_handlers(kind: str, *, immediate: bool) -> list[Handler]:
    return [r.handler for r in _HANDLERS.get(kind, []) if r.immediate is immediate]


def _deferred(kind: str) -> list[_Registration]:
    return [r for r in _HANDLERS.get(kind, []) if not r.immediate]


def deferred_event_kinds() -> list[str]:
    """The kinds the worker consumes: those with at least one deferred handler."""
    return sorted(kind for kind, regs in _HANDLERS.items() if any(not r.immediate for r in regs))


def event_emit(*, kind: str, case: Model | None, data: dict[str, Any] | None = None) -> Event:
    """Add an event to the outbox and run its immediate handlers. Must run inside the transaction
    that makes the change."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event kind {kind[:40]!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_emit must be called inside the transaction that makes the change")
    payload = dict(data or {})
    if case is not None:
        payload.setdefault("case", str(case.pk))
    _check_data(payload)
    now = clock.now()
    deferred = bool(event_handlers(kind, immediate=False))
    event = Event.objects.create(
        kind=kind,
        case_id=None if case is None else case.pk,
        data=payload,
        occurred_at=now,
        processed_at=None if deferred else now,
    )
    for handler in event_handlers(kind, immediate=True):
        handler(event)
    return event


class EventsNotClaimed(Exception):
    """Another consumer processed one of the events first: undo the batch (`events_process_many`)."""


Prepared = dict[tuple[Any, Handler], Any]


def events_prepare(events: list[Event]) -> Prepared:
    """Run the deferred handlers' `prepare` look-ups for the events, kind by kind (reads only: call
    it outside the transaction that processes them)."""
    by_kind: dict[str, list[Event]] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    prepared: Prepared = {}
    for kind, of_kind in by_kind.items():
        for reg in _deferred(kind):
            if reg.prepare is not None:
                for event_id, value in reg.prepare(of_kind).items():
                    prepared[(event_id, reg.handler)] = value
    return prepared


def _run_deferred(event: Event, prepared: Prepared | None) -> None:
    for reg in _deferred(event.kind):
        if reg.prepare is not None:
            reg.handler(event, (prepared or {}).get((event.pk, reg.handler)))
        else:
            reg.handler(event)


def event_process(*, event_id: Any, prepared: Prepared | None = None) -> bool:
    """Claim one pending event (compare-and-set) and run its deferred handlers, in the caller's
    transaction; False if another consumer got there first."""
    if not Event.objects.filter(pk=event_id, processed_at__isnull=True).update(processed_at=clock.now()):
        return False
    event = Event.objects.select_related("case").get(pk=event_id)
    _run_deferred(event, prepared)
    return True


def events_process_many(*, events: list[Event], prepared: Prepared | None = None) -> int:
    """Claim the events together (one compare-and-set over all of them) and run their deferred
    handlers in order, in the caller's transaction. Raises EventsNotClaimed (the caller's transaction
    must then be undone) if another consumer got to any of them first."""
    ids = [event.pk for event in events]
    if Event.objects.filter(pk__in=ids, processed_at__isnull=True).update(processed_at=clock.now()) != len(
        ids
    ):
        raise EventsNotClaimed
    for event in events:
        _run_deferred(event, prepared)
    return len(ids)


def events_pending(*, kind: str | None = None) -> QuerySet[Event]:
    """Unprocessed events, oldest first."""
    qs = Event.objects.filter(processed_at__isnull=True).order_by("occurred_at", "id")
    return qs.filter(kind=kind) if kind else qs


@transaction.atomic
def event_mark_processed(*, event: Event) -> bool:
    """Mark one event processed; False if another consumer got there first."""
    return bool(Event.objects.filter(pk=event.pk, processed_at__isnull=True).update(processed_at=clock.now()))
