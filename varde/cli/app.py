"""`varde serve`, `varde backup`, `varde restore`: the application's own commands.

Wire into the `varde` command with `register_serve(subparsers)` and `register_backup(subparsers)`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .base import EXIT_FAILED, EXIT_OK, CliError, add_command, migrate_if_needed, writable_path


def cmd_serve(args: argparse.Namespace) -> int:
    migrate_if_needed()
    bind = f"{args.host}:{args.port}"
    argv = [
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
    print(f"Varde is serving on http://{bind}/ (Ctrl+C stops it)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
    return EXIT_OK  # pragma: no cover - execv does not return


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
        description="Apply any pending database migrations, then serve Varde with gunicorn.\n"
        "Static files are served by the application (whitenoise).",
        example="  varde serve --host 127.0.0.1 --port 8000",
        func=cmd_serve,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")


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
