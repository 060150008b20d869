"""Linkage benchmark: Varde's domain model vs a plain, generic Splink configuration vs the data's ceiling.

    python bench/linkage/run.py --records 4000
    python bench/linkage/run.py --records 100000 --skip-generic
    python bench/linkage/run.py --records 1000000 --train-sample 100000

Reports pairwise precision / recall / F1, the person-count error (percentage points against the
true number of persons), wall time and peak memory (RSS, sampled) for each configuration, run in
this one process on the same generated data. The ceiling is what the records' evidence allows at
all: ground truth restricted to records that share a phone, a document or a similar name with the
rest of their person (a false identity that shares nothing cannot be linked by anyone).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.linkage.generate import generate  # noqa: E402
from bench.linkage.metrics import Scores, linkable_truth, pairwise_scores  # noqa: E402
from varde.linkage.pipeline import link_records  # noqa: E402


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


def generic_splink(rows: list[dict[str, str]]) -> dict[str, str]:
    """A plain Splink configuration as a newcomer would write it: raw columns, Jaro-Winkler on names,
    exact/Levenshtein on the birth date, default-looking blocking, connected components at 0.95."""
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    table = pa.table({
        "unique_id": list(range(len(rows))),
        "given_name": [r["given_name"].lower() or None for r in rows],
        "family_name": [r["family_name"].lower() or None for r in rows],
        "date_of_birth": [r["date_of_birth"] or None for r in rows],
        "sex": [r["sex"] or None for r in rows],
        "nationality": [r["nationality"] or None for r in rows],
    })
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
    api = DuckDBAPI(connection=con)
    linker = Linker(api.register(table), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    result = clusters.as_pyarrow_table()
    ids = result.column("unique_id").to_pylist()
    labels = result.column("cluster_id").to_pylist()
    con.close()
    label_of = dict(zip(ids, labels, strict=True))
    return {r["record_id"]: f"G{label_of[i]}" for i, r in enumerate(rows)}


def line(name: str, s: Scores, m: dict[str, float] | None) -> dict[str, Any]:
    row = {"config": name, "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
           "persons_true": s.persons_true, "persons_found": s.persons_found,
           "person_count_error_points": round(s.count_error_points, 2)}
    if m:
        row.update({"seconds": round(m["seconds"], 2), "peak_rss_mb": round(m["peak_rss_mb"])})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-generic", action="store_true")
    parser.add_argument("--train-sample", type=int, default=0,
                        help="train on the first N records (timed separately), then link all with that model")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()

    rows, truth = generate(args.records, args.seed)
    true_person = {k: v[0] for k, v in truth.items()}
    results: list[dict[str, Any]] = []

    params = None
    if args.train_sample:
        with measured() as m_train:
            params = link_records(rows[: args.train_sample]).params
        print(f"training on {args.train_sample} records: {m_train['seconds']:.1f} s, "
              f"peak {m_train['peak_rss_mb']:.0f} MB", file=sys.stderr)

    steps: list[tuple[str, float]] = []
    started = time.perf_counter()
    step: Callable[[str], None] = lambda s: steps.append((s, time.perf_counter() - started))  # noqa: E731
    with measured() as m_ours:
        ours = link_records(rows, params=params, progress=step)
    results.append(line("varde (domain model)", pairwise_scores(ours.person_key, true_person), m_ours))

    if not args.skip_generic:
        with measured() as m_generic:
            generic = generic_splink(rows)
        results.append(line("generic splink", pairwise_scores(generic, true_person), m_generic))

    ceiling = pairwise_scores(linkable_truth(rows, truth), true_person)
    results.append(line("ceiling (linkable truth)", ceiling, None))

    print(f"records={len(rows)} persons={len(set(true_person.values()))}")
    print(f"{'config':<26}{'P':>8}{'R':>8}{'F1':>8}{'persons':>9}{'err pts':>9}{'time s':>8}{'RSS MB':>8}")
    for r in results:
        print(f"{r['config']:<26}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}{r['persons_found']:>9}"
              f"{r['person_count_error_points']:>9.2f}{r.get('seconds', float('nan')):>8.1f}"
              f"{r.get('peak_rss_mb', float('nan')):>8.0f}")
    print("steps (s since start): " + ", ".join(f"{s}={t:.1f}" for s, t in steps))
    if args.json:
        args.json.write_text(json.dumps({"records": len(rows), "results": results, "steps": steps,
                                         "counts": ours.counts}, indent=1))


if __name__ == "__main__":
    main()
