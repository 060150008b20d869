"""Reading the audit trail: filtered event lists paged by `seq` (no COUNT over the table), the events
about one record, and a check of the chain's latest stretch.

Not access-checked: varde.access.audit_trail is the way in for pages (auditors only, the read audited).
The table can hold millions of rows, so every list filters and orders by indexed columns (`seq`, the
primary key; `at`; `actor_id`; `object_id`; `(action, seq)`) and pages by keyset: a page is at most
`size` rows before (older than) or after (newer than) a `seq`, plus one row to know whether there is more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Max, Min, Q, QuerySet, TextField
from django.db.models.functions import Cast

from .models import AuditAction, AuditChainHead, AuditEvent
from .services import GENESIS_HASH, ChainReport, verify_events

PAGE_SIZE = 50
# The object type of reading the audit trail itself, and of checking its chain.
TRAIL = "audit.trail"
CHAIN = "audit.chain"
# How far back `chain_last_verified` looks for the last check (a bounded walk of an index).
VERIFIED_LOOKBACK = 1_000_000


def events_matching(
    *,
    actor_ids: Iterable[UUID] | None = None,
    actor_username: str = "",
    agency_code: str = "",
    object_id: str = "",
    action: str = "",
    object_type: str = "",
    at_from: dt.datetime | None = None,
    at_before: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching every given filter (None or "" leaves a filter out), newest first.

    A user is asked for by id (`actor_ids`, indexed) when the user exists; `actor_username` is for a
    name that no user has (e.g. a failed sign-in with a mistyped name)."""
    qs = AuditEvent.objects.all()
    if actor_ids is not None:
        qs = qs.filter(actor_id__in=list(actor_ids))
    if actor_username:
        qs = qs.filter(actor_username=actor_username)
    if agency_code:
        qs = qs.filter(agency_code=agency_code)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if at_from is not None:
        qs = qs.filter(at__gte=at_from)
    if at_before is not None:
        qs = qs.filter(at__lt=at_before)
    return qs.order_by("-seq")


def events_about_case(*, case_id: UUID, person_id: UUID | None) -> QuerySet[AuditEvent]:
    """Every event about a case, newest first: those recorded on the case itself (viewed, changed,
    break-the-glass), on its person, and the lists and exports that showed it (they carry the case ids
    they showed in `detail["cases"]`).

    The lists and exports are found by the case id in their detail, which no index covers: the walk
    is bounded below by the case's first event (nothing listed a case before it existed) and to the
    two actions (the `(action, seq)` index)."""
    case = str(case_id)
    about = Q(object_type="cases.case", object_id=case)
    if person_id is not None:
        about |= Q(object_type="persons.person", object_id=str(person_id))
    first = (
        AuditEvent.objects.filter(object_type="cases.case", object_id=case)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    shown = Q(action__in=[AuditAction.LIST, AuditAction.EXPORT], detail_text__contains=f'"{case}"')
    if first is not None:
        shown &= Q(seq__gte=first)
    return (
        AuditEvent.objects.annotate(detail_text=Cast("detail", TextField()))
        .filter(about | shown)
        .order_by("-seq")
    )


@dataclass(frozen=True)
class Viewer:
    actor_username: str
    agency_code: str
    first_at: dt.datetime
    last_at: dt.datetime
    events: int
    broke_glass: bool


def viewers_of(events: QuerySet[AuditEvent]) -> list[Viewer]:
    """One row per user and agency among the events, with their first and last time, most recent first."""
    rows = (
        events.order_by()
        .values("actor_username", "agency_code")
        .annotate(
            first_at=Min("at"),
            last_at=Max("at"),
            events=Count("seq"),
            glass=Count("seq", filter=Q(action=AuditAction.BREAK_GLASS)),
        )
        .order_by("-last_at")
    )
    return [
        Viewer(
            actor_username=r["actor_username"],
            agency_code=r["agency_code"],
            first_at=r["first_at"],
            last_at=r["last_at"],
            events=r["events"],
            broke_glass=bool(r["glass"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    older: int | None  # the `before` of the next older page, None when there is none
    newer: int | None  # the `after` of the next newer page, None when this is the newest


def page_of(
    events: QuerySet[AuditEvent], *, before: int | None, after: int | None, size: int = PAGE_SIZE
) -> EventPage:
    """One page of `events` (newest first), older than `before` or newer than `after`."""
    if after is not None:
        rows = list(events.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        older = rows[-1].seq if rows and events.filter(seq__lt=rows[-1].seq).exists() else None
        return EventPage(rows, older, rows[0].seq if rows and more_newer else None)
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return EventPage(
        rows, rows[-1].seq if more_older else None, rows[0].seq if before is not None and rows else None
    )


def chain_verify_latest(*, count: int) -> ChainReport:
    """Check the latest `count` events of the chain (and that none is missing at its end), trusting the
    stored hash of the event before them. Cost: reading and hashing `count` rows. The whole chain is
    checked by `varde audit verify` (varde.audit.services.audit_verify)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return ChainReport(True, 0)
    first = max(1, head.last_seq - count + 1)
    prev_hash = GENESIS_HASH
    if first > 1:
        anchor = AuditEvent.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
        if anchor is None:
            return ChainReport(False, 0, first - 1, f"event {first - 1} is missing")
        prev_hash = anchor
    events = AuditEvent.objects.filter(seq__gte=first).order_by("seq").iterator(chunk_size=2000)
    return verify_events(events, head_last_seq=head.last_seq, first_seq=first, prev_hash=prev_hash)


def chain_last_verified() -> AuditEvent | None:
    """The latest recorded check of the chain from the audit pages (within the last VERIFIED_LOOKBACK
    events: a bounded walk of the `(action, seq)` index)."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    return (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type=CHAIN, seq__gt=head - VERIFIED_LOOKBACK
        )
        .order_by("-seq")
        .first()
    )
