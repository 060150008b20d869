"""`varde measures list` and the portfolio commands for scripts."""

from __future__ import annotations

import json

import pytest

from varde.coordination import measures as svc
from varde.coordination.models import Measure, Ministry

pytestmark = pytest.mark.django_db


def test_measures_list_gives_every_measure_with_chapter_ministries_and_status(
    varde, ministry_users, personas
):
    measure = Measure.objects.get(plan__code="2011-2014", number=31)
    report = svc.status_report_save(
        actor=ministry_users.jd, measure=measure, ministry=Ministry.objects.get(code="jd"), year=2012,
        status="completed", done="Liaison officers in place.",
    )  # fmt: skip
    report = svc.status_report_submit(actor=ministry_users.jd, report=report, version=report.version)
    svc.status_report_approve(actor=personas.coordinator, report=report, version=report.version)

    result = varde("measures", "list", "--plan", "2011-2014", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert len(rows) == 35 and set(rows[0]) >= {"number", "chapter", "ministries", "status"}
    row = rows[30]
    assert (row["number"], row["chapter"], row["ministries"], row["status"]) == (
        31,
        9,
        ["jd", "ud"],
        "completed",
    )
    assert rows[0]["status"] is None and rows[15]["ministries"] == ["bld", "jd", "fad", "hod"]

    as_ministry = varde("measures", "list", "--plan", "2006-2009", "--json", "--user", "ud.writer")
    assert as_ministry.code == 0 and len(json.loads(as_ministry.out)) == 37
    assert varde("measures", "list", "--plan", "2011-2014", "--user", "police").code == 2
    assert varde("measures", "list", "--plan", "1999-2000").code == 2


def test_portfolio_import_names_the_bad_row_and_refuses_without_a_coordinator(varde, personas, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "agreement,agreement_title,partner,channel,country,region,section,objective,project,project_title,"
        "start,end,measures,2007\n"
        "A-1,T,IOM,iom,Kenya,africa,Embassy,main,P-1,T,2007-01-01,2007-12-31,,100000\n"
        "A-2,T,IOM,iom,Kenya,mars,Embassy,main,P-2,T,2007-01-01,2007-12-31,,100000\n",
        encoding="utf-8",
    )
    result = varde("portfolio", "import", str(path), "--user", "coordinator")
    assert result.code == 2 and "row 3, region" in result.err
    assert varde("portfolio", "import", str(path), "--user", "police").code == 2
    good = tmp_path / "good.csv"
    good.write_text(path.read_text().splitlines()[0] + "\n" + path.read_text().splitlines()[1] + "\n")
    assert varde("portfolio", "import", str(good), "--user", "coordinator").code == 0
    out = tmp_path / "out.xlsx"
    assert varde("portfolio", "export", "--out", str(out)).code == 0 and out.stat().st_size > 0
