"""`varde report annual YYYY --format pdf|xlsx|html --out FILE`: the annual status report as a file.

Registered by `varde.statistics.cli.register`. Without --user the command acts as the
server operator (audited with no actor, as `varde stats` does); with --user, coordinators and
analysts may make it. The report holds published (disclosure-controlled) figures only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from varde.cli.base import EXIT_OK, CliError, optional_user, writable_path, year_argument

DESCRIPTION = """The annual status report (action plan measure 6) for a year: the published tables
(persons; women, men, girls and boys; the largest nationalities; forms of exploitation; kinds of
reporting agency; reflection period; residence permits; voluntary returns; disappearances of
minors), the trend over the years with charts, and the sections coordinators write.

Published figures only: every cell below K persons (default 10; 3, 5 or 11) is suppressed, and
further cells where a suppressed one could be worked out from the totals. The file is audited."""

EXAMPLE = """Example:
  varde report annual 2009 --format pdf --out kom-2009.pdf
  varde report annual 2009 --format xlsx --out kom-2009.xlsx --k 5 --user analyst"""


def cmd_report_annual(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.utils import translation

    from varde.audit.models import AuditAction

    from .disclosure import DisclosureError
    from .report import NoFiguresForYear, annual_report_for_user
    from .report_files import report_file

    path = writable_path(args.out)
    user = optional_user(args.user)
    language = args.language or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            report = annual_report_for_user(
                user=user, year=args.year, k=args.k, fmt=args.format, action=AuditAction.EXPORT
            )
        except NoFiguresForYear:
            raise CliError(f"no figures for {args.year}: nobody was followed up that year") from None
        except DisclosureError as exc:
            raise CliError(str(exc)) from None
        content = report_file(report, args.format)
    opened = False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        opened = True
        with os.fdopen(fd, "wb") as out:
            out.write(content)
    except OSError:
        if opened:
            with contextlib.suppress(OSError):
                path.unlink()
        raise CliError(f"cannot write to {path.name}") from None
    print(
        f"annual status report {args.year} ({args.format}, k={report.k}) written to {path.name}",
        file=sys.stderr,
    )
    return EXIT_OK


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report",
        help="reports: the annual status report",
        description="Reports made from published national figures.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = report.add_subparsers(dest="report_command", metavar="COMMAND", required=True)
    annual = kinds.add_parser(
        "annual",
        help="the annual status report for a year as PDF, XLSX or HTML",
        description=DESCRIPTION,
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    annual.add_argument("year", type=year_argument, metavar="YYYY", help="the year, e.g. 2009")
    annual.add_argument("--format", required=True, choices=("pdf", "xlsx", "html"), help="pdf, xlsx or html")
    annual.add_argument("--out", required=True, metavar="FILE", help="where to write (owner-readable only)")
    annual.add_argument(
        "--k",
        type=int,
        default=None,
        metavar="K",
        help="disclosure threshold: 3, 5, 10 (default) or 11",
    )
    annual.add_argument(
        "--language",
        choices=("nb", "en"),
        default=None,
        help="language of the report (default: nb)",
    )
    annual.add_argument("--user", metavar="USERNAME", help="make it as this coordinator or analyst")
    annual.set_defaults(func=cmd_report_annual)
