"""audit_record(): the only writer of audit events. Runs inside the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
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
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "last_seq": 0}
    )
    event.seq = head.last_seq + 1
    event.prev_hash = head.last_hash
    event.hash = event_hash(event, head.last_hash)
    event.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash, last_seq=event.seq)
    return event


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


def verify_events(events: Iterable[AuditEvent], *, head_last_seq: int | None) -> ChainReport:
    """The chain check over events in `seq` order (also for a restored copy read by other means)."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
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
    if head_last_seq is not None and head_last_seq != checked:
        return ChainReport(False, checked, checked + 1, f"events after {checked} are missing")
    return ChainReport(True, checked)
