"""Is Varde working: the database answers, and the worker (due clocks, escalations, e-mail) beats.

A worker beats at the start of each pass (varde.response.worker.heartbeat). With no beat for
STALE_AFTER, the deadlines are not being watched: `/health/` answers 503, `varde health` exits 1
and every coordinator page shows a red banner. Nothing here names a person or a case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Max

from varde.core import clock as vclock

from .models import WorkerHeartbeat

STALE_AFTER = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class WorkerHealth:
    ok: bool
    last_beat: dt.datetime | None


def worker_health(*, now: dt.datetime | None = None) -> WorkerHealth:
    """The newest beat of any worker, and whether it is recent enough (one query)."""
    now = now or vclock.now()
    last = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    return WorkerHealth(ok=last is not None and now - last <= STALE_AFTER, last_beat=last)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def health_report(*, now: dt.datetime | None = None) -> tuple[bool, dict[str, Any]]:
    """(all well, {"database": "ok", "worker": {"ok": bool, "last_beat": ISO-8601 or null}})."""
    db = database_ok()
    worker = worker_health(now=now) if db else WorkerHealth(ok=False, last_beat=None)
    body = {
        "database": "ok" if db else "unavailable",
        "worker": {"ok": worker.ok, "last_beat": worker.last_beat.isoformat() if worker.last_beat else None},
    }
    return db and worker.ok, body
