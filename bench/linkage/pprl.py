"""Privacy-preserving linkage benchmark: the same records linked in plaintext, with one agency's
records encoded, and with two agencies' records encoded - one process, one generated data set.

    python bench/linkage/pprl.py --records 4000
    python bench/linkage/pprl.py --records 4000 --all --fold      # also: everything encoded, XOR-folded

The encoded agencies' records go through the agency's side (`pprl.encode_rows`, what
`varde pprl encode` writes: names, birth, phone and document replaced by keyed Bloom filters); Varde
then links the mixed table with the same (test) key, exactly as `varde link` does. Reported per
configuration: pairwise precision / recall / F1, person-count error, wall and CPU time and peak RSS
of reading + linking (the agency's encoding is timed apart), the blocking recall on the true pairs
with an encoded side (share of them that any blocking key makes a candidate pair, against the
plaintext keys for the same pairs), and what the encoded file shows to someone without the key
(equal encodings). Definitions as in bench/linkage/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.linkage.metrics import pairwise_scores  # noqa: E402
from bench.linkage.run import measured  # noqa: E402
from varde.core.interchange_format import INTERCHANGE_COLUMNS  # noqa: E402
from varde.linkage.io import PPRL_COLUMNS, read_records_table  # noqa: E402
from varde.linkage.pipeline import TRAIN_SAMPLE, _with_pprl, link_records  # noqa: E402
from varde.linkage.pprl import Encoder, PprlKey, Scheme, encode_rows, prepare_batch  # noqa: E402
from varde.linkage.preprocess import interchange_table, prepare_table  # noqa: E402

# A fixed test key: the benchmark's data is synthetic and its encodings are thrown away.
BENCH_KEY = PprlKey(b"varde-bench-linkage-key-not-for-real-data-0001")
DEFAULT_CONFIGS = ("helse-ost", "helse-ost,rosa")


def encode_agencies(records: pa.Table, agencies: set[str], scheme: Scheme) -> tuple[pa.Table, float]:
    """The records with those of `agencies` ("*": all) encoded on the agency's side; seconds taken."""
    rows = records.to_pylist()
    started = time.perf_counter()
    mine = [r for r in rows if "*" in agencies or r["reporting_agency"] in agencies]
    encoded = {r["record_id"]: r for r in encode_rows(mine, Encoder(BENCH_KEY, scheme), INTERCHANGE_COLUMNS)}
    seconds = time.perf_counter() - started
    empty = dict.fromkeys(PPRL_COLUMNS, "")
    out = [encoded.get(r["record_id"]) or {**r, **empty} for r in rows]
    return pa.Table.from_pylist(out), seconds


def _candidate_pairs(blk: Sequence[Sequence[str]], encoded: Sequence[bool]) -> set[tuple[int, int]]:
    holders: dict[str, list[int]] = defaultdict(list)
    for i, keys in enumerate(blk):
        for k in keys:
            holders[k].append(i)
    pairs: set[tuple[int, int]] = set()
    for k, members in holders.items():
        pprl_key = k.startswith("p:")
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                if not pprl_key or encoded[a] or encoded[b]:
                    pairs.add((a, b))
    return pairs


def blocking_recall(plain: pa.Table, mixed: pa.Table, truth: dict[str, int]) -> dict[str, float | int]:
    """Of the true pairs with an encoded side: the share that the mixed run's blocking keys make
    candidates, and the share the plaintext keys would for the same pairs."""
    batch = prepare_batch(mixed, interchange_table(mixed), BENCH_KEY)
    assert batch is not None
    prepared = _with_pprl(prepare_table(batch.table, replace=batch.replace), batch)
    encoded = batch.encoded.tolist()
    ids = prepared.column("record_id").to_pylist()
    persons: dict[int, list[int]] = defaultdict(list)
    for i, rid in enumerate(ids):
        persons[truth[rid]].append(i)
    targets = {
        (a, b)
        for members in persons.values()
        for x, a in enumerate(members)
        for b in members[x + 1 :]
        if encoded[a] or encoded[b]
    }
    found = _candidate_pairs(prepared.column("blk").to_pylist(), encoded)
    plain_found = _candidate_pairs(prepare_table(plain).column("blk").to_pylist(), [False] * len(ids))
    return {
        "true_pairs_with_encoded_side": len(targets),
        "blocking_recall": round(len(targets & found) / len(targets), 4) if targets else 1.0,
        "plaintext_blocking_recall_same_pairs": round(len(targets & plain_found) / len(targets), 4)
        if targets
        else 1.0,
        "candidate_pairs_with_encoded_side": sum(1 for a, b in found if encoded[a] or encoded[b]),
    }


