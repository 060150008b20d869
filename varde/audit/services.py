"""audit_record(): the only writer of audit events. Runs inside the caller's transaction."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from varde.core import clock
from varde.core.middleware import current_request_id

from .models import AuditAction, AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


class AuditWriteFailed(RuntimeError):
    """Writing the audit trail failed: the work it covers must not happen either."""


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_username": event.actor_username,
        "agency_id": str(event.agency_id) if event.agency_id else None,
        "agency_code": event.agency_code,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "detail": event.detail,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent, prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(event)).hexdigest()


def _object_ref(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk)
    return type(obj).__name__, ""


def _write(event: AuditEvent) -> AuditEvent:
    return _write_many([event])[0]


def _write_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain the events after the head, in order, under the head's row lock (held from here until the
    surrounding transaction commits: every other audited request waits for it meanwhile)."""
    if not events:
        return events
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "last_seq": 0}
    )
    seq, prev = head.last_seq, head.last_hash
    for event in events:
        seq += 1
        event.seq = seq
        event.prev_hash = prev
        event.hash = prev = event_hash(event, prev)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev, last_seq=seq)
    return events


# Audit events waiting for the end of an `audit_batch` block (None: write each at once).
_batched: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "varde_audit_batched", default=None
)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Within a long transaction (an import batch): the audit events recorded inside the block are
    chained together when the block ends, in one short stretch, still inside the transaction and so
    committed or undone with the work they record.

    Why: chaining takes the chain head's row lock, and a row lock is held until commit. Written at
    once, the first event of a long transaction would make every audited read of every other user
    wait for the whole transaction (issue 21, finding 4: a 3,000-row import held it for 44 s). Written
    at the end, the lock is held only from the chaining to the commit: milliseconds.

    Use it as the innermost block of the transaction (`with transaction.atomic(), audit_batch():`),
    so nothing slow runs between the chaining and the commit. Nested blocks leave the chaining to
    the outermost. If the block raises, nothing is chained (the transaction is undone anyway)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_batch must run inside the transaction whose work it records")
    if _batched.get() is not None:
        yield
        return
    pending: list[AuditEvent] = []
    token = _batched.set(pending)
    try:
        yield
    finally:
        _batched.reset(token)
    try:
        with transaction.atomic():
            _write_many(pending)
    except Exception as exc:  # noqa: BLE001 - any failure must stop the work it covers
        raise AuditWriteFailed("the audit events could not be written") from exc


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: Any = None,
    agency: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event in the current transaction; any failure aborts the surrounding work.

    `obj` is a model instance or a (type, id) tuple. `detail` must hold ids and codes only.
    """
    object_type, object_id = _object_ref(obj)
    if agency is None and actor is not None and getattr(actor, "is_authenticated", False):
        agency = actor.primary_agency
    event = AuditEvent(
        at=clock.now(),
        actor_id=getattr(actor, "pk", None)
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None,
        actor_username=getattr(actor, "username", "") or "",
        agency_id=getattr(agency, "pk", None),
        agency_code=getattr(agency, "code", "") or "",
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        request_id=current_request_id(),
        detail=detail or {},
    )
    pending = _batched.get()
    if pending is not None:  # chained at the end of the audit_batch block, in the same transaction
        pending.append(event)
        return event
    try:
        with transaction.atomic():
            return _write(event)
    except Exception as exc:  # noqa: BLE001 - any failure must stop the work it covers
        raise AuditWriteFailed("the audit event could not be written") from exc


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def audit_verify(using: str = "default") -> ChainReport:
    """Walk the chain in order and name the first broken link (edited, deleted or reordered rows)."""
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    events = AuditEvent.objects.using(using).order_by("seq").iterator(chunk_size=2000)
    return verify_events(events, head_last_seq=head.last_seq if head is not None else None)


def verify_events(
    events: Iterable[AuditEvent],
    *,
    head_last_seq: int | None,
    first_seq: int = 1,
    prev_hash: str = GENESIS_HASH,
) -> ChainReport:
    """The chain check over events in `seq` order (also for a restored copy read by other means).

    From `first_seq` on, trusting `prev_hash` as the stored hash of the event before it (a check of
    the chain's latest stretch: varde.audit.selectors.chain_verify_latest)."""
    expected_seq = first_seq
    checked = 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"event {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.seq, "previous hash does not match")
        if event_hash(event, prev_hash) != event.hash:
            return ChainReport(False, checked, event.seq, "content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    if head_last_seq is not None and head_last_seq != expected_seq - 1:
        last = expected_seq - 1
        return ChainReport(False, checked, expected_seq, f"events after {last} are missing")
    return ChainReport(True, checked)
