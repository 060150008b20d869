"""`varde measures` and `varde portfolio`: the action plans' measures and the project portfolio for
scripts. Thin: parse, read through varde.access (or call a service), print.

Without --user a read acts as the server operator (audited with no actor, as `varde stats` does);
with --user the user's role decides (coordinators and ministry users). Importing needs --user: a KOM
coordinator, so that the import names who did it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from varde.cli.base import (
    CliError,
    add_command,
    add_group,
    get_user,
    optional_user,
    writable_path,
    year_argument,
)

MEASURES_LIST = """The measures of an action plan with their chapter, responsible ministries (the lead
first) and status: the latest approved status report (or that of --year). A measure whose wording or
ministries the sources do not give is marked in "verified"."""

PORTFOLIO_SUMMARY = """The project portfolio for a period: projects with an amount in a year of the
period, their agreements (one-year or multi-year), amounts and whole-per-cent shares by region, channel,
country and partner, agreements by section, projects by size, and the number of projects that receive
NOK 100,000 or less. The counting rules are in varde/coordination/portfolio.py."""

PORTFOLIO_IMPORT = """Import projects and agreements from an XLSX or CSV file: one row per project with
the columns agreement, agreement_title, partner, channel, country, region, section, objective, project,
project_title, start, end, measures and one column per year (amounts in whole NOK). All or nothing:
any bad row refuses the whole file, naming the row and the column; nothing is saved."""


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _not_found(what: str) -> CliError:
    return CliError(f"no {what}, or the user may not see it")


def cmd_measures_list(args: argparse.Namespace) -> int:
    from django.http import Http404

    from varde.access.coordination import measure_rows_for_user

    user = optional_user(args.user)
    try:
        rows = measure_rows_for_user(user=user, plan_code=args.plan, year=args.year, lang=args.lang)
    except Http404:
        raise _not_found(f"action plan {args.plan!r}") from None
    if args.json:
        _print_json(
            [
                {k: r[k] for k in ("number", "chapter", "ministries", "lead", "status", "year", "verified")}
                for r in rows
            ]
        )
        return 0
    for r in rows:
        mark = "" if all(r["verified"].values()) else "  [not all from the sources]"
        print(
            f"{r['number']:>3}  ch. {r['chapter'] or '-':<3} {','.join(r['ministries']) or '-':<16} "
            f"{r['status'] or '-':<13} {r['text'] or '(wording not in the sources)'}{mark}"
        )
    return 0


def cmd_measures_load(args: argparse.Namespace) -> int:
    from varde.coordination.plans import plans_load

    result = plans_load(actor=optional_user(args.user))
    print(
        f"{result.plans} plan(s) loaded or updated, {result.measures} measures; {result.ministries} new ministries"
    )
    return 0


def _period(args: argparse.Namespace) -> tuple[int, int]:
    if args.year_from > args.year_to:
        raise CliError("--from must not be after --to")
    return args.year_from, args.year_to


def cmd_portfolio_summary(args: argparse.Namespace) -> int:
    from django.http import Http404

    from varde.access.coordination import portfolio_summary_for_user

    year_from, year_to = _period(args)
    try:
        data = portfolio_summary_for_user(user=optional_user(args.user), year_from=year_from, year_to=year_to)
    except Http404:
        raise _not_found("portfolio") from None
    if args.json:
        _print_json(data)
        return 0
    print(
        f"{year_from}-{year_to}: {data['projects']} projects in {data['agreements']} agreements "
        f"({data['one_year']} one-year, {data['multi_year']} multi-year), NOK {data['total_nok']:,}"
    )
    for title, key in (("Region", "by_region"), ("Channel", "by_channel")):
        print(title)
        for name, v in data[key].items():
            print(f"  {name:<20} NOK {v['nok']:>13,}  {v['share']:>3} %")
    print("Section (agreements / one-year / NOK)")
    for name, v in data["by_section"].items():
        print(f"  {name:<52} {v['agreements']:>4} {v['one_year_agreements']:>4}  NOK {v['nok']:>13,}")
    print(f"Projects of NOK 100,000 or less: {data['small_projects']}")
    return 0


def cmd_portfolio_import(args: argparse.Namespace) -> int:
    from varde.coordination.portfolio_io import PortfolioImportError, portfolio_import
    from varde.core.errors import NotPermitted

    user = get_user(args.user)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path.name}: no such file")
    try:
        result = portfolio_import(actor=user, filename=path.name, content=path.read_bytes())
    except PortfolioImportError as exc:
        raise CliError(f"{path.name}: {exc}", details=[str(p) for p in exc.problems]) from None
    except NotPermitted as exc:
        raise CliError(str(exc)) from None
    print(
        f"{path.name}: {result.rows} rows imported: {result.projects_created} projects, "
        f"{result.agreements_created} new agreements"
    )
    return 0


def cmd_portfolio_export(args: argparse.Namespace) -> int:
    from varde.access.coordination import may_read_plans, projects_visible_to
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record
    from varde.coordination.portfolio_io import export_csv, export_xlsx

    user = optional_user(args.user)
    out = writable_path(args.out)
    if user is not None and not may_read_plans(user):
        raise _not_found("portfolio")
    projects = list(projects_visible_to(user=user))
    content = export_xlsx(projects) if out.suffix.lower() == ".xlsx" else export_csv(projects)
    out.write_bytes(content)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=("coordination.portfolio", ""),
        detail={"projects": len(projects)},
    )
    print(f"{len(projects)} projects written to {out.name}")
    return 0


def register(sub: Any) -> None:
    measures = add_group(
        sub,
        "measures",
        help="the action plans' measures",
        description="The action plans' measures and their status.",
        example="  varde measures list --plan 2011-2014 --json",
        dest="measures_command",
    )
    p = add_command(
        measures,
        "list",
        help="list a plan's measures",
        description=MEASURES_LIST,
        example="  varde measures list --plan 2011-2014 --json\n  varde measures list --plan 2006-2009 --year 2007",
        func=cmd_measures_list,
    )
    p.add_argument("--plan", required=True, help="the plan's period, e.g. 2011-2014")
    p.add_argument("--year", type=year_argument, help="the status of this year (default: the latest)")
    p.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the texts")
    p.add_argument(
        "--json", action="store_true", help='JSON: [{"number", "chapter", "ministries", "status", ...}]'
    )
    p.add_argument("--user", help="act as this user (default: the server operator)")
    p = add_command(
        measures,
        "load",
        help="load the plan files",
        description="Load the ministries and the action plans from varde/coordination/rules (idempotent).",
        example="  varde measures load",
        func=cmd_measures_load,
    )
    p.add_argument("--user", help="act as this user (default: the server operator)")

    portfolio = add_group(
        sub,
        "portfolio",
        help="the project portfolio",
        description="The project portfolio: summaries, import and export.",
        example="  varde portfolio summary --from 2000 --to 2010 --json",
        dest="portfolio_command",
    )
    p = add_command(
        portfolio,
        "summary",
        help="summarise a period",
        description=PORTFOLIO_SUMMARY,
        example="  varde portfolio summary --from 2000 --to 2010 --json",
        func=cmd_portfolio_summary,
    )
    p.add_argument("--from", dest="year_from", type=year_argument, required=True, help="first year")
    p.add_argument("--to", dest="year_to", type=year_argument, required=True, help="last year")
    p.add_argument("--json", action="store_true", help="JSON in the shape described above")
    p.add_argument("--user", help="act as this user (default: the server operator)")
    p = add_command(
        portfolio,
        "import",
        help="import projects from XLSX or CSV",
        description=PORTFOLIO_IMPORT,
        example="  varde portfolio import projects-2008.xlsx --user kom.coordinator",
        func=cmd_portfolio_import,
    )
    p.add_argument("file", metavar="FILE", help="an .xlsx or .csv file")
    p.add_argument("--user", required=True, help="the KOM coordinator who imports")
    p = add_command(
        portfolio,
        "export",
        help="export the portfolio",
        description="Write every project in the import's columns (XLSX when FILE ends in .xlsx, else CSV).",
        example="  varde portfolio export --out portfolio.xlsx",
        func=cmd_portfolio_export,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--user", help="act as this user (default: the server operator)")
