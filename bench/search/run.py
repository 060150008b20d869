"""The case list, its search and filters at national scale (issue 20), in-process on PostgreSQL.

    .venv/bin/python bench/search/build.py --cases 100000    # a synthetic database, ~2.5 min
    .venv/bin/python bench/search/run.py [--database-url URL] [--repeat 5]

Runs on the database `build.py` writes (the default URL), or on the response benchmark's
(`bench/response/run.py build`, then `--database-url .../varde_bench`): the persons' search keys
are computed first if the database has none (`search_keys_rebuild`: that build writes no keys). Then, for a KOM coordinator (the national list) and the caseworker whose agency
takes part in the most cases, each list variant is requested through the page (`/cases/`) and the
API (`/api/cases/`) with Django's test client: queries, wall time (best and median of `--repeat`).
The name searches use the most common given and family names of the database, so they find many.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/varde_search_bench")


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("VARDE_ENV", "development")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _users() -> tuple[Any, Any]:
    from django.db.models import Count, Q

    from varde.accounts.models import Membership, Role

    coordinator = Membership.objects.filter(role=Role.COORDINATOR).first()
    worker = (
        Membership.objects.filter(role=Role.CASEWORKER)
        .annotate(n=Count("agency__participations", filter=Q(agency__participations__state="active")))
        .order_by("-n")
        .first()
    )
    if coordinator is None or worker is None:
        raise SystemExit("the database needs a coordinator and a caseworker (build the response bench)")
    return coordinator.user, worker.user


def _common_names() -> tuple[str, str]:
    from django.db.models import Count

    from varde.persons.models import PersonName

    given = PersonName.objects.values("given").annotate(n=Count("id")).order_by("-n").first()
    family = PersonName.objects.values("family").annotate(n=Count("id")).order_by("-n").first()
    return (given or {}).get("given", "Mohamed"), (family or {}).get("family", "Okafor")


def _measure(client: Any, path: str, params: dict[str, str], repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, queries, status = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path, params)
            walls.append((time.perf_counter() - started) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    return {
        "status": status,
        "queries": queries,
        "best_ms": round(min(walls), 1),
        "median_ms": round(statistics.median(walls), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    _setup(args.database_url)

    from django.test import Client

    from tests.conftest import mark_session_verified
    from varde.cases.models import Case, PersonSearchKey
    from varde.linkage.search_keys import search_keys_rebuild

    out: dict[str, Any] = {"cases": Case.objects.count()}
    if not PersonSearchKey.objects.exists():
        started = time.perf_counter()
        out["keys_built"] = search_keys_rebuild()
        out["keys_seconds"] = round(time.perf_counter() - started, 1)
    given, family = _common_names()
    newest = Case.objects.order_by("-opened_at").values_list("reference", flat=True).first() or "V26-"
    variants: dict[str, dict[str, str]] = {
        "list": {},
        "page 3": {"page": "3", "offset": "100"},
        "search: a common given name": {"q": given},
        "search: given and family name": {"q": f"{family} {given}"},
        "search: a name's beginning": {"q": given[:3]},
        "search: a reference's beginning": {"q": newest[:6]},
        "search: a phone number": {"q": "+47 912 34 567"},
        "status closed": {"status": "closed"},
        "children, reported": {"status": "reported", "child": "true"},
        "form: begging": {"form": "begging"},
        "deadlines missed": {"clocks": "missed"},
        "sort by status": {"sort": "status"},
        "opened this year, oldest first": {
            "opened_from": f"{time.localtime().tm_year}-01-01",
            "sort": "opened",
        },
    }
    results: dict[str, Any] = {}
    for label, user in zip(("coordinator", "caseworker"), _users(), strict=True):
        client = Client()
        client.force_login(user)
        mark_session_verified(client, user)
        for name, params in variants.items():
            page_params = {k: v for k, v in params.items() if k != "offset"}
            api_params = {k: v for k, v in params.items() if k != "page"}
            results[f"{label} page: {name}"] = _measure(client, "/cases/", page_params, args.repeat)
            results[f"{label} api: {name}"] = _measure(client, "/api/cases/", api_params, args.repeat)
    out["results"] = results
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
