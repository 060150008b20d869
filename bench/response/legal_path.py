"""The legal path at 100,000 cases (issue #16): the case's response page, the API lists and the
statistics extract, on the response benchmark's database (build it first with run.py build).

    .venv/bin/python bench/response/legal_path.py [--database-url URL] [--repeat 5] [--persons 2000]

It gives `--persons` of the bench's open cases (the police investigator's agency first) a legal path
through the services — a reflection period, a temporary permit applied for and rejected, cooperation
with the police, a voluntary return with its first follow-up — unless the database already has them,
then measures (best of `--repeat`, in-process): queries, wall, Python CPU and SQL time of the pages,
and the time of `pseudonymised_extract` + `national_figures` with the new figures. Prints JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.response.run import DEFAULT_URL, _sessions, _setup  # noqa: E402


def _give_paths(persons: int) -> int:
    from varde.accounts.models import User
    from varde.cases.models import Case, CaseParticipation, CaseStatus
    from varde.core import clock
    from varde.response.legal_status import legal_status_record, police_cooperation_record
    from varde.response.models import LegalStatus
    from varde.response.returns import follow_up_record, voluntary_return_record

    have = LegalStatus.objects.filter(kind="temporary_permit_rejected").count()
    if have >= persons:
        return have
    police = User.objects.get(username="police.investigator")
    agency = police.memberships.first().agency  # type: ignore[union-attr]
    ids = CaseParticipation.objects.filter(agency=agency, state="active").values_list("case_id", flat=True)
    today = clock.today()
    cases = Case.objects.filter(pk__in=ids, is_child=False).exclude(status=CaseStatus.CLOSED)
    cases = cases.exclude(legal_statuses__kind="temporary_permit_rejected")[: persons - have]
    for case in cases:
        Case.objects.filter(pk=case.pk).update(opened_at=clock.now() - dt.timedelta(days=400))
        case.refresh_from_db()
        start = today - dt.timedelta(days=390)

        def put(kind: str, day: dt.date, c: Case = case, **kw: Any) -> None:
            legal_status_record(actor=police, case=c, kind=kind, from_date=day, **kw)

        put("reflection_applied", start)
        put("reflection_granted", start + dt.timedelta(days=7))
        police_cooperation_record(
            actor=police, case=case, state="considering", on_date=start + dt.timedelta(days=8)
        )
        put("temporary_permit_applied", start + dt.timedelta(days=180))
        put("temporary_permit_rejected", start + dt.timedelta(days=200), reason="bench")
        ret = voluntary_return_record(
            actor=police, case=case, returned_on=start + dt.timedelta(days=220), country="NG"
        )
        follow_up_record(
            actor=police, ret=ret, stage=3, on_date=start + dt.timedelta(days=312), outcome="reached"
        )
    return LegalStatus.objects.filter(kind="temporary_permit_rejected").count()


def _measure(repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from varde.cases.models import Case
    from varde.core import clock
    from varde.statistics.extract import pseudonymised_extract
    from varde.statistics.figures import as_json, national_figures

    case = Case.objects.filter(legal_statuses__kind="temporary_permit_rejected").order_by("reference").first()
    assert case is not None
    cookies = _sessions()
    client = Client()
    client.cookies.load(cookies["police"])
    pages = {
        "response page": f"/cases/{case.pk}/response/",
        "API legal status": f"/api/cases/{case.pk}/legal-status/",
        "API returns": f"/api/cases/{case.pk}/returns/",
        "API police cooperation": f"/api/cases/{case.pk}/police-cooperation/",
    }
    out: dict[str, Any] = {}
    for name, path in pages.items():
        client.get(path)
        walls, cpus, sqls, queries = [], [], [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                response = client.get(path)
                cpus.append((time.process_time() - c) * 1000)
                walls.append((time.perf_counter() - t) * 1000)
            sqls.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            queries = len(ctx.captured_queries)
            assert response.status_code == 200, (path, response.status_code)
        out[name] = {
            "queries": queries,
            "wall_ms": round(min(walls), 1),
            "python_cpu_ms": round(min(cpus), 1),
            "sql_ms": round(min(sqls), 1),
        }
    walls = []
    for _ in range(max(1, repeat // 2)):
        t = time.perf_counter()
        rows = pseudonymised_extract()
        figures = as_json(national_figures(rows, clock.today().year), extended=True)
        walls.append(time.perf_counter() - t)
    out["statistics extract + figures (s)"] = round(min(walls), 2)
    out["figures"] = {
        key: figures[key]
        for key in (
            "persons",
            "temporary_permit",
            "voluntary_returns",
            "police_cooperation",
            "reintegration_follow_up",
        )
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--persons", type=int, default=2000)
    args = parser.parse_args()
    _setup(args.database_url)
    t = time.perf_counter()
    paths = _give_paths(args.persons)
    given = round(time.perf_counter() - t, 1)
    result = {"cases_with_a_legal_path": paths, "seconds_to_record": given, **_measure(args.repeat)}
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
