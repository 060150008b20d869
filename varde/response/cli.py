"""`varde worker [--once]`: process due clocks, escalations, outgoing e-mail and outbox events.

Wire into the `varde` command with `register(subparsers)`; the sub-command sets `func(args) -> int`.
"""

from __future__ import annotations

import argparse
import json
import sys

from varde.cli.base import positive_float, positive_int

WORKER_EPILOG = """Several workers may run at once: each item is claimed by compare-and-set and fires
exactly once; a worker stopped mid-way loses nothing.

examples:
  varde worker                 # run until SIGTERM, a pass every 30 seconds
  varde worker --once          # one pass, e.g. from cron
  varde worker --interval 10 --batch 500"""


def cmd_worker(args: argparse.Namespace) -> int:
    from .worker import run_worker

    stats = run_worker(
        once=args.once, interval=args.interval, batch=args.batch, consume_events=not args.no_events
    )
    if args.once:
        print(json.dumps(stats.as_dict(), sort_keys=True), file=sys.stdout)
    return 1 if stats.errors else 0


CLOCKS_EPILOG = """Prints each clock's case reference, kind, state, start, due time and the case's status
(references and codes only, never a name). A running clock past its due time means the worker has
not been by: see varde health.

examples:
  varde clocks                          # every running or paused clock, soonest first
  varde clocks --state missed --json    # missed, or running past due, as JSON
  varde clocks --case V26-ABC123 --state all"""


def cmd_clocks(args: argparse.Namespace) -> int:
    from varde.core import clock as vclock

    from .clocks import clocks_for_operator

    now = vclock.now()
    rows = [
        {
            "case": c.case.reference,
            "kind": c.kind,
            "state": c.state,
            "started": c.started_at.isoformat(),
            "due": c.due_at.isoformat(),
            "case_status": c.case.status,
            "overdue": c.state == "running" and c.due_at <= now,
        }
        for c in clocks_for_operator(state=args.state, case_reference=args.case or "", now=now).iterator()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        late = "  OVERDUE" if r["overdue"] else ""
        print(
            f"{r['case']:<12} {r['kind']:<28} {r['state']:<9} due {r['due']}  case {r['case_status']}{late}"
        )
    print(f"{len(rows)} clock(s)", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "worker",
        help="process due deadlines, notifications and e-mail",
        description="Process due legal clocks (warn before they run out, mark them missed), escalate\n"
        "unacknowledged notifications to the coordinators, send notification e-mail, and consume the\n"
        "outbox events of the coordinated response (presumed child, age confirmed, presumption lifted).\n"
        "With --once: one pass, prints the counts as JSON; exit code 1 if an item failed.",
        epilog=WORKER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--once", action="store_true", help="do one pass and exit (for cron)")
    parser.add_argument(
        "--interval",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="seconds between passes when running forever (default 30)",
    )
    parser.add_argument(
        "--batch", type=positive_int, default=200, metavar="N", help="items fetched per query (default 200)"
    )
    parser.add_argument(
        "--no-events",
        action="store_true",
        help="do not consume outbox events (when another consumer handles them)",
    )
    parser.set_defaults(func=cmd_worker)

    clocks = subparsers.add_parser(
        "clocks",
        help="list legal clocks by state, for the operator",
        description="List the legal clocks (deadlines) of every case or of one case, by state:\n"
        "running (running or paused), warning (about to run out), missed (recorded missed, or running\n"
        "past due), all (any state, met and cancelled too).",
        epilog=CLOCKS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    clocks.add_argument(
        "--state",
        choices=["running", "warning", "missed", "all"],
        default="running",
        help="which clocks (default running)",
    )
    clocks.add_argument("--case", metavar="REF", help="only this case (its reference, e.g. V26-ABC123)")
    clocks.add_argument("--json", action="store_true", help="print a JSON list instead of lines")
    clocks.set_defaults(func=cmd_clocks)

    from . import legal_cli  # `varde legal`, `varde cooperation`, `varde return` (issue #16)

    legal_cli.register(subparsers)
    return parser
