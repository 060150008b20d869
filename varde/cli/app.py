"""`varde serve`, `varde health`, `varde backup`, `varde restore`: the application's own commands.

Wire into the `varde` command with `register_serve(subparsers)`, `register_health(subparsers)` and
`register_backup(subparsers)`.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .base import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    add_command,
    migrate_if_needed,
    positive_float,
    writable_path,
)


class Supervisor:
    """Runs named child processes and keeps them running: a child in `restart` that dies is started
    again (after 1 s, doubling to at most a minute while it keeps dying at once); any other child
    that ends ends everything. SIGINT/SIGTERM (Ctrl+C) stops every child (SIGTERM, then SIGKILL
    after `grace` seconds) and returns. Small on purpose: the web server and one worker."""

    def __init__(
        self,
        commands: dict[str, list[str]],
        *,
        restart: frozenset[str] = frozenset(),
        grace: float = 10.0,
        poll: float = 0.5,
        log: Any = None,
    ) -> None:
        self.commands = commands
        self.restart = restart
        self.grace = grace
        self.poll = poll
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, int] = dict.fromkeys(commands, 0)
        self._stop = threading.Event()

    def start(self, name: str) -> None:
        self.children[name] = subprocess.Popen(self.commands[name])  # noqa: S603 - our own argv

    def stop(self, *_args: Any) -> None:
        self._stop.set()

    def _terminate(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + self.grace
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def run(self) -> int:
        """Start every child and watch them until stopped or a child that is not restarted ends."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, self.stop)
        for name in self.commands:
            self.start(name)
        started = dict.fromkeys(self.commands, time.monotonic())
        delay = dict.fromkeys(self.commands, 1.0)
        due: dict[str, float] = {}
        code = EXIT_OK
        try:
            while not self._stop.wait(self.poll):
                now = time.monotonic()
                for name, child in list(self.children.items()):
                    if name in due:
                        if now >= due[name]:
                            del due[name]
                            self.log(f"varde serve: starting the {name} again")
                            self.start(name)
                            started[name] = now
                            self.restarts[name] += 1
                        continue
                    returned = child.poll()
                    if returned is None:
                        continue
                    if name not in self.restart:
                        self.log(f"varde serve: the {name} stopped (exit {returned}); stopping")
                        return returned or EXIT_FAILED
                    if now - started[name] > 60:
                        delay[name] = 1.0  # it ran a while: start again soon
                    self.log(
                        f"varde serve: the {name} stopped (exit {returned}); again in {delay[name]:.0f} s"
                    )
                    due[name] = now + delay[name]
                    delay[name] = min(60.0, delay[name] * 2)
        finally:
            self._terminate()
        return code


def serve_commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """The web server (gunicorn) and, unless --no-worker, one worker, as child processes."""
    bind = f"{args.host}:{args.port}"
    commands = {
        "web server": [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
            "--error-logfile",
            "-",  # access logs stay off; URLs hold ids only, but there is no need
        ]
    }
    if not args.no_worker:
        commands["worker"] = [
            sys.executable,
            "-m",
            "varde.cli",
            "worker",
            "--interval",
            str(args.worker_interval),
        ]
    return commands


def cmd_serve(args: argparse.Namespace) -> int:
    migrate_if_needed()
    bind = f"{args.host}:{args.port}"
    what = "the web server" if args.no_worker else "the web server and a worker"
    print(f"Varde is serving on http://{bind}/ ({what}; Ctrl+C stops it)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    supervisor = Supervisor(serve_commands(args), restart=frozenset({"worker"}))
    return supervisor.run()


def cmd_health(args: argparse.Namespace) -> int:
    from varde.response.health import health_report

    ok, body = health_report()
    if args.json:
        print(json.dumps(body))
    else:
        worker = body["worker"]
        print(f"database: {body['database']}")
        print(
            f"worker: {'ok' if worker['ok'] else 'NOT RUNNING'} (last beat {worker['last_beat'] or 'never'})"
        )
    return EXIT_OK if ok else EXIT_FAILED


def cmd_backup(args: argparse.Namespace) -> int:
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record
    from varde.core import backup

    path = writable_path(args.file)
    audit_record(actor=None, action=AuditAction.BACKUP, obj=("database", ""), detail={"file": path.name})
    backup.backup(path)
    print(f"backup written to {path.name} (readable by its owner only)", file=sys.stderr)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record, audit_verify
    from varde.core import backup

    if not args.yes:
        raise CliError("restoring replaces everything in the database; add --yes to go ahead")
    backup.restore(Path(args.file))
    report = audit_verify()
    audit_record(
        actor=None, action=AuditAction.RESTORE, obj=("database", ""), detail={"file": Path(args.file).name}
    )
    print(
        f"restored from {Path(args.file).name}; audit chain "
        + ("intact" if report.ok else f"BROKEN at event {report.first_broken_seq}")
    )
    return EXIT_OK if report.ok else EXIT_FAILED


def register_serve(subparsers: Any) -> None:
    """Add `serve`."""
    serve = add_command(
        subparsers,
        "serve",
        help="migrate the database if needed and serve Varde",
        description="Apply any pending database migrations, then serve Varde with gunicorn and run one\n"
        "worker beside it (due deadlines, escalations, e-mail), under this one command: Ctrl+C stops\n"
        "both, and a worker that dies is started again. Static files are served by the application\n"
        "(whitenoise). In production run the worker as its own service instead (--no-worker here;\n"
        "see docs/OPERATIONS.md).",
        example="  varde serve --host 127.0.0.1 --port 8000",
        func=cmd_serve,
    )
    serve.add_argument("--no-worker", action="store_true", help="serve only; a worker runs elsewhere")
    serve.add_argument(
        "--worker-interval",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="seconds between the worker's passes (default 30)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")


def register_health(subparsers: Any) -> None:
    """Add `health`."""
    health = add_command(
        subparsers,
        "health",
        help="is the database answering and the worker running?",
        description="Check that the database answers and that a worker has beaten (started a pass) in\n"
        "the last five minutes. Exit code 0 when both are well, 1 when not (for monitoring).",
        example="  varde health --json",
        func=cmd_health,
    )
    health.add_argument(
        "--json",
        action="store_true",
        help='print {"database": "ok", "worker": {"ok": true, "last_beat": "..."}}',
    )


def register_backup(subparsers: Any) -> None:
    """Add `backup` and `restore`."""
    bk = add_command(
        subparsers,
        "backup",
        help="write a backup of the whole database to FILE",
        description="Back up the database: pg_dump (custom format) for PostgreSQL, the SQLite backup\n"
        "API for SQLite. The file holds all personal data: it is created readable by its owner only.",
        example="  varde backup /secure/varde-2026-11-23.dump",
        func=cmd_backup,
    )
    bk.add_argument("file", metavar="FILE", help="where to write the backup")

    rs = add_command(
        subparsers,
        "restore",
        help="replace the database with a backup from FILE",
        description="Restore a backup made by varde backup (pg_restore for PostgreSQL, the SQLite backup\n"
        "API for SQLite), then verify the audit chain. Everything in the database is replaced.",
        example="  varde restore /secure/varde-2026-11-23.dump --yes",
        func=cmd_restore,
    )
    rs.add_argument("file", metavar="FILE", help="the backup file")
    rs.add_argument("--yes", action="store_true", help="confirm that the database may be replaced")
