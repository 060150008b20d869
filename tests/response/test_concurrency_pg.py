"""Four real worker processes over 10,000 due clocks on PostgreSQL: each fires exactly once, and
a worker killed mid-way loses nothing.

SQLite cannot run this: the test database is in memory (other processes cannot see it), and SQLite
serialises writers anyway. The compare-and-set itself is tested on both databases in test_worker.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from varde.response.clocks import compute_warn_at
from varde.response.models import Clock, ClockChange, ClockState, Notification, NotificationKind

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: separate worker processes cannot share SQLite's in-memory test database "
    "(run with DATABASE_URL=postgres://...)",
)

ITEMS = 10_000
WORKERS = 4
ROOT = Path(__file__).resolve().parents[2]

WORKER_SCRIPT = """
import json, os, sys, time
import django
django.setup()
from varde.response.worker import run_worker
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.005)
stats = run_worker(once=True, batch=200, consume_events=False)
print(json.dumps(stats.as_dict()))
"""


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _spawn(go_file: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VARDE_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, str(go_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _make_due_clocks(case, n: int) -> None:
    real_now = timezone.now()
    started = real_now - dt.timedelta(hours=3)
    due = real_now - dt.timedelta(hours=1)
    Clock.objects.bulk_create(
        [
            Clock(
                case=case,
                kind="police_report",
                rule_version=1,
                rule_source="test",
                origin=f"load:{i}",
                started_at=started,
                due_at=due,
                warn_at=compute_warn_at("police_report", started, due),
                warned_at=started,
                state=ClockState.RUNNING,
                responsible_agency=case.lead_agency,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


@pytest.mark.django_db(transaction=True)
def test_four_worker_processes_fire_10000_due_clocks_exactly_once(world, tmp_path):
    case = world.cases.police_adult
    _make_due_clocks(case, ITEMS)
    go = tmp_path / "go"
    procs = [_spawn(go) for _ in range(WORKERS)]
    go.touch()
    # Kill one worker part-way through: whatever it had claimed but not committed must not be lost.
    deadline = time.monotonic() + 120
    while Clock.objects.filter(state=ClockState.MISSED).count() < ITEMS // 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    procs[0].send_signal(signal.SIGKILL)
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc is procs[0]:
            assert proc.returncode == -signal.SIGKILL
            continue
        assert proc.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    # A fresh pass picks up anything the killed worker left (there may be nothing left).
    mop = _spawn(go)
    out, err = mop.communicate(timeout=600)
    assert mop.returncode == 0, err[-2000:]
    results.append(json.loads(out.strip().splitlines()[-1]))

    assert Clock.objects.filter(case=case, state=ClockState.MISSED).count() == ITEMS
    assert Clock.objects.filter(case=case, state=ClockState.RUNNING).count() == 0
    missed_rows = ClockChange.objects.filter(clock__case=case, action="missed")
    assert missed_rows.count() == ITEMS
    assert missed_rows.values("clock_id").distinct().count() == ITEMS
    # Each clock told police (responsible and lead: one agency) and the coordinators, once each.
    told = Notification.objects.filter(kind=NotificationKind.CLOCK_MISSED, case=case)
    assert told.count() == 2 * ITEMS
    assert told.values("clock_id", "recipient_agency_id").distinct().count() == 2 * ITEMS
    assert all(r["errors"] == 0 for r in results)
    survivors_fired = sum(r["missed"] for r in results)
    assert survivors_fired <= ITEMS
    assert sum(1 for r in results[:-1] if r["missed"] > 0) >= 2, results  # they really ran side by side
