"""Hidden-numbers benchmark: Varde's multiple systems estimate (varde/statistics/hidden.py) on
simulated populations whose size is known.

Each scenario draws a population of N persons, gives each person a capture probability for each of
the six lists (police, child welfare, immigration, health, NGOs and shelters, others) that depends on
the kind of victim (child, adult in sexual exploitation, adult in forced labour), optionally on an
unobserved individual "visibility" and on being on another list (child welfare reports children to
the police; NGOs help adults apply for a reflection period at UDI), draws who each list meets, and
hands the capture table to `estimate_hidden` exactly as `varde stats hidden` does. Nothing about the
truth reaches the estimator. Over R populations per scenario it reports how often Varde refused (and
why), and over the estimates it gave: relative bias, the share of 95 % intervals that cover the true
N, and the interval's width.

    .venv/bin/python bench/hidden/run.py                   # 200 populations per scenario, AIC and BIC
    .venv/bin/python bench/hidden/run.py --reps 20         # a quick look
    .venv/bin/python bench/hidden/run.py --scenarios kom,kom_small --criteria aic --json /tmp/h.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from varde.statistics.hidden import (  # noqa: E402
    MAX_RELATIVE_WIDTH,
    SELECTIONS,
    CaptureTable,
    estimate_hidden,
)

LISTS = ("police", "child_welfare", "immigration", "health", "ngo_shelter", "other")
GROUPS = ("child", "adult_sexual", "adult_labour")
SHARES = np.array([0.25, 0.40, 0.35])
# Yearly probability that each list meets a person of each group (rows: GROUPS, columns: LISTS).
P = np.array(
    [
        [0.20, 0.30, 0.12, 0.04, 0.05, 0.04],  # children: child welfare and police
        [0.12, 0.01, 0.15, 0.05, 0.25, 0.04],  # adults, sexual exploitation: NGOs, UDI, police
        [0.10, 0.005, 0.08, 0.03, 0.06, 0.15],  # adults, forced labour: labour inspection, police
    ]
)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    n: int
    groups: bool = True  # capture depends on the kind of victim (else everyone has the average)
    dependence: bool = False  # child welfare -> police for children, NGO -> UDI for adults
    frailty: float = 0.0  # sd of an unobserved log-normal visibility multiplying every probability
    scale: float = 1.0  # multiplies every probability
    active: tuple[str, ...] = LISTS  # lists that meet anyone at all
    disjoint: bool = False  # each list except police and child welfare meets its own part only
    expect_refusal: bool = False


SCENARIOS = (
    Scenario("independent", "one kind of victim, lists independent", 1000, groups=False),
    Scenario("groups", "three kinds of victim with different agencies", 1000),
    Scenario("kom", "kinds of victim + referral chains (CW->police, NGO->UDI)", 1000, dependence=True),
    Scenario("kom_small", "as kom, a small year", 600, dependence=True),
    Scenario("kom_large", "as kom, a large country", 10_000, dependence=True),
    Scenario("kom_frailty", "as kom + unobserved visibility (sd 0.5)", 1000, dependence=True, frailty=0.5),
    Scenario(
        "kom_frailty_strong",
        "as kom + strong unobserved visibility (sd 1.0)",
        1000,
        dependence=True,
        frailty=1.0,
    ),
    Scenario(
        "two_lists",
        "only the police and NGOs report",
        1000,
        dependence=True,
        active=("police", "ngo_shelter"),
        expect_refusal=True,
    ),
    Scenario(
        "one_pair",
        "overlap only between police and child welfare",
        1000,
        dependence=True,
        disjoint=True,
        expect_refusal=True,
    ),
    Scenario("sparse", "a tiny year (about 70 observed)", 150, dependence=True, expect_refusal=True),
    Scenario(
        "faint",
        "lists that rarely meet the same person (a fifth of kom's rates)",
        1000,
        dependence=True,
        scale=0.2,
        expect_refusal=True,
    ),
)


def simulate(s: Scenario, rng: np.random.Generator) -> CaptureTable:
    """One population's capture table (vectorised over persons)."""
    k = len(LISTS)
    group = rng.choice(len(GROUPS), size=s.n, p=SHARES)
    probs = P[group] if s.groups else np.broadcast_to(SHARES @ P, (s.n, k)).copy()
    probs = probs * s.scale
    if s.frailty:
        visibility = np.exp(s.frailty * rng.standard_normal(s.n) - s.frailty**2 / 2)
        probs = probs * visibility[:, None]
    for name in LISTS:
        if name not in s.active:
            probs[:, LISTS.index(name)] = 0.0
    probs = np.clip(probs, 0.0, 0.95)
    caught = rng.random((s.n, k)) < probs
    if s.dependence:
        police, cw, imm, ngo = (
            LISTS.index(n) for n in ("police", "child_welfare", "immigration", "ngo_shelter")
        )
        u = rng.random(s.n)
        child = group == 0
        # child welfare reports most children it meets to the police
        caught[:, police] |= child & caught[:, cw] & (u < 0.5) & (probs[:, police] > 0)
        # NGOs help adults they meet apply for a reflection period (UDI)
        caught[:, imm] |= ~child & caught[:, ngo] & (u > 0.7) & (probs[:, imm] > 0)
    if s.disjoint:
        # every list but police and child welfare meets only its own share of the population
        segment = rng.integers(0, k, size=s.n)
        for j, name in enumerate(LISTS):
            if name not in ("police", "child_welfare"):
                caught[:, j] &= segment == j
        pair = caught[:, LISTS.index("police")] | caught[:, LISTS.index("child_welfare")]
        others = caught[:, [j for j, n in enumerate(LISTS) if n not in ("police", "child_welfare")]].any(
            axis=1
        )
        caught[pair & others] = caught[pair & others] & np.isin(np.arange(k), [0, 1])[None, :]
    bits = caught.astype(np.int64) @ (1 << np.arange(k))
    counts = np.bincount(bits, minlength=2**k)
    counts[0] = 0
    return CaptureTable(lists=LISTS, counts=tuple(int(c) for c in counts))


