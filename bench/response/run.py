"""Response benchmark (issue 15, "Speed"): the national deadline view, "my next actions" and the inbox
at scale on PostgreSQL, and the worker over a backlog of due items.

    .venv/bin/python bench/response/run.py build --cases 100000      # the database (resumable)
    .venv/bin/python bench/response/run.py pages                     # p50/p95/p99, queries, throughput
    .venv/bin/python bench/response/run.py worker --backlog 20000    # one worker pass over a backlog
    .venv/bin/python bench/response/run.py all --cases 5000 --duration 20   # a quick look

The database is its own (default postgres://postgres@127.0.0.1:5432/varde_bench, created and migrated
if missing; `--database-url` or BENCH_DATABASE_URL to change it). See README.md for what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/varde_bench"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("VARDE_ENV", "development")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _create_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _create_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[:3].__str__()
    except OSError:  # pragma: no cover - not Linux
        return "?"


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# --- build ------------------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> dict[str, Any]:
    from bench.response.build import build

    print(f"build: {args.cases} cases (load {_load()})", flush=True)
    result = build(cases=args.cases, seed=args.seed)
    print(f"build: {json.dumps(result)}", flush=True)
    return result


def table_sizes() -> dict[str, int]:
    from django.db import connection

    from varde.cases.models import Case
    from varde.response.models import Clock, ClockState, Notification

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return {
        "cases": Case.objects.count(),
        "open_cases": Case.objects.exclude(status="closed").count(),
        "clocks": Clock.objects.count(),
        "clocks_running_or_paused": Clock.objects.filter(
            state__in=[ClockState.RUNNING, ClockState.PAUSED]
        ).count(),
        "clocks_missed": Clock.objects.filter(state=ClockState.MISSED).count(),
        "notifications": Notification.objects.count(),
        "unacknowledged_kom": Notification.objects.filter(
            acknowledged_at__isnull=True, recipient_agency__code="kom"
        ).count(),
        "unacknowledged_oslo_child_welfare": Notification.objects.filter(
            acknowledged_at__isnull=True, recipient_agency__code="oslo-barnevern"
        ).count(),
        "database_mb": size // 2**20,
    }


# --- pages --------------------------------------------------------------------------------------------

USERS = {
    "coordinator": "kom.coordinator",
    "childwelfare": "childwelfare.caseworker",
    "police": "police.investigator",
}


def _pages() -> list[tuple[str, str, str, int]]:
    """(page, user, path, weight): the mix as people use the pages; each page a third of the requests,
    most of them unfiltered first pages."""
    return [
        ("national", "coordinator", "/response/clocks/", 6),
        ("national", "coordinator", "/response/clocks/?child=yes", 2),
        ("national", "coordinator", "/response/clocks/?state=warning", 1),
        ("national", "coordinator", "/response/clocks/?state=missed&page=3", 1),
        ("next", "childwelfare", "/response/next/", 5),
        ("next", "childwelfare", "/response/next/?state=missed", 1),
        ("next", "police", "/response/next/", 3),
        ("next", "coordinator", "/response/next/", 1),
        ("inbox", "coordinator", "/notifications/", 4),
        ("inbox", "coordinator", "/notifications/?urgent=yes", 1),
        ("inbox", "childwelfare", "/notifications/", 3),
        ("inbox", "childwelfare", "/notifications/?kind=presumed_child&page=2", 1),
        ("inbox", "police", "/notifications/", 1),
    ]


def _sessions() -> dict[str, str]:
    """A signed-in session (password and one-time code passed) for each user, as after sign-in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from varde.accounts import second_factor as sf
    from varde.accounts.models import User

    cookies = {}
    now = time.time()
    for key, username in USERS.items():
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="bench", confirmed=True
        )
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s[DEVICE_ID_SESSION_KEY] = device.persistent_id
        s[sf.LOGIN_AT] = s[sf.SEEN_AT] = s[sf.AUTH_AT] = now
        s.create()
        cookies[key] = f"{settings.SESSION_COOKIE_NAME}={s.session_key}"
    return cookies