def what_the_file_shows(table: pa.Table) -> dict[str, Any]:
    """Equal encodings in the encoded records: what a holder without the key sees at once."""
    out: dict[str, Any] = {}
    for column in PPRL_COLUMNS:
        values = [v for v in table.column(column).to_pylist() if v]
        counts = Counter(values)
        out[column] = {
            "records": len(values),
            "distinct": len(counts),
            "largest_equal_group": max(counts.values(), default=0),
            "records_in_groups_of_2_or_more": sum(c for c in counts.values() if c > 1),
        }
    return out


def _line(name: str, scores: Any, m: dict[str, float], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "config": name,
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
        "persons_true": scores.persons_true,
        "persons_found": scores.persons_found,
        "person_count_error_points": round(scores.count_error_points, 2),
        "seconds": round(m["seconds"], 2),
        "cpu_seconds": round(m["cpu_seconds"], 2),
        "peak_rss_mb": round(m["peak_rss_mb"]),
        **extra,
    }


def _link(table: pa.Table, train_sample: int) -> tuple[Any, dict[str, float]]:
    cpu = psutil.Process().cpu_times()
    with measured() as m:
        result = link_records(table, train_sample=train_sample, pprl_key=BENCH_KEY)
    after = psutil.Process().cpu_times()
    m["cpu_seconds"] = (after.user - cpu.user) + (after.system - cpu.system)
    return result, m


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--encode",
        action="append",
        metavar="AGENCY[,AGENCY]",
        help=f"agencies whose records are encoded, one configuration each (default: {' and '.join(DEFAULT_CONFIGS)})",
    )
    parser.add_argument("--all", action="store_true", help="also: every record encoded (a stress case)")
    parser.add_argument("--fold", action="store_true", help="also: the same configurations XOR-folded")
    parser.add_argument("--train-sample", type=int, default=TRAIN_SAMPLE)
    parser.add_argument("--show-parameters", action="store_true", help="print the encoded levels' m and u")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(list(argv) if argv is not None else None)

    workdir = Path(tempfile.mkdtemp(prefix="varde-bench-pprl-"))
    records_csv, truth_csv = workdir / "records.csv", workdir / "truth.csv"
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("generate.py")),
            *("--records", str(args.records), "--seed", str(args.seed)),
            *("--out", str(records_csv), "--truth", str(truth_csv)),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with truth_csv.open(newline="", encoding="utf-8") as fh:
        truth = {r["record_id"]: int(r["person"]) for r in csv.DictReader(fh)}
    records = read_records_table(records_csv)
    results: list[dict[str, Any]] = []

    plain_result, m = _link(records, args.train_sample)
    results.append(_line("plaintext", pairwise_scores(plain_result.person_key, truth), m, {}))
    print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    del plain_result

    configs = [set(c.split(",")) for c in (args.encode or DEFAULT_CONFIGS)]
    if args.all:
        configs.append({"*"})
    schemes = [Scheme()] + ([Scheme(fold=True)] if args.fold else [])
    for scheme in schemes:
        for agencies in configs:
            mixed, encode_seconds = encode_agencies(records, agencies, scheme)
            result, m = _link(mixed, args.train_sample)
            name = (
                "everything" if "*" in agencies else ", ".join(sorted(agencies))
            ) + f" encoded ({scheme.tag})"
            extra: dict[str, Any] = {
                "encoded_records": sum(
                    1 for r in mixed.select(list(PPRL_COLUMNS)).to_pylist() if any(r.values())
                ),
                "agency_encode_seconds": round(encode_seconds, 2),
                **blocking_recall(records, mixed, truth),
                "file_shows": what_the_file_shows(mixed),
            }
            if args.show_parameters:
                extra["parameters"] = {
                    k: result.params.levels.get(k) for k in ("name_pprl", "birth_pprl", "document")
                }
            results.append(_line(name, pairwise_scores(result.person_key, truth), m, extra))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"records={records.num_rows} persons={len(set(truth.values()))} seed={args.seed}")
    print(
        f"{'config':<40}{'enc':>6}{'P':>8}{'R':>8}{'F1':>8}{'dF1':>8}{'err pts':>9}{'time s':>8}{'cpu s':>7}"
        f"{'RSS MB':>8}{'blk R':>7}{'plain':>7}"
    )
    base = results[0]["f1"]
    for r in results:
        print(
            f"{r['config']:<40}{r.get('encoded_records', 0):>6}{r['precision']:>8.3f}{r['recall']:>8.3f}"
            f"{r['f1']:>8.4f}{r['f1'] - base:>+8.4f}{r['person_count_error_points']:>9.2f}{r['seconds']:>8.1f}"
            f"{r['cpu_seconds']:>7.1f}{r['peak_rss_mb']:>8.0f}"
            f"{r.get('blocking_recall', float('nan')):>7.3f}{r.get('plaintext_blocking_recall_same_pairs', float('nan')):>7.3f}"
        )
    print(f"load average at the end: {os.getloadavg()}")
    if args.json:
        args.json.write_text(
            json.dumps({"records": records.num_rows, "seed": args.seed, "results": results}, indent=1)
        )


if __name__ == "__main__":
    main()
