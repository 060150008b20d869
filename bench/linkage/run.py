"""Linkage benchmark: Varde's domain model vs a plain, generic Splink configuration vs the data's ceiling.

    python bench/linkage/run.py --records 4000
    python bench/linkage/run.py --records 100000 --no-ceiling
    python bench/linkage/run.py --records 1000000 --skip-generic --no-ceiling

Reports pairwise precision / recall / F1, the person-count error (percentage points against the
true number of persons), wall time and peak memory (RSS, sampled) for each configuration, run in
this one process on the same generated data. The ceiling is an oracle that links only pairs of one
person that share evidence and that no stranger matches at least as well in every field
(`metrics.evidence_ceiling`; definition in bench/linkage/README.md). The older, generous bound
(any shared phone, document or name sound) is reported beside it.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.linkage.metrics import Scores, evidence_ceiling, linkable_truth, pairwise_scores  # noqa: E402
from varde.linkage.io import read_records_table  # noqa: E402
from varde.linkage.pipeline import TRAIN_SAMPLE, link_records  # noqa: E402


@contextmanager
def measured() -> Iterator[dict[str, float]]:
    """Wall time and peak RSS (sampled every 20 ms) of the block."""
    gc.collect()
    proc = psutil.Process()
    out: dict[str, float] = {"peak_rss_mb": proc.memory_info().rss / 2**20}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            out["peak_rss_mb"] = max(out["peak_rss_mb"], proc.memory_info().rss / 2**20)
            stop.wait(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    started = time.perf_counter()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - started
        stop.set()
        thread.join()


def generic_splink(records: pa.Table) -> dict[str, str]:
    """A plain Splink configuration as a newcomer would write it: raw columns, Jaro-Winkler on names,
    exact/Levenshtein on the birth date, default-looking blocking, connected components at 0.5 (the
    link threshold Varde used until it moved to 0.4; at Splink's customary 0.95 it links nothing on 100k records, where
    its deterministic-rule prior comes out ~1e-6 and no pair reaches 0.95)."""
    import duckdb
    import pyarrow.compute as pc
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def text(name: str, lower: bool = False) -> pa.Array:
        column = records.column(name)
        column = pc.utf8_lower(column) if lower else column
        return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)

    table = pa.table(
        {
            "unique_id": pa.array(range(records.num_rows), pa.int64()),
            "given_name": text("given_name", lower=True),
            "family_name": text("family_name", lower=True),
            "date_of_birth": text("date_of_birth"),
            "sex": text("sex"),
            "nationality": text("nationality"),
        }
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("family_name", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("date_of_birth"),
            block_on("family_name", "substr(given_name, 1, 1)"),
        ],
    )
    con = duckdb.connect(":memory:")
    con.execute("SET memory_limit = '3GB'")
    api = DuckDBAPI(connection=con)
    linker = Linker(api.register(table), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    result = clusters.as_pyarrow_table()
    ids = result.column("unique_id").to_pylist()
    labels = result.column("cluster_id").to_pylist()
    con.close()
    label_of = dict(zip(ids, labels, strict=True))
    record_ids = records.column("record_id").to_pylist()
    return {rid: f"G{label_of[i]}" for i, rid in enumerate(record_ids)}


def _read_truth(path: Path) -> dict[str, tuple[int, int]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["record_id"]: (int(r["person"]), int(r["identity"])) for r in csv.DictReader(fh)}


def line(name: str, s: Scores, m: dict[str, float] | None) -> dict[str, Any]:
    row = {
        "config": name,
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "persons_true": s.persons_true,
        "persons_found": s.persons_found,
        "person_count_error_points": round(s.count_error_points, 2),
    }
    if m:
        row.update(
            {
                "seconds": round(m["seconds"], 2),
                "cpu_seconds": round(m.get("cpu_seconds", float("nan")), 2),
                "peak_rss_mb": round(m["peak_rss_mb"]),
                "loadavg_after": os.getloadavg()[0],
            }
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-generic", action="store_true")
    parser.add_argument(
        "--train-sample",
        type=int,
        default=TRAIN_SAMPLE,
        help="train on an evenly spread sample of N records (inside the timed run; 0: all)",
    )
    parser.add_argument("--no-ceiling", action="store_true", help="skip the evidence ceiling (slow at 1M)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()

    # The data is generated by a separate process and written to CSV, so that this process never
    # holds it as Python objects: the peak RSS measured is what linking needs (the Arrow table of the
    # records read from the CSV, DuckDB, the results), not the generator's rows.
    workdir = Path(tempfile.mkdtemp(prefix="varde-bench-"))
    records_csv, truth_csv = workdir / "records.csv", workdir / "truth.csv"
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("generate.py")),
            "--records",
            str(args.records),
            "--seed",
            str(args.seed),
            "--out",
            str(records_csv),
            "--truth",
            str(truth_csv),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results: list[dict[str, Any]] = []

    steps: list[tuple[str, float]] = []
    started = time.perf_counter()
    step: Callable[[str], None] = lambda s: steps.append((s, time.perf_counter() - started))  # noqa: E731
    cpu_before = psutil.Process().cpu_times()
    with measured() as m_ours:
        step("read")
        records = read_records_table(records_csv)  # as `varde link` reads its input
        ours = link_records(records, train_sample=args.train_sample, progress=step)
    cpu_after = psutil.Process().cpu_times()
    m_ours["cpu_seconds"] = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    truth = _read_truth(truth_csv)
    true_person = {k: v[0] for k, v in truth.items()}
    results.append(line("varde (domain model)", pairwise_scores(ours.person_key, true_person), m_ours))
    print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    counts = ours.counts
    del ours

    if not args.skip_generic:
        cpu_before = psutil.Process().cpu_times()
        with measured() as m_generic:
            generic = generic_splink(records)
        cpu_after = psutil.Process().cpu_times()
        m_generic["cpu_seconds"] = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        results.append(line("generic splink", pairwise_scores(generic, true_person), m_generic))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        del generic

    rows = records.to_pylist()  # the bounds below are written for plain rows
    del records
    if not args.no_ceiling:
        ceiling = pairwise_scores(evidence_ceiling(rows, truth), true_person)
        results.append(line("ceiling (evidence oracle)", ceiling, None))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    generous = pairwise_scores(linkable_truth(rows, truth), true_person)
    results.append(line("any-shared-evidence bound", generous, None))
    print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"records={len(rows)} persons={len(set(true_person.values()))}")
    print(
        f"{'config':<28}{'P':>8}{'R':>8}{'F1':>8}{'persons':>9}{'err pts':>9}{'time s':>8}{'cpu s':>8}{'RSS MB':>8}"
    )
    for r in results:
        print(
            f"{r['config']:<28}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}{r['persons_found']:>9}"
            f"{r['person_count_error_points']:>9.2f}{r.get('seconds', float('nan')):>8.1f}"
            f"{r.get('cpu_seconds', float('nan')):>8.1f}"
            f"{r.get('peak_rss_mb', float('nan')):>8.0f}"
        )
    print("steps (s since start): " + ", ".join(f"{s}={t:.1f}" for s, t in steps))
    print(f"load average at the end: {os.getloadavg()}")
    if args.json:
        args.json.write_text(
            json.dumps({"records": len(rows), "results": results, "steps": steps, "counts": counts}, indent=1)
        )


if __name__ == "__main__":
    main()