def query_counts(repeat: int = 5) -> dict[str, dict[str, Any]]:
    """Queries, response size and cost of each page in-process (the test client): the best of `repeat`
    runs of wall time, of the Python process's CPU time (the web worker's share, least disturbed by
    other load on the machine) and of the time the queries took."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cookies = _sessions()
    out: dict[str, dict[str, Any]] = {}
    for page, user, path, _w in _pages():
        client = Client()
        client.cookies.load(cookies[user])
        client.get(path)  # warm (rules, translations, templates)
        walls, cpus, sqls = [], [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                response = client.get(path)
                cpus.append((time.process_time() - c) * 1000)
                walls.append((time.perf_counter() - t) * 1000)
            sqls.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out[f"{page} {user} {path}"] = {
            "queries": len(ctx.captured_queries),
            "kb": round(len(response.content) / 1024, 1),
            "wall_ms": round(min(walls), 1),
            "python_cpu_ms": round(min(cpus), 1),
            "sql_ms": round(min(sqls), 1),
        }
    return out


class Server:
    """gunicorn with the project's WSGI application, N sync workers, on a free local port."""

    def __init__(self, *, workers: int, port: int) -> None:
        self.port = port
        env = dict(os.environ)
        self.proc = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
        )
        self._wait()

    def _wait(self) -> None:
        import requests

        for _ in range(120):
            try:
                requests.get(f"http://127.0.0.1:{self.port}/health/", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()


def _request(session: Any, base: str, cookie: str, path: str) -> tuple[int, float]:
    t = time.perf_counter()
    response = session.get(base + path, headers={"Cookie": cookie}, allow_redirects=False, timeout=120)
    return response.status_code, time.perf_counter() - t


def open_load(
    base: str, cookies: dict[str, str], *, rate: float, seconds: float, seed: int
) -> dict[str, Any]:
    """Open loop: requests start at `rate` a second (Poisson arrivals) whatever the answers take, the
    page drawn from the mix; latency is measured from the planned start (a late start counts)."""
    import random

    import requests

    rng = random.Random(seed)
    pages = _pages()
    plan: list[tuple[float, tuple[str, str, str, int]]] = []
    t = 0.0
    while t < seconds:
        t += rng.expovariate(rate)
        plan.append((t, rng.choices(pages, weights=[p[3] for p in pages])[0]))
    results: dict[str, list[float]] = {}
    errors: list[tuple[str, int]] = []
    lock = threading.Lock()
    local = threading.local()
    start = time.perf_counter() + 0.5

    def one(at: float, page: tuple[str, str, str, int]) -> None:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        status, _took = _request(local.s, base, cookies[page[1]], page[2])
        done = time.perf_counter() - (start + at)
        with lock:
            if status != 200:
                errors.append((page[2], status))
            results.setdefault(page[0], []).append(done)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=64) as pool:
        for at, page in plan:
            pool.submit(one, at, page)
    elapsed = time.perf_counter() - start
    return {
        "requests": len(plan),
        "offered_rate": round(len(plan) / seconds, 1),
        "elapsed_s": round(elapsed, 1),
        "errors": errors[:5],
        "error_count": len(errors),
        "pages": {
            name: {
                "n": len(v),
                "p50_ms": round(_pct(v, 50) * 1000),
                "p95_ms": round(_pct(v, 95) * 1000),
                "p99_ms": round(_pct(v, 99) * 1000),
            }
            for name, v in sorted(results.items())
        },
    }


def saturate(base: str, cookies: dict[str, str], *, clients: int, seconds: float) -> dict[str, Any]:
    """Closed loop per page: `clients` threads request the page without pause; answers a second."""
    import requests

    out = {}
    for name in ("national", "next", "inbox"):
        variants = [p for p in _pages() if p[0] == name]
        counts = [0] * clients
        lat: list[float] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def loop(
            i: int,
            variants: list[tuple[str, str, str, int]] = variants,
            stop_at: float = stop_at,
            counts: list[int] = counts,
            lat: list[float] = lat,
            lock: threading.Lock = lock,
        ) -> None:
            s = requests.Session()
            k = i
            while time.perf_counter() < stop_at:
                page = variants[k % len(variants)]
                k += 1
                status, took = _request(s, base, cookies[page[1]], page[2])
                if status == 200:
                    counts[i] += 1
                    with lock:
                        lat.append(took)

        threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0
        out[name] = {
            "requests_per_s": round(sum(counts) / elapsed, 1),
            "p50_ms": round(_pct(lat, 50) * 1000),
            "p95_ms": round(_pct(lat, 95) * 1000),
        }
    return out


