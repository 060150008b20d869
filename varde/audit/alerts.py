"""Alerts from the audit trail: a user whose audited events of one kind reach a threshold within a
window raises one SecurityAlert for the auditors (at most one per user, kind and window).

The watches (what is counted, how many, within how long):
- HIDDEN_MATCHES: reports whose person probably has an earlier record the reporter's agency cannot
  see (issue 21, finding 3: the existence oracle). Each such report is audited as
  `linkage.hidden_match`; five within a day is more than a caseworker's ordinary work produces.
- REFUSALS: refused reads of victims' data (a case, a person or a record the user may not see:
  the access layer's 404s, audited as `access.refused`); twenty within five minutes (ASVS 16.3.2).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from varde.core import clock

from .models import AuditAction, AuditEvent, SecurityAlert
from .services import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Watch:
    kind: str
    object_type: str
    threshold: int
    window: dt.timedelta


HIDDEN_MATCHES = Watch(
    SecurityAlert.Kind.HIDDEN_MATCHES, "linkage.hidden_match", threshold=5, window=dt.timedelta(days=1)
)
REFUSALS = Watch(SecurityAlert.Kind.REFUSALS, "access.refused", threshold=20, window=dt.timedelta(minutes=5))


def alert_watch(*, watch: Watch, actor: Any) -> SecurityAlert | None:
    """Count the actor's audited events of the watch's kind within its window; at the threshold,
    raise one alert (none while an alert of the same kind for the same user is younger than the
    window). Runs in the caller's transaction, after the audit event it counts."""
    user_id = getattr(actor, "pk", None)
    if user_id is None:
        return None
    now = clock.now()
    since = now - watch.window
    count = AuditEvent.objects.filter(actor_id=user_id, object_type=watch.object_type, at__gt=since).count()
    if count < watch.threshold:
        return None
    if SecurityAlert.objects.filter(kind=watch.kind, user_id=user_id, at__gt=since).exists():
        return None
    alert = SecurityAlert.objects.create(
        kind=watch.kind,
        at=now,
        user_id=user_id,
        username=getattr(actor, "username", "") or "",
        count=count,
        window_minutes=int(watch.window.total_seconds() // 60),
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=alert,
        detail={"kind": str(watch.kind), "user": str(user_id), "count": count},
    )
    logger.warning("security alert %s raised for user id %s (%s events)", watch.kind, user_id, count)
    return alert
