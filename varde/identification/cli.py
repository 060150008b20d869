"""`varde indicators list|show` and `varde assess`: the catalogues and the rule for scripts.

Pure: works on the shipped catalogue files, no database. Wire into the `varde` command with
`register(subparsers)`; each sub-command sets `func(args) -> int` (the exit code).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .catalogue import catalogue_outline, catalogue_summary, shipped_catalogue, shipped_catalogues, text
from .errors import IdentificationError
from .rule import evaluate

EXIT_USAGE = 2

LIST_EPILOG = """example:
  varde indicators list --json
  varde indicators list --lang nb"""
SHOW_EPILOG = """example:
  varde indicators show ilo_adult_labour --json
  varde indicators show national_child --lang nb"""
ASSESS_EPILOG = """The result supports a professional judgement; it never decides alone.
Exit code 2 for an unknown catalogue or indicator id.

example:
  varde assess ilo_child_labour --indicators dr_job_nature,dr_wages,ex_excessive_hours,ex_low_pay --json"""


def _out(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_USAGE


def cmd_indicators_list(args: argparse.Namespace) -> int:
    try:
        rows = [catalogue_summary(c, args.lang) for c in shipped_catalogues()]
    except IdentificationError as exc:
        return _fail(exc)
    if args.json:
        _out(rows)
        return 0
    for row in rows:
        exploitation = row["exploitation"] or "-"
        print(f"{row['id']:<28} v{row['version']:<3} {row['population']:<6} {exploitation:<7} {row['title']}")
    return 0


def cmd_indicators_show(args: argparse.Namespace) -> int:
    try:
        catalogue = shipped_catalogue(args.catalogue_id)
    except IdentificationError as exc:
        return _fail(exc)
    outline = catalogue_outline(catalogue, args.lang)
    if args.json:
        _out(outline)
        return 0
    print(f"{text(catalogue['title'], args.lang)} ({catalogue['id']} v{catalogue['version']})")
    print(catalogue["source"])
    for element in outline["elements"]:
        print(f"\n{element['title']} [{element['id']}]")
        for ind in element["indicators"]:
            print(f"  {ind['id']:<34} {ind['strength']:<6} {ind['text']}")
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    ids = [i.strip() for i in (args.indicators or "").split(",") if i.strip()]
    try:
        catalogue = shipped_catalogue(args.catalogue_id)
        result = evaluate(catalogue, ids)
    except IdentificationError as exc:
        return _fail(exc)
    payload = result.as_dict()
    if args.json:
        _out(payload)
        return 0
    titles = {el["id"]: text(el["title"], args.lang) for el in catalogue["elements"]}
    for eid, detail in payload["elements"].items():
        mark = "+" if detail["positive"] else " "
        print(
            f"[{mark}] {titles[eid]}: {detail['strong']} strong, {detail['medium']} medium, {detail['weak']} weak"
        )
    print(f"conclusion: {payload['conclusion']}")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument(
        "--lang", choices=["en", "nb"], default="en", help="language of titles and texts (default en)"
    )


def register(subparsers: Any) -> None:
    """Add `indicators` (list, show) and `assess` to the `varde` command's sub-parsers."""
    raw = argparse.RawDescriptionHelpFormatter
    indicators = subparsers.add_parser(
        "indicators",
        help="indicator catalogues (ILO/EC lists, national and agency checklists)",
        description="Show the indicator catalogues shipped with Varde.",
        epilog=LIST_EPILOG,
        formatter_class=raw,
    )
    commands = indicators.add_subparsers(dest="indicators_command", metavar="{list,show}")
    commands.required = True
    listing = commands.add_parser(
        "list",
        help="list the catalogues",
        description="List the catalogues.",
        epilog=LIST_EPILOG,
        formatter_class=raw,
    )
    _common(listing)
    listing.set_defaults(func=cmd_indicators_list)
    show = commands.add_parser(
        "show",
        help="show one catalogue's elements and indicators",
        description="Show one catalogue's elements and indicators with their strength.",
        epilog=SHOW_EPILOG,
        formatter_class=raw,
    )
    show.add_argument("catalogue_id", metavar="CATALOGUE_ID")
    _common(show)
    show.set_defaults(func=cmd_indicators_show)
    assess = subparsers.add_parser(
        "assess",
        help="apply the combination rule to ticked indicators",
        description="Apply a catalogue's combination rule to a set of ticked indicator ids.",
        epilog=ASSESS_EPILOG,
        formatter_class=raw,
    )
    assess.add_argument("catalogue_id", metavar="CATALOGUE_ID")
    assess.add_argument("--indicators", default="", metavar="ID,ID", help="comma-separated indicator ids")
    _common(assess)
    assess.set_defaults(func=cmd_assess)
