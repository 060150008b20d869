"""`varde pprl encode RECORDS.csv --out ENCODED.csv`: the agency's side of privacy-preserving linkage.

Run by an agency that may not share names: the interchange CSV in, the same rows out with name,
birth date, estimated age, phone and document number replaced by keyed Bloom-filter encodings
(varde/linkage/pprl.py). Needs no database and no network. Messages name files, lines and counts
only, never a value from the records and never the key.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

EPILOG = """\
Example:
  export VARDE_PPRL_KEY="$(cat /secure/varde-linkage.key)"
  varde pprl encode referrals.csv --out encoded.csv
  varde pprl encode referrals.csv --out encoded.csv --key-file /secure/varde-linkage.key

The key is Varde's linkage key (at least 32 bytes), handed to the agency by KOM out of band, e.g.
made once with: python3 -c "import secrets; print(secrets.token_hex(32))" > varde-linkage.key
Without a key of at least 32 bytes the command refuses to run.

RECORDS.csv is the interchange CSV (see varde link --help). ENCODED.csv has the same rows and
columns with given_name, family_name, date_of_birth, estimated_age, phone and id_document_number
emptied, and four more: name_clk, birth_clk, phone_clk, document_clk. record_id, reporting_agency,
referral_date, sex, nationality and municipality stay as they are. Columns that are not interchange
columns are not copied. Send ENCODED.csv to KOM; it links with `varde link` like any records file.
"""


def register(subparsers: Any) -> None:
    """Add `pprl` (with `pprl encode`) to the `varde` command's sub-parsers."""
    parser = subparsers.add_parser(
        "pprl",
        help="privacy-preserving linkage: encode names, birth and phone before sending records",
        description="Privacy-preserving record linkage with keyed Bloom-filter encodings (docs/PPRL.md).",
        epilog="Example:\n  varde pprl encode referrals.csv --out encoded.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="pprl_command", metavar="SUBCOMMAND", required=True)
    encode = sub.add_parser(
        "encode",
        help="replace the identifying columns of an interchange CSV with keyed encodings",
        description="Replace names, birth, phone and document number with keyed Bloom-filter encodings.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    encode.add_argument("records", type=Path, metavar="RECORDS.csv", help="interchange CSV to encode")
    encode.add_argument("--out", type=Path, required=True, metavar="ENCODED.csv", help="where to write")
    encode.add_argument(
        "--key-file",
        type=Path,
        metavar="FILE",
        help="file holding the linkage key (default: the environment variable VARDE_PPRL_KEY)",
    )
    encode.add_argument(
        "--fold",
        action="store_true",
        help="XOR-fold the filters too (harder to attack, lower linkage quality; KOM must agree)",
    )
    encode.set_defaults(func=cmd_encode)


def cmd_encode(args: argparse.Namespace) -> int:
    from varde.core.interchange_format import INTERCHANGE_COLUMNS

    from .io import PPRL_COLUMNS, LinkageInputError, read_records
    from .pprl import KEY_ENV, MIN_KEY_BYTES, Encoder, PprlError, PprlKey, Scheme, encode_rows, encoded_mask

    key = PprlKey.load(args.key_file)
    if key is None:
        raise PprlError(f"no linkage key: set {KEY_ENV} or pass --key-file (at least {MIN_KEY_BYTES} bytes)")
    if args.out.resolve() == args.records.resolve():
        raise LinkageInputError("--out must not be the input file")
    records = read_records(args.records)
    if encoded_mask(records).any():
        raise LinkageInputError("records: the file is encoded already (it has *_clk values)")
    encoder = Encoder(key, Scheme(fold=args.fold))
    columns = [*INTERCHANGE_COLUMNS, *PPRL_COLUMNS]
    counts = dict.fromkeys(PPRL_COLUMNS, 0)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in encode_rows(records, encoder, INTERCHANGE_COLUMNS):
            for column in PPRL_COLUMNS:
                counts[column] += bool(row[column])
            writer.writerow(row)
    print(
        f"{len(records)} records encoded ({counts['name_clk']} names, {counts['birth_clk']} birth, "
        f"{counts['phone_clk']} phones, {counts['document_clk']} documents; scheme {encoder.scheme.tag}, "
        f"key check {key.check}) -> {args.out}",
        file=sys.stderr,
    )
    return 0
