"""Figures on criminal cases: the counting rules (pure, over rows), disclosure control for persons,
`varde stats prosecution` (its JSON, who may ask, the audit), and the demo's 2003-2008 truth."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.factories import make_user, report
from tests.prosecution.conftest import open_case, to_final
from varde.accounts.models import Agency, AgencyKind, Role
from varde.audit.models import AuditEvent
from varde.cli import main
from varde.prosecution import services as s
from varde.prosecution.figures import CaseRow, PersonRow, prosecution_figures, publish

D = dt.date


def _row(i: int, stages, form="sexual", district="oslo", nok=0) -> CaseRow:
    return CaseRow(str(i), district, form, "trafficking", nok, tuple(stages))


def test_counting_rules_over_rows():
    appealed = _row(
        1,
        [
            ("investigation_opened", D(2019, 3, 1), ""),
            ("charged", D(2019, 9, 1), ""),
            ("trial", D(2019, 11, 1), ""),
            ("verdict", D(2019, 12, 1), "acquitted"),
            ("appeal", D(2019, 12, 10), ""),
            ("trial", D(2020, 4, 1), ""),
            ("verdict", D(2020, 5, 1), "convicted_trafficking"),
            ("final_judgement", D(2020, 6, 1), ""),
        ],
        nok=100,
    )
    dropped = _row(
        2,
        [
            ("reported", D(2020, 1, 1), ""),
            ("investigation_opened", D(2020, 1, 5), ""),
            ("dropped", D(2020, 8, 1), ""),
        ],
    )
    pending = _row(
        3,
        [("investigation_opened", D(2020, 2, 1), ""), ("charged", D(2020, 10, 1), "")],
        form="",
        district="vest",
    )
    persons = [
        PersonRow("p1", "1", "convicted_trafficking"),
        PersonRow("p2", "1", "acquitted"),
        PersonRow("p1", "3", ""),
    ]
    f = prosecution_figures([appealed, dropped, pending], persons, 2019, 2020)
    assert (f["investigations"], f["dropped"], f["charged"], f["trials"]) == (3, 1, 2, 1)
    # the appealed case counts once, in 2020 when it became final, with the appeal's outcome
    assert f["verdicts"] == {"convicted_trafficking": 1, "convicted_other": 0, "acquitted": 0}
    assert f["by_year"]["2019"]["verdicts"]["acquitted"] == 0 and f["by_year"]["2020"]["convictions"] == 1
    assert (
        f["by_exploitation"] == {"sexual": 1} and f["persons_convicted"] == 1 and f["confiscated_nok"] == 100
    )
    assert f["in_court"] == 1 and f["by_year"]["2019"]["in_court"] == 1
    assert (
        set(f["by_police_district"]) == {"oslo", "vest"} and f["by_police_district"]["vest"]["in_court"] == 1
    )


def test_persons_convicted_are_suppressed_when_published_case_counts_are_not():
    rows = [
        _row(i, [("investigation_opened", D(2020, 1, 1), ""), ("charged", D(2020, 2, 1), ""), ("trial", D(2020, 3, 1), ""),
                 ("verdict", D(2020, 4, 1), "convicted_trafficking"), ("final_judgement", D(2020 + i % 2, 5, 1), "")],
             district="oslo" if i < 3 else "vest")
        for i in range(4)
    ]  # fmt: skip
    persons = [PersonRow(f"p{i}", str(i), "convicted_trafficking") for i in range(4)]
    f = prosecution_figures(rows, persons, 2020, 2021)
    out = publish(f, 3)
    assert out["persons_convicted"] == 4 and out["convictions"] == 4
    # 2 in each year: below 3, both suppressed (a pair, so neither follows from the total)
    assert [out["by_year"][y]["persons_convicted"] for y in ("2020", "2021")] == [None, None]
    assert out["by_year"]["2020"]["convictions"] == 2  # case counts stay
    # 3 and 1 add up to the published 4: the 1 is suppressed, and so the 3 as well
    assert out["by_police_district"]["oslo"]["persons_convicted"] is None
    assert out["by_police_district"]["vest"]["persons_convicted"] is None
    assert publish(prosecution_figures(rows[:1], persons[:1], 2020, 2021), 10)["persons_convicted"] is None


@pytest.mark.django_db
def test_varde_stats_prosecution(capsys, personas):
    case = to_final(personas.police, open_case(personas.police, opened_on=D(2025, 4, 1)), year=2025)
    s.criminal_case_update(
        actor=personas.police, criminal_case=case, version=case.version, police_case_number="",
        exploitation_form="sexual", confiscated_nok=50_000, notes="",
    )  # fmt: skip
    capsys.readouterr()
    assert main(["stats", "prosecution", "--from", "2025", "--to", "2025", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdicts"] == {"convicted_trafficking": 1, "convicted_other": 0, "acquitted": 0}
    assert data["investigations"] == 1 and data["charged"] == 1 and data["confiscated_nok"] == 50_000
    assert data["by_exploitation"] == {"sexual": 1} and data["persons_convicted"] == 0
    event = AuditEvent.objects.filter(object_type="prosecution.figures").latest("seq")
    assert event.action == "export" and event.detail["from"] == 2025
    # analysts get published figures; police may not ask; --year still works as before
    assert (
        main(["stats", "prosecution", "--from", "2025", "--to", "2025", "--json", "--user", "analyst"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["published"] is True
    assert main(["stats", "prosecution", "--from", "2025", "--to", "2025", "--user", "police"]) == 2
    assert "coordinators and analysts" in capsys.readouterr().err
    assert main(["stats", "prosecution", "--from", "2026", "--to", "2025"]) == 2
    assert main(["stats", "--year", "2025", "--json"]) == 0 and '"persons"' in capsys.readouterr().out
    assert main(["stats", "--json"]) == 2


@pytest.mark.django_db
def test_the_demo_gives_seed_000s_verdicts(capsys):
    """The nine verdicts of 2003-2008 and the two cases in court (seed 000), through the services:
    9 convictions, 8 for sexual exploitation and 1 for forced labour (seed 001), 2 in court in 2008."""
    from varde.demo.prosecution import load_prosecution

    agencies = {
        code: Agency.objects.create(code=code, name=code, kind=kind, municipality=m)
        for code, kind, m in (
            ("oslo-pd-stop", AgencyKind.POLICE_DISTRICT, "0301"),
            ("kripos", AgencyKind.POLICE_NATIONAL, "0301"),  # a national unit, as in the demo
            ("vest-pd-exit", AgencyKind.POLICE_DISTRICT, "4601"),
        )
    }
    workers = {code: make_user(code, a, Role.CASEWORKER) for code, a in agencies.items()}
    bulgarian = report(
        workers["oslo-pd-stop"], agencies["oslo-pd-stop"], given="Demo", family="Victim", child=False,
        nationalities=["BG"], referral_date=D(2009, 3, 2), date_of_birth=D(1985, 1, 1),
    )  # fmt: skip
    assert load_prosecution(workers=workers) == 11
    capsys.readouterr()
    assert main(["stats", "prosecution", "--from", "2003", "--to", "2008", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["convictions"] == 9
    assert data["verdicts"] == {"convicted_trafficking": 7, "convicted_other": 2, "acquitted": 0}
    assert data["by_exploitation"] == {"forced_labour": 1, "sexual": 8}
    assert data["in_court"] == 2 and data["by_year"]["2008"]["in_court"] == 2
    assert data["by_year"]["2006"]["convictions"] == 4 and data["persons_convicted"] == 3
    assert set(data["by_police_district"]) == {"oslo", "trondelag", "sor-vest", "vest"}
    from varde.prosecution.models import VictimLink

    assert list(VictimLink.objects.values_list("case_id", "role")) == [(bulgarian.pk, "aggrieved_party")]


def test_perpetrator_roles_map_to_htcds_values():
    import csv
    from pathlib import Path

    from varde.prosecution.models import HTCDS_ROLE_IN_PROCESS, NetworkRole

    table = Path(__file__).resolve().parents[2] / "varde" / "statistics" / "htcds" / "HTCDS-2.0-fields.csv"
    row = next(
        r
        for r in csv.DictReader(table.open(encoding="utf-8"))
        if r["Field Name including Prefix"] == "per_RoleInProcess"
    )
    allowed = set(row["Value Names (if picklist)"].split())
    assert set(HTCDS_ROLE_IN_PROCESS) == set(NetworkRole.values) - {NetworkRole.UNKNOWN}
    assert set(HTCDS_ROLE_IN_PROCESS.values()) <= allowed
