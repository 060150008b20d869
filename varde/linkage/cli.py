"""`varde link RECORDS.csv --out CLUSTERS.csv`: link interchange records into persons, offline.

Needs no database and no network: the whole pipeline runs in-process (DuckDB in memory, or Spark
in local mode). Messages name files, lines and counts only, never a value from the records.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EPILOG = """\
Example:
  varde link referrals.csv --out persons.csv
  varde link referrals.csv --out persons.csv --decisions reviewed.csv --engine spark

RECORDS.csv is the interchange CSV (record_id, reporting_agency, referral_date, given_name,
family_name, sex, date_of_birth, estimated_age, nationality, phone, id_document_number,
municipality). DECISIONS.csv has the columns record_a, record_b, decision (same | not_same):
coordinators' review decisions, which bind the result. The output has one row per input record:
record_id,person_key. Records of one person share a person_key.

Records an agency encoded with `varde pprl encode` (name_clk, birth_clk, phone_clk, document_clk
instead of names, birth, phone and document) link with the rest, given the key they were encoded
with (VARDE_PPRL_KEY or --key-file):
  varde link mixed.csv --out persons.csv --key-file /secure/varde-linkage.key
"""

STEPS = {
    "prepare": "Preparing records",
    "train": "Training the model",
    "train:prior": "Training: prior",
    "train:u": "Training: u from random pairs",
    "train:m": "Training: m by expectation maximisation",
    "score": "Scoring candidate pairs",
    "cluster": "Clustering into persons",
    "done": "Done",
}


def register(subparsers: Any) -> None:
    """Add `link` to the `varde` command's sub-parsers."""
    parser = subparsers.add_parser(
        "link",
        help="link interchange records into persons (no database, no network)",
        description="Link the records of an interchange CSV into persons and write record_id,person_key.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("records", type=Path, metavar="RECORDS.csv", help="interchange CSV to link")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="CLUSTERS.csv", help="where to write the result"
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="duckdb (default, in-process) or spark (PySpark local mode)",
    )
    parser.add_argument(
        "--decisions",
        type=Path,
        metavar="DECISIONS.csv",
        help="review decisions (record_a, record_b, same|not_same) that bind the result",
    )
    parser.add_argument(
        "--review-out",
        type=Path,
        metavar="REVIEW.csv",
        help="also write the review queue (record_a, record_b, match_probability)",
    )
    parser.add_argument(
        "--key-file",
        type=Path,
        metavar="FILE",
        help="the linkage key for records encoded with `varde pprl encode` (default: VARDE_PPRL_KEY)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    parser.set_defaults(func=cmd_link)

    from . import pprl_cli

    pprl_cli.register(subparsers)  # `varde pprl encode`: the agency's side of the same linkage


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda _step: None
        return
    from rich.console import Console

    console = Console(file=sys.stderr, highlight=False)
    started = time.monotonic()
    with console.status(STEPS["prepare"]) as status:

        def step(name: str) -> None:
            label = STEPS.get(name, name)
            status.update(f"{label} ({time.monotonic() - started:.0f} s)")

        yield step
    console.print(f"Linked in {time.monotonic() - started:.1f} s", highlight=False)


@contextmanager
def _silenced() -> Iterator[None]:
    """Splink's, DuckDB's and Spark's own warnings stay out of the terminal (and the progress display):
    the command says in one line what matters. Errors still show."""
    import logging
    import warnings

    loggers = [logging.getLogger(name) for name in ("splink", "duckdb", "py4j", "varde.linkage")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def cmd_link(args: argparse.Namespace) -> int:
    from .io import LinkageInputError, read_decisions, read_records_table, write_clusters_table
    from .model import MIN_RECORDS_TO_TRAIN, default_parameters
    from .pipeline import link_records
    from .pprl import PprlKey, encoded_mask

    records = read_records_table(args.records)  # Arrow, no Python object per record
    # the linkage key is read only when some records are encoded (and never printed)
    key = PprlKey.load(args.key_file) if encoded_mask(records).any() else None
    decisions = read_decisions(args.decisions) if args.decisions else []
    if args.out.resolve() == args.records.resolve():
        raise LinkageInputError("--out must not be the input file")
    params = None
    if records.num_rows < MIN_RECORDS_TO_TRAIN:
        params = default_parameters()
        print(
            f"{records.num_rows} records are too few to train the model (fewer than {MIN_RECORDS_TO_TRAIN}): "
            "using the shipped parameters",
            file=sys.stderr,
        )
    show = not args.quiet and sys.stderr.isatty()
    with _silenced(), _progress(show) as step:
        result = link_records(
            records, engine=args.engine, decisions=decisions, progress=step, params=params, pprl_key=key
        )
    written = write_clusters_table(args.out, records.column("record_id").to_pylist(), result.person_key)
    if args.review_out:
        _write_review(args.review_out, result.review)
    print(
        f"{written} records, {result.persons} persons, {len(result.review)} pairs for review -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _write_review(path: Path, review: list[Any]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_a", "record_b", "match_probability"])
        for pair in review:
            writer.writerow([pair.record_a, pair.record_b, f"{pair.probability:.4f}"])
