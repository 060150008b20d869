"""The national figures at 100,000 cases (issue #22, "Speed of the figures"), on the response
benchmark's PostgreSQL database (build it first: bench/response/run.py build --cases 100000).

    .venv/bin/python bench/statistics/run.py [--database-url URL] [--repeat 3] [--link]

--link first runs the linkage over every referral as KOM's coordinator (as `varde demo` does), so the
extract reads real clusters; without it the cases never linked each count as a person of their own.
Measures (best of --repeat; in-process, one client): the pseudonymised extract, `varde stats --year`
(figures for a year), the statistics index, a year's report page cold (first after a change of data)
and warm (cached), the report's PDF, and that a write invalidates the cache. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.response.run import DEFAULT_URL, _sessions, _setup  # noqa: E402


def _best(repeat: int, fn: Any) -> tuple[float, Any]:
    walls, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t)
    return round(min(walls), 3), result


def _link() -> dict[str, Any]:
    from varde.accounts.models import User
    from varde.linkage.services import linkage_run

    coordinator = User.objects.get(username="kom.coordinator")
    t = time.perf_counter()
    run = linkage_run(actor=coordinator)
    return {"linkage_run_s": round(time.perf_counter() - t, 1), "counts": run.counts}


def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def _measure(repeat: int) -> dict[str, Any]:
    from django.test import Client

    from varde.access.statistics import statistics_get_for_user
    from varde.cases.models import Case
    from varde.core import clock
    from varde.statistics.extract import pseudonymised_extract
    from varde.statistics.report import report_years

    year = clock.today().year - 1
    out: dict[str, Any] = {"cases": Case.objects.count(), "year": year}
    out["extract_s"], rows = _best(repeat, pseudonymised_extract)
    out["persons_in_extract"] = len(rows)
    out["figures_for_a_year_s"], data = _best(
        repeat, lambda: statistics_get_for_user(user=None, year=year, published=False, extended=True)
    )
    out["persons_followed_in_year"] = data["persons"]
    out["index_years_s"], years = _best(repeat, report_years)
    out["years"] = [years[0], years[-1]] if years else []

    cookies = _sessions()
    client = Client()
    client.cookies.load(cookies["coordinator"])
    pages = {
        "statistics index": "/statistics/",
        "report page": f"/statistics/{year}/",
        "report PDF": f"/statistics/{year}/report.pdf",
    }
    for name, path in pages.items():
        cold = []
        for _ in range(repeat):
            _clear_cache()
            t = time.perf_counter()
            response = client.get(path)
            cold.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
        warm = []
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get(path)
            warm.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
        out[name] = {"cold_s": round(min(cold), 3), "warm_s": round(min(warm), 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--link", action="store_true", help="run the linkage over every referral first")
    args = parser.parse_args()
    _setup(args.database_url)
    result: dict[str, Any] = {}
    if args.link:
        result["linkage"] = _link()
    result.update(_measure(args.repeat))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