@dataclass
class Tally:
    n_true: int
    estimates: list[float] = field(default_factory=list)
    lows: list[float] = field(default_factory=list)
    highs: list[float] = field(default_factory=list)
    observed: list[int] = field(default_factory=list)
    interactions: list[int] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    runs: int = 0

    def summary(self) -> dict[str, object]:
        est = np.array(self.estimates)
        lo, hi = np.array(self.lows), np.array(self.highs)
        n = self.n_true
        given = len(est)
        row: dict[str, object] = {
            "runs": self.runs,
            "mean_observed": round(float(np.mean(self.observed)), 1),
            "refused": round(1 - given / self.runs, 3),
            "refusals": dict(self.refusals),
            "seconds_per_estimate": round(self.seconds / self.runs, 3),
        }
        if given:
            row |= {
                "estimates": given,
                "rel_bias": round(float(np.mean(est / n - 1)), 4),
                "rel_median_error": round(float(np.median(est / n - 1)), 4),
                "rel_rmse": round(float(np.sqrt(np.mean((est / n - 1) ** 2))), 4),
                "coverage": round(float(np.mean((lo <= n) & (n <= hi))), 3),
                "below": round(float(np.mean(hi < n)), 3),  # interval wholly under the truth
                "rel_width": round(float(np.mean((hi - lo) / n)), 3),
                "mean_interactions": round(float(np.mean(self.interactions)), 2),
            }
        return row


def run(
    scenarios: Sequence[Scenario], reps: int, criteria: Sequence[str], seed: int, max_width: float
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for s in scenarios:
        rng = np.random.default_rng([seed, SCENARIOS.index(s)])
        tallies = {c: Tally(n_true=s.n) for c in criteria}
        for _ in range(reps):
            table = simulate(s, rng)
            for c in criteria:
                tally = tallies[c]
                t0 = time.perf_counter()
                result = estimate_hidden(table, selection=c, max_relative_width=max_width)
                tally.seconds += time.perf_counter() - t0
                tally.runs += 1
                tally.observed.append(table.observed)
                if result.refused or result.estimate is None or result.interval is None:
                    tally.refusals[str(result.refusal)] += 1
                else:
                    tally.estimates.append(result.estimate)
                    tally.lows.append(result.interval[0])
                    tally.highs.append(result.interval[1])
                    tally.interactions.append(len(result.interactions))
        for c in criteria:
            row = {"scenario": s.name, "selection": c, "N": s.n, "description": s.description}
            row |= tallies[c].summary()
            print(json.dumps(row), file=sys.stderr, flush=True)
            rows.append(row)
    return rows


def markdown(rows: Sequence[dict[str, object]]) -> str:
    head = (
        "| scenario | model | N | observed | refused | estimates | rel. bias | coverage | "
        "interval under N | rel. width | interactions |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:

        def pct(key: str, row: dict[str, object] = r) -> str:
            value = row.get(key)
            return "–" if value is None else f"{100 * float(value):.1f} %"  # type: ignore[arg-type]

        refusals = ", ".join(f"{k} {v}" for k, v in sorted(dict(r["refusals"]).items()))  # type: ignore[call-overload]
        lines.append(
            f"| {r['scenario']} | {str(r['selection']).upper()} | {r['N']} | {r['mean_observed']} | "
            f"{pct('refused')}{f' ({refusals})' if refusals else ''} | {r.get('estimates', 0)} | "
            f"{pct('rel_bias')} | {pct('coverage')} | {pct('below')} | {pct('rel_width')} | "
            f"{r.get('mean_interactions', '–')} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=200, help="populations per scenario (default 200)")
    parser.add_argument(
        "--selections", default=",".join(SELECTIONS), help="all,aic,bic (default: the three side by side)"
    )
    parser.add_argument(
        "--max-width",
        type=float,
        default=MAX_RELATIVE_WIDTH,
        help=f"refuse intervals wider than this times the estimate (Varde's default {MAX_RELATIVE_WIDTH:g})",
    )
    parser.add_argument("--scenarios", default="", help="comma-separated names (default all)")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    wanted = [n for n in args.scenarios.split(",") if n]
    scenarios = [s for s in SCENARIOS if not wanted or s.name in wanted]
    criteria = [c for c in args.selections.split(",") if c]
    started = time.perf_counter()
    rows = run(scenarios, args.reps, criteria, args.seed, args.max_width)
    print(markdown(rows))
    print(
        f"\n{len(scenarios)} scenarios x {args.reps} populations x {len(criteria)} selections "
        f"in {math.ceil(time.perf_counter() - started)} s"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
