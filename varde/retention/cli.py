"""`varde retention run`: anonymise closed cases past the retention period.

Wired into the `varde` command with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
from typing import Any

from varde.cli.base import EXIT_OK, add_command, add_group


def cmd_retention_run(args: argparse.Namespace) -> int:
    from .services import retention_run

    result = retention_run(dry_run=args.dry_run)
    verb = "would anonymise" if args.dry_run else "anonymised"
    print(f"{verb} {result.anonymised} closed case(s) older than {result.days} days after closure")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add `retention` (run) to the `varde` command's sub-parsers."""
    commands = add_group(
        subparsers,
        "retention",
        help="retention tools",
        description="Retention tools.",
        example="  varde retention run",
        dest="retention_command",
    )
    run = add_command(
        commands,
        "run",
        help="anonymise closed cases past the retention period",
        description="Anonymise every case closed more than VARDE_RETENTION_DAYS ago (default 5 years):\n"
        "names, documents, phone numbers, national id, birth date, free text and descriptions are\n"
        "removed; status, dates, forms of exploitation, nationality, sex and age band stay for\n"
        "statistics. Each case is audited.",
        example="  varde retention run --dry-run",
        func=cmd_retention_run,
    )
    run.add_argument("--dry-run", action="store_true", help="count the cases, change nothing")
