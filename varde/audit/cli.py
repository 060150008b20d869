"""`varde audit verify`: walk the hash-chained audit trail.

Wire into the `varde` command with `register(subparsers)`; the sub-command sets `func(args) -> int`.
"""

from __future__ import annotations

import argparse
from typing import Any

from varde.cli.base import EXIT_FAILED, EXIT_OK, add_command, add_group


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from varde.audit.services import audit_verify

    report = audit_verify()
    if report.ok:
        print(f"audit chain intact: {report.checked} events")
        return EXIT_OK
    print(
        f"audit chain BROKEN at event {report.first_broken_seq}: {report.reason} "
        f"({report.checked} events before it are intact)"
    )
    return EXIT_FAILED


def register(subparsers: Any) -> None:
    """Add `audit` (verify) to the `varde` command's sub-parsers."""
    commands = add_group(
        subparsers,
        "audit",
        help="audit trail tools",
        description="Audit trail tools.",
        example="  varde audit verify",
        dest="audit_command",
    )
    add_command(
        commands,
        "verify",
        help="check that the audit chain is unbroken",
        description="Walk the hash-chained audit trail and name the first event that was changed,\n"
        "removed or reordered. Exit code 1 when the chain is broken.",
        example="  varde audit verify",
        func=cmd_audit_verify,
    )
