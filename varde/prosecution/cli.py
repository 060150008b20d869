"""`varde stats prosecution --from YYYY --to YYYY [--json]`: criminal cases in figures for scripts.

Registered under `varde stats` by the `varde` command, which hands `register_stats` to the statistics
package's `register` (the statistics package does not import this one). Thin: parse, read through
varde.access.prosecution (which checks who may see the figures and audits the read), print.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from varde.cli.base import CliError, optional_user, year_argument

DESCRIPTION = """Criminal cases in figures for the years FROM..TO (inclusive): investigations opened,
dropped, charged, trials, verdicts by outcome (counted in the year the judgement became final),
convictions by form of exploitation, persons convicted, proceeds confiscated (NOK), and the cases still
before the courts at the end of the period; the same per year and per police district.

A criminal-case count is not a person count. --published applies disclosure control to persons
convicted (below K null, with secondary suppression across years and districts). Analysts (--user)
always get published figures; the read is audited with the years only."""

EPILOG = """The JSON: {"from", "to", "investigations", "dropped", "charged", "trials", "verdicts":
{"convicted_trafficking", "convicted_other", "acquitted"}, "convictions", "by_exploitation",
"persons_convicted", "confiscated_nok", "in_court", "by_year", "by_police_district", "published"}.

Example:
  varde stats prosecution --from 2003 --to 2008 --json
  varde stats prosecution --from 2003 --to 2008 --json --published --user analyst"""


def cmd_stats_prosecution(args: argparse.Namespace) -> int:
    from varde.access.prosecution import prosecution_figures_for_user
    from varde.audit.models import AuditAction
    from varde.statistics.disclosure import DisclosureError
    from varde.statistics.selectors import may_see_internal

    if args.last_year < args.first_year:
        raise CliError("--to is before --from")
    user = optional_user(args.user)
    published = args.published or args.k is not None or not may_see_internal(user)
    try:
        data = prosecution_figures_for_user(
            user=user,
            first_year=args.first_year,
            last_year=args.last_year,
            published=published,
            k=args.k,
            action=AuditAction.EXPORT,
        )
    except DisclosureError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    label = "published" if data.get("published") else "internal"
    print(f"Criminal cases {data['from']}-{data['to']} ({label})")
    for key, value in data.items():
        if key in ("from", "to", "by_year", "by_police_district", "published", "k"):
            continue
        print(f"  {key}: {'-' if value is None else value}")
    return 0


def register_stats(figures: Any) -> None:
    """Add `prosecution` to the sub-commands of `varde stats`."""
    parser = figures.add_parser(
        "prosecution",
        help="criminal cases in figures for a span of years",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="first_year", required=True, type=year_argument, metavar="YYYY")
    parser.add_argument("--to", dest="last_year", required=True, type=year_argument, metavar="YYYY")
    parser.add_argument("--json", action="store_true", help="print JSON (the issue's shape)")
    parser.add_argument("--published", action="store_true", help="apply disclosure control to persons")
    parser.add_argument(
        "--k", type=int, default=None, metavar="K", help="threshold for --published: 3, 5, 10 (default) or 11"
    )
    parser.add_argument("--user", metavar="USERNAME", help="read as this user (default: the server operator)")
    parser.set_defaults(func=cmd_stats_prosecution)