def cmd_pages(args: argparse.Namespace) -> dict[str, Any]:
    sizes = table_sizes()
    print(f"pages: database {json.dumps(sizes)}", flush=True)
    counts = query_counts()
    for k, v in counts.items():
        print(f"  {k}: {v}", flush=True)
    cookies = _sessions()
    server = Server(workers=args.workers, port=args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        import requests

        s = requests.Session()
        for _page, user, path, _w in _pages():  # warm both workers
            for _ in range(2):
                _request(s, base, cookies[user], path)
        load_before = _load()
        opened = open_load(base, cookies, rate=args.rate, seconds=args.duration, seed=args.seed)
        opened["load_before"] = load_before
        opened["load_after"] = _load()
        print(f"pages: open load {json.dumps(opened)}", flush=True)
        sat = (
            saturate(base, cookies, clients=args.clients, seconds=args.sat_seconds)
            if args.sat_seconds
            else {}
        )
        print(f"pages: saturation ({args.clients} clients) {json.dumps(sat)} load {_load()}", flush=True)
    finally:
        server.stop()
    return {"sizes": sizes, "queries": counts, "open_load": opened, "saturation": sat}


# --- worker -------------------------------------------------------------------------------------------------


def add_backlog(*, total: int, seed: int) -> dict[str, int]:
    """Due work for one worker pass, on open cases: clocks past due still running (the worker marks
    them missed and notifies), clocks in their warning window not yet warned, and notifications not
    acknowledged in time not yet escalated, and case_reported events not yet processed (the deferred
    linkage hand-off to KOM's review queue; the bench database holds no linkage keys, so its look-ups
    find no candidates). Split as 50 / 10 / 25 / 15 %."""
    import datetime as dt
    import random
    import uuid

    from django.db import transaction

    from bench.response.build import copy_rows
    from varde.cases.models import Case, CaseStatus
    from varde.response.clocks import compute_warn_at
    from varde.response.models import Clock, ClockAction, ClockChange, ClockState, Notification
    from varde.response.rules import clock_rules

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    missed, warn, events = int(total * 0.50), int(total * 0.10), int(total * 0.15)
    escalate = total - missed - warn - events
    cases = list(
        Case.objects.exclude(status=CaseStatus.CLOSED).values_list("pk", "lead_agency_id", "is_child")[
            :50_000
        ]
    )
    version = int(clock_rules()["version"])
    kinds_child = ("safe_placement", "inform_child_welfare", "plan_review")
    kinds_adult = ("reflection_period", "plan_task", "police_report")
    clocks: list[Clock] = []
    changes: list[ClockChange] = []
    tag = uuid.uuid4().hex[:8]
    for i in range(missed + warn):
        case_id, lead_id, child = rng.choice(cases)
        kind = rng.choice(kinds_child if child else kinds_adult)
        if i < missed:
            due = now - dt.timedelta(minutes=rng.uniform(1, 600))
            start = due - dt.timedelta(hours=rng.choice([2, 24, 72]))
        else:
            due = now + dt.timedelta(minutes=rng.uniform(30, 50))
            start = due - dt.timedelta(hours=2)
        warn_at = compute_warn_at(kind, start, due) if i >= missed else start + (due - start) / 2
        if i >= missed:
            warn_at = min(now - dt.timedelta(seconds=1), warn_at or now)
        c = Clock(
            id=uuid.uuid4(),
            case_id=case_id,
            kind=kind,
            rule_version=version,
            rule_source="bench backlog",
            origin=f"bench:{tag}:{i}",
            started_at=start,
            due_at=due,
            warn_at=warn_at,
            warned_at=(warn_at if i < missed else None),
            state=ClockState.RUNNING,
            responsible_agency_id=lead_id,
            met_late=False,
            version=1,
            created_at=start,
            updated_at=start,
        )
        clocks.append(c)
        changes.append(
            ClockChange(
                clock_id=c.pk,
                at=start,
                action=ClockAction.STARTED,
                state=ClockState.RUNNING,
                due_at=due,
                reason="",
                data={},
            )
        )
    # Notifications not acknowledged in time: a copy of open clock_missed notices, due an hour ago.
    pool = list(
        Notification.objects.filter(
            kind="clock_missed", recipient_role="", case__in=[c[0] for c in cases[:20_000]]
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .values("case_id", "recipient_agency_id", "text_nb", "text_en", "clock_id", "rule_version")[:5000]
    )
    notes = []
    for i in range(escalate):
        src = rng.choice(pool)
        at = now - dt.timedelta(hours=rng.uniform(4.1, 30))
        notes.append(
            Notification(
                id=uuid.uuid4(),
                kind="clock_missed",
                case_id=src["case_id"],
                recipient_agency_id=src["recipient_agency_id"],
                recipient_role="",
                is_participant=True,
                text_nb=src["text_nb"],
                text_en=src["text_en"],
                clock_id=src["clock_id"],
                rule_version=src["rule_version"],
                subject=f"bench:{tag}:{i}",
                dedupe_key=f"clock_missed:bench:{tag}:{i}",
                ack_due_at=at + dt.timedelta(hours=4),
                email_state="none",
                email_attempts=0,
                claimed_by="",
                version=1,
                created_at=at,
                updated_at=at,
            )
        )
    from varde.events.models import Event, EventKind

    reported = [
        Event(
            kind=EventKind.CASE_REPORTED,
            case_id=case_id,
            data={"case": str(case_id), "agency": str(lead_id), "actor": None},
            occurred_at=now - dt.timedelta(minutes=rng.uniform(1, 60)),
        )
        for case_id, lead_id, _child in rng.sample(cases, events)
    ]
    from bench.response.build import Rows, _assign_big_ids

    with transaction.atomic():
        rows = Rows(changes=changes)
        _assign_big_ids(rows)
        copy_rows(Clock, clocks)
        copy_rows(ClockChange, changes)
        copy_rows(Notification, notes)
        Event.objects.bulk_create(reported, batch_size=1000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE response_clock; ANALYZE response_notification; ANALYZE response_clockchange; "
            "ANALYZE events_event"
        )
    return {"missed": missed, "warn": warn, "escalate": escalate, "events": events}


def cmd_worker(args: argparse.Namespace) -> dict[str, Any]:
    from varde.response.worker import run_pass

    run_pass(worker_id="bench-drain")  # anything due before the backlog (time has passed since the build)
    backlog = add_backlog(total=args.backlog, seed=args.seed)
    print(f"worker: backlog {json.dumps(backlog)} (load {_load()})", flush=True)
    t = time.perf_counter()
    stats = run_pass(worker_id="bench-worker", batch=args.batch)
    seconds = time.perf_counter() - t
    done = stats.events + stats.warned + stats.missed + stats.escalated
    result = {
        "backlog": backlog,
        "stats": stats.as_dict(),
        "seconds": round(seconds, 1),
        "items_per_s": round(done / seconds, 1) if seconds else None,
        "load_after": _load(),
    }
    print(f"worker: {json.dumps(result)}", flush=True)
    return result


# --- main ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["build", "pages", "worker", "all"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--rate", type=float, default=20.0, help="open load, requests a second")
    parser.add_argument("--duration", type=float, default=60.0, help="open load, seconds")
    parser.add_argument("--clients", type=int, default=20, help="saturation: clients without pause")
    parser.add_argument(
        "--sat-seconds", type=float, default=20.0, help="saturation: seconds per page (0: skip)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    _setup(args.database_url)
    results: dict[str, Any] = {"load_start": _load()}
    steps: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
        "build": cmd_build,
        "pages": cmd_pages,
        "worker": cmd_worker,
    }
    for name in ["build", "pages", "worker"] if args.command == "all" else [args.command]:
        results[name] = steps[name](args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
