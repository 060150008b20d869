"""Files for `varde link`: the interchange CSV in, review decisions in, `record_id,person_key` out.

Errors name a line number or a column, never a value: values are personal data and error messages
end up in terminals, logs and tickets.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyarrow as pa

from varde.core.errors import VardeError
from varde.core.interchange_format import INTERCHANGE_COLUMNS, REQUIRED_COLUMNS

DECISION_COLUMNS: tuple[str, ...] = ("record_a", "record_b", "decision")
# Keyed Bloom-filter encodings an agency submits instead of names, birth, phone and document
# (`varde pprl encode`, varde/linkage/pprl.py); kept when a records file has them.
PPRL_COLUMNS: tuple[str, ...] = ("name_clk", "birth_clk", "phone_clk", "document_clk")
DECISIONS = ("same", "not_same")


class LinkageInputError(VardeError):
    """A linkage input file cannot be used; the message names lines and columns only."""


def _open_text(path: Path) -> IO[str]:
    try:
        return path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise LinkageInputError(f"cannot open {path.name}: {exc.strerror or 'error'}") from None


def _rows(fh: IO[str], required: tuple[str, ...], what: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(fh)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise LinkageInputError(f"{what}: missing column(s): {', '.join(missing)}")
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}
    except (csv.Error, UnicodeDecodeError):
        raise LinkageInputError(f"{what}: line {reader.line_num + 1} is not valid UTF-8 CSV") from None


def read_records(path: Path) -> list[dict[str, str]]:
    """Read the interchange CSV. Every record needs a unique record_id."""
    seen: dict[str, int] = {}
    records: list[dict[str, str]] = []
    with _open_text(path) as fh:
        for line, row in _rows(fh, REQUIRED_COLUMNS, "records"):
            encoded = {c: row[c] for c in PPRL_COLUMNS if c in row}
            record_id = row.get("record_id", "")
            if not record_id:
                raise LinkageInputError(f"records: line {line}: record_id is empty")
            if record_id in seen:
                raise LinkageInputError(f"records: line {line}: record_id repeats line {seen[record_id]}")
            seen[record_id] = line
            records.append({**{c: row.get(c, "") for c in INTERCHANGE_COLUMNS}, **encoded})
    return records


def read_decisions(path: Path) -> list[tuple[str, str, str]]:
    """Read review decisions: record_a, record_b, decision ("same" or "not_same")."""
    decisions: list[tuple[str, str, str]] = []
    with _open_text(path) as fh:
        for line, row in _rows(fh, DECISION_COLUMNS, "decisions"):
            decision = row["decision"].lower().replace("-", "_").replace(" ", "_")
            if decision not in DECISIONS:
                raise LinkageInputError(f"decisions: line {line}: decision must be 'same' or 'not_same'")
            if not row["record_a"] or not row["record_b"]:
                raise LinkageInputError(f"decisions: line {line}: record_a and record_b need a value")
            decisions.append((row["record_a"], row["record_b"], decision))
    return decisions


def write_clusters(path: Path, records: Sequence[Mapping[str, str]], person_key: Mapping[str, str]) -> int:
    """Write `record_id,person_key` for every record, in input order. Returns the number of rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "person_key"])
        for row in records:
            writer.writerow([row["record_id"], person_key[row["record_id"]]])
    return len(records)


def read_records_table(path: Path) -> pa.Table:
    """The interchange CSV as an Arrow table of strings (values stripped, empty as ""), read by Arrow
    without a Python object per row: what `read_records` checks, for large files. On a bad file the
    exact `read_records` message (with its line number) is raised."""
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8", block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=_all_strings(path), strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError):
        read_records(path)  # raises the precise error (line number, column)
        raise LinkageInputError("records: not a valid interchange CSV") from None
    header = [name.strip() for name in table.column_names]
    table = table.rename_columns(header)
    if any(c not in header for c in REQUIRED_COLUMNS):
        read_records(path)
    columns = {
        name: (
            pc.utf8_trim_whitespace(table.column(name)).combine_chunks()
            if name in header
            else pa.array([""] * table.num_rows, pa.string())
        )
        for name in INTERCHANGE_COLUMNS
    }
    columns.update(
        {
            name: pc.utf8_trim_whitespace(table.column(name)).combine_chunks()
            for name in PPRL_COLUMNS
            if name in header
        }
    )
    ids = columns["record_id"]
    if pc.any(pc.equal(ids, "")).as_py() or pc.count_distinct(ids).as_py() != len(ids):
        read_records(path)  # raises with the line number of the first empty or repeated id
        raise LinkageInputError("records: record_id is empty or repeats")
    return pa.table(columns)


def _all_strings(path: Path) -> dict[str, pa.DataType]:
    """Every column of the file as text (no type guessing: "0047…" is a phone, not a number)."""
    with _open_text(path) as fh:
        header = next(csv.reader(fh), [])
    return {name: pa.string() for name in header}


def write_clusters_table(path: Path, record_ids: Sequence[str], person_key: Mapping[str, str]) -> int:
    """`write_clusters` for record ids in input order."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "person_key"])
        writer.writerows((rid, person_key[rid]) for rid in record_ids)
    return len(record_ids)
