"""`varde stats` and `varde export --htcds` (alias `varde htcds-export`): national figures and the
HTCDS 2.0 exchange for scripts; `varde report annual` (in report_cli) registers with them.

Wire into the `varde` command with `register(subparsers)`; each sub-command sets `func(args) -> int`.
`varde export` itself is the interchange package's: the `varde` command hands it add_htcds_arguments
and cmd_htcds_export.
Without --user a command acts as the server operator (audited with no actor, as `varde backup` is);
with --user the user's role decides: coordinators see internal figures, analysts published ones only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from varde.cli.base import CliError, optional_user, writable_path, year_argument

from . import report_cli

STATS_DESCRIPTION = """National figures for a year (--year) or any period (--from and --to, both days
included), counting de-duplicated persons (the latest linkage
run; a case never linked counts as its own person), never referrals. Read from a pseudonymised extract.

--published applies disclosure control: every cell below K (default 10; 3, 5 or 11) is null, and
further cells are null where a suppressed value could otherwise be worked out from the totals.
Analysts (--user) always get published figures; the read is audited with the year only."""

STATS_EPILOG = """The JSON: {"year", "persons" (followed up in the period), "women", "men", "girls",
"boys", "nationalities", "by_nationality", "by_exploitation", "by_reporting_agency_kind",
"reflection_period": {"applied", "granted", "rejected"}, "disappearances"}; for a period that is not
a calendar year "year" is null and "from" and "to" follow it. --extended adds "first_identified",
"first_identified_by_sex": {"female", "male"} and "first_identified_children" (seed 000's table),
"identified" and "presumed" (Eurostat: registered = identified + presumed), "children_by_nationality",
"children_by_exploitation", by_municipality (kommunenummer), by_police_district (the 12 police
districts, from the municipality), residence_permits, voluntary_returns and the legal path after the
reflection period. How each figure is counted: docs/COUNTING_RULES.md.

Examples:
  varde stats --year 2009 --json
  varde stats --from 2008-01-01 --to 2008-03-31 --json --extended
  varde stats --year 2009 --json --published --k 5 --user analyst"""

EXPORT_DESCRIPTION = """De-identified case data in the Human Trafficking Case Data Standard (HTCDS 2.0):
one record per de-duplicated person, with field and picklist value names exactly as in the standard's
field table. No names, dates, documents, phones or ids. The same as `varde export --htcds`; being
de-identified, it needs no four-eyes approval. --year keeps the persons followed up in that year.
Coordinators only (or the server operator, without --user); every export is audited."""

EXPORT_EPILOG = """Example:
  varde export --htcds --out varde-htcds.json --format json --year 2009
  varde htcds-export --out varde-htcds.csv --user kom.coordinator"""


def _published_figures(
    args: argparse.Namespace, fetch: Callable[[Any, bool], dict[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """The figures `fetch(user, published)` gives for --user (or the server operator) and whether they
    are the published ones: --published or --k asks for them, and an analyst gets nothing else.
    A disclosure-control refusal is the command's error."""
    from .disclosure import DisclosureError
    from .selectors import analyst_sees_published_only

    user = optional_user(args.user)
    published = args.published or args.k is not None or analyst_sees_published_only(user)
    try:
        return fetch(user, published), published
    except DisclosureError as exc:
        raise CliError(str(exc)) from None


def _print_json(data: Any) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def period_of(args: argparse.Namespace) -> Any:
    """The Period of --year, or of --from and --to (both days included); a CliError otherwise."""
    from .periods import Period

    start, end = getattr(args, "period_from", None), getattr(args, "period_to", None)
    year = getattr(args, "year", None)
    if year is not None:
        if start or end:
            raise CliError("give --year or --from and --to, not both")
        return Period.of_year(year)
    if start is None or end is None:
        raise CliError("give --year YYYY, or --from YYYY-MM-DD and --to YYYY-MM-DD")
    if end < start:
        raise CliError("--to is before --from")
    return Period(start, end)


def cmd_stats(args: argparse.Namespace) -> int:
    from varde.access.statistics import statistics_get_for_user
    from varde.audit.models import AuditAction

    period = period_of(args)
    data, published = _published_figures(
        args,
        lambda user, published: statistics_get_for_user(
            user=user,
            period=period,
            published=published,
            k=args.k,
            action=AuditAction.EXPORT,
            extended=args.extended,
        ),
    )
    if args.json:
        return _print_json(data)
    from .cli_text import figures_text

    print(figures_text(data, period=period.label(), published=published, lang=args.lang or cli_language()))
    return 0


def cli_language() -> str:
    """Bokmål when the terminal's locale is Norwegian (LANGUAGE, LC_ALL, LC_MESSAGES or LANG), else
    English."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "nb" if value.split(":")[0][:2] in {"nb", "no", "nn"} else "en"
    return "en"


def cmd_htcds_export(args: argparse.Namespace) -> int:
    from django.db import transaction

    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record
    from varde.core.errors import NotPermitted

    from .disclosure import DisclosureError
    from .extract import pseudonymised_extract
    from .htcds import htcds_records, write_csv, write_json
    from .selectors import may_see_internal

    user = optional_user(args.user)
    if not may_see_internal(user):
        raise NotPermitted("only coordinators export case data")
    args.format = args.format or "csv"
    path = writable_path(args.out)
    rows = pseudonymised_extract()
    period = None
    if any(getattr(args, name, None) for name in ("year", "period_from", "period_to")):
        period = period_of(args)
        rows = [row for row in rows if row.followed_in(period)]
    try:
        records = htcds_records(rows, k=args.k)
    except DisclosureError as exc:
        raise CliError(str(exc)) from None
    opened = False
    try:
        with transaction.atomic():
            audit_record(
                actor=user,
                action=AuditAction.EXPORT,
                obj=("statistics.htcds", ""),
                detail={
                    "records": len(records),
                    "format": args.format,
                    "file": path.name,
                    "year": None if period is None else period.year,
                    **(
                        {"from": period.start.isoformat(), "to": period.end.isoformat()}
                        if period is not None and period.year is None
                        else {}
                    ),
                },
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            opened = True
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                (write_json if args.format == "json" else write_csv)(records, out)
    except OSError:
        if opened:
            with contextlib.suppress(OSError):
                path.unlink()
        raise CliError(f"cannot write to {path.name}") from None
    print(f"{len(records)} HTCDS 2.0 records written to {path.name}", file=sys.stderr)
    return 0


HIDDEN_DESCRIPTION = """Hidden numbers: an estimate of how many persons the agencies met in the period
plus those no agency met, by multiple systems estimation. The lists are the kinds of agency of
varde/statistics/rules/hidden_lists.json (police, child welfare, immigration, health, NGOs and shelters,
others); a de-duplicated person is on a list when an agency of its kinds referred them in the period.
A log-linear Poisson model over the lists' overlap (main effects and every estimable two-list
interaction, or --selection aic/bic for stepwise selection) gives the estimate and a 95 % profile-
likelihood interval. When the lists cannot carry an estimate (fewer than three lists, no overlap, all
overlap in one pair, a list sharing no one, no maximum likelihood estimate, a huge interval), estimate
and interval are null and "warning" says why. Method and its benchmark: bench/hidden/README.md."""

HIDDEN_EXAMPLE = """  varde stats hidden --from 2009-01-01 --to 2009-12-31 --json
  varde stats hidden --from 2009-01-01 --to 2009-12-31 --published --user analyst"""


def _date_argument(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a date, YYYY-MM-DD") from None


def cmd_hidden(args: argparse.Namespace) -> int:
    from varde.access.statistics import hidden_numbers_get_for_user
    from varde.audit.models import AuditAction

    if args.end < args.start:
        raise CliError("--to is before --from")
    data, _published = _published_figures(
        args,
        lambda user, published: hidden_numbers_get_for_user(
            user=user,
            start=args.start,
            end=args.end,
            published=published,
            k=args.k,
            selection=args.selection,
            action=AuditAction.EXPORT,
        ),
    )
    if args.json:
        return _print_json(data)
    out = [f"Hidden numbers {args.start.isoformat()} to {args.end.isoformat()}"]
    out.append(f"  persons the agencies met: {'-' if data['observed'] is None else data['observed']}")
    for name, n in data["lists"].items():
        out.append(f"    {name}: {'-' if n is None else n}")
    if data["warning"]:
        out.append(f"  no estimate: {data['warning']}")
    else:
        lo, hi = data["interval"]
        out.append(f"  estimated total: {data['estimate']} (95 % interval {lo} to {hi})")
        out.append(f"  model: {data['model']}")
    print("\n".join(out))
    return 0


def register_hidden(figures: Any) -> None:
    """`varde stats hidden --from YYYY-MM-DD --to YYYY-MM-DD [--json]`."""
    from .hidden import DEFAULT_SELECTION, SELECTIONS

    hidden = figures.add_parser(
        "hidden",
        help="hidden numbers: the persons no agency met, estimated from the lists' overlap",
        description=HIDDEN_DESCRIPTION,
        epilog="Example:\n" + HIDDEN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hidden.add_argument("--from", dest="start", required=True, type=_date_argument, metavar="YYYY-MM-DD")
    hidden.add_argument("--to", dest="end", required=True, type=_date_argument, metavar="YYYY-MM-DD")
    hidden.add_argument("--json", action="store_true", help="print JSON")
    hidden.add_argument(
        "--selection",
        choices=SELECTIONS,
        default=DEFAULT_SELECTION,
        help="two-list interactions: all estimable ones (default) or chosen stepwise by AIC or BIC",
    )
    hidden.add_argument(
        "--published", action="store_true", help="list sizes below K are null (disclosure control)"
    )
    hidden.add_argument("--k", type=int, default=None, metavar="K", help="threshold; implies --published")
    hidden.add_argument("--user", metavar="USERNAME", help="read as this user (default: the server operator)")
    hidden.set_defaults(func=cmd_hidden)


class _FiguresAction(argparse._SubParsersAction):  # type: ignore[type-arg]
    """`varde stats <figures> ...`: a named set of figures (e.g. prosecution) takes its own arguments,
    so the year of the national figures is then not asked for."""

    year: argparse.Action | None = None

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        if self.year is not None:
            self.year.required = False
        super().__call__(parser, namespace, values, option_string)


def register(subparsers: Any, *, stats_figures: Sequence[Callable[[Any], None]] = ()) -> None:
    """Add `stats`, `htcds-export` and `report` (annual) to the `varde` command's sub-parsers.
    `stats_figures` add further figures as sub-commands of `varde stats` (e.g. `varde stats prosecution`,
    handed in by the `varde` command so that this package imports none of theirs)."""
    stats = subparsers.add_parser(
        "stats",
        help="national figures for a year (persons, not referrals)",
        description=STATS_DESCRIPTION,
        epilog=STATS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    year = stats.add_argument("--year", type=year_argument, metavar="YYYY", help="a calendar year")
    stats.add_argument(
        "--from", dest="period_from", type=_date_argument, metavar="YYYY-MM-DD", help="first day of a period"
    )
    stats.add_argument(
        "--to", dest="period_to", type=_date_argument, metavar="YYYY-MM-DD", help="last day of the period"
    )
    stats.add_argument("--json", action="store_true", help="print JSON (the issue's shape)")
    stats.add_argument(
        "--published", action="store_true", help="apply disclosure control (suppressed = null)"
    )
    stats.add_argument(
        "--k",
        type=int,
        default=None,
        metavar="K",
        help="threshold for --published: 3, 5, 10 (default) or 11; implies --published",
    )
    stats.add_argument(
        "--extended",
        action="store_true",
        help="also first identified, municipalities, police districts, residence permits, voluntary returns",
    )
    stats.add_argument("--user", metavar="USERNAME", help="read as this user (default: the server operator)")
    stats.add_argument(
        "--lang",
        choices=("nb", "en"),
        default=None,
        help="language of the tables without --json (default: the terminal's, Bokmål or English)",
    )
    stats.set_defaults(func=cmd_stats)
    figures = stats.add_subparsers(
        action=_FiguresAction,
        dest="figures",
        metavar="FIGURES",
        title="other figures (instead of --year)",
    )
    figures.year = year
    for add in (register_hidden, *stats_figures):
        add(figures)

    export = subparsers.add_parser(
        "htcds-export",
        help="export de-identified case data in HTCDS 2.0 (the same as varde export --htcds)",
        description=EXPORT_DESCRIPTION,
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "--out", required=True, metavar="FILE", help="where to write (created owner-readable only)"
    )
    add_htcds_arguments(export)
    export.add_argument(
        "--user", metavar="USERNAME", help="export as this coordinator (default: the operator)"
    )
    export.set_defaults(func=cmd_htcds_export)

    report_cli.register(subparsers)


def add_htcds_arguments(parser: argparse.ArgumentParser) -> None:
    """--format, --k and --year: shared by `varde htcds-export` and `varde export --htcds`."""
    parser.add_argument("--format", choices=("csv", "json"), default=None, help="csv (default) or json")
    parser.add_argument(
        "--k",
        type=int,
        default=None,
        metavar="K",
        help="citizenships held by fewer than K persons are left empty (default 10)",
    )
    parser.add_argument(
        "--year",
        type=year_argument,
        default=None,
        metavar="YYYY",
        help="only persons followed up in this year",
    )
    parser.add_argument(
        "--from",
        dest="period_from",
        type=_date_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help="only persons followed up in the period from this day (with --to)",
    )
    parser.add_argument(
        "--to",
        dest="period_to",
        type=_date_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help="the period's last day (with --from)",
    )
