"""The project portfolio: counting rules, import all-or-nothing with row-numbered problems, export,
and the demo portfolio whose summary gives seed 004's figures exactly."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook

from varde.coordination.models import Agreement, PortfolioImport, Project
from varde.coordination.portfolio import AgreementRow, ProjectRow, share, summarise
from varde.coordination.portfolio_io import (
    COLUMNS,
    PortfolioImportError,
    export_csv,
    export_xlsx,
    portfolio_import,
    projects_with_amounts,
)
from varde.core.errors import NotPermitted
from varde.demo.coordination import load_portfolio

pytestmark = pytest.mark.django_db


# --- counting rules (no database) --------------------------------------------------------------------------


def test_duration_is_the_agreements_own_and_amounts_are_clipped_to_the_period():
    agreements = [
        AgreementRow("A", "IOM", "iom", "Kenya", "africa", "Embassy in Nairobi"),
        AgreementRow("B", "UNICEF", "un", "Albania", "europe", "West Balkans Section"),
    ]
    projects = [
        ProjectRow("A1", "A", {2006: 1_000_000}),
        ProjectRow("A2", "A", {2007: 2_000_000}),
        ProjectRow("B1", "B", {2007: 100_000}),
    ]
    s = summarise(agreements, projects, year_from=2007, year_to=2007)
    assert (s["projects"], s["agreements"], s["one_year"], s["multi_year"]) == (2, 2, 1, 1)
    assert s["total_nok"] == 2_100_000 and s["small_projects"] == 1
    assert s["by_section"]["West Balkans Section"] == {
        "agreements": 1,
        "one_year_agreements": 1,
        "nok": 100_000,
    }
    assert s["by_region"] == {
        "africa": {"nok": 2_000_000, "share": 95},
        "europe": {"nok": 100_000, "share": 5},
    }


def test_shares_are_whole_per_cent_rounded_half_up():
    assert (share(1, 8), share(3, 8), share(5, 200), share(0, 0)) == (13, 38, 3, 0)


# --- import ----------------------------------------------------------------------------------------------------


def _row(**kw) -> dict[str, str]:
    row = {
        "agreement": "MFA-2007-900", "agreement_title": "IOM Kenya", "partner": "IOM", "channel": "iom",
        "country": "Kenya", "region": "africa", "section": "Embassy in Nairobi", "objective": "main",
        "project": "MFA-2007-900-2007", "project_title": "Phase 2", "start": "2007-01-01", "end": "2008-12-31",
        "measures": "2006-2009:33", "2007": "1500000", "2008": "700 000",
    }  # fmt: skip
    row.update(kw)
    return row


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "2007", "2008"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    ws = book.active
    header = [*COLUMNS, "2007", "2008"]
    ws.append(header)
    for r in rows:
        ws.append([int(r[h].replace(" ", "")) if h.isdigit() and r[h] else r[h] for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_good_file_is_imported_with_agreements_projects_amounts_and_measures(personas):
    rows = [_row(), _row(project="MFA-2007-900-2008", **{"2007": "", "2008": "800000"})]
    result = portfolio_import(actor=personas.coordinator, filename="ok.csv", content=_csv(rows))
    assert (result.rows, result.agreements_created, result.projects_created) == (2, 1, 2)
    project = Project.objects.get(reference="MFA-2007-900-2007")
    assert {a.year: a.nok for a in project.amounts.all()} == {2007: 1_500_000, 2008: 700_000}
    assert [m.number for m in project.measures.all()] == [33]
    assert PortfolioImport.objects.get().by == personas.coordinator


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_spreadsheet_is_refused_naming_the_row_and_nothing_is_saved(personas, fmt):
    rows = [
        _row(),
        _row(project="P-2", channel="Red Cross"),  # row 3: not a channel
        _row(project="P-3", end="2006-01-01"),  # row 4: ends before it starts
        _row(project="P-4", partner="UNDP"),  # row 5: the same agreement with another partner
        _row(project="MFA-2007-900-2007"),  # row 6: the same project twice
    ]
    content = _csv(rows) if fmt == "csv" else _xlsx(rows)
    with pytest.raises(PortfolioImportError) as info:
        portfolio_import(actor=personas.coordinator, filename=f"bad.{fmt}", content=content)
    found = {(p.row, p.column) for p in info.value.problems}
    assert {(3, "channel"), (4, "end"), (5, "partner"), (6, "project")} <= found
    assert "row 3, channel" in [str(p)[: len("row 3, channel")] for p in info.value.problems]
    assert (
        not Agreement.objects.exists()
        and not Project.objects.exists()
        and not PortfolioImport.objects.exists()
    )


def test_a_formula_and_a_fractional_amount_are_refused(personas):
    rows = [_row(partner='=HYPERLINK("x")'), _row(project="P-2", **{"2007": "12.5"})]
    with pytest.raises(PortfolioImportError) as info:
        portfolio_import(actor=personas.coordinator, filename="f.csv", content=_csv(rows))
    assert {(2, "partner"), (3, "2007")} <= {(p.row, p.column) for p in info.value.problems}


def test_importing_the_same_file_twice_is_refused_and_only_coordinators_import(personas, ministry_users):
    portfolio_import(actor=personas.coordinator, filename="ok.csv", content=_csv([_row()]))
    with pytest.raises(PortfolioImportError) as info:
        portfolio_import(actor=personas.coordinator, filename="ok.csv", content=_csv([_row()]))
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "project")]
    with pytest.raises(NotPermitted):
        portfolio_import(actor=ministry_users.ud, filename="ok.csv", content=_csv([_row(project="X")]))


def test_an_export_can_be_imported_again(personas):
    portfolio_import(actor=personas.coordinator, filename="ok.csv", content=_csv([_row()]))
    exported_csv = export_csv(projects_with_amounts())
    exported_xlsx = export_xlsx(projects_with_amounts())
    Project.objects.all().delete()
    Agreement.objects.all().delete()
    assert (
        portfolio_import(
            actor=personas.coordinator, filename="again.csv", content=exported_csv
        ).projects_created
        == 1
    )
    Project.objects.all().delete()
    assert (
        portfolio_import(
            actor=personas.coordinator, filename="again.xlsx", content=exported_xlsx
        ).projects_created
        == 1
    )


# --- the demo portfolio gives seed 004's figures --------------------------------------------------------------


def test_the_demo_portfolio_summary_gives_seed_004s_figures_exactly(personas, varde):
    load_portfolio(coordinator=personas.coordinator)
    result = varde("portfolio", "summary", "--from", "2000", "--to", "2010", "--json")
    assert result.code == 0, result.err
    s = json.loads(result.out)
    assert (s["projects"], s["agreements"], s["one_year"], s["multi_year"]) == (193, 138, 115, 23)
    one_year = {name: v["one_year_agreements"] for name, v in s["by_section"].items()}
    assert one_year["West Balkans Section"] == 77
    assert one_year["Section for Human Rights and Democracy"] == 15
    assert one_year["Section for Global Security and the CIS Countries"] == 14
    assert s["by_region"]["europe"]["share"] == 52
    assert s["by_region"]["asia"] == {"nok": 59_000_000, "share": 27}
    assert s["by_region"]["africa"] == {"nok": 48_000_000, "share": 22}
    assert s["by_country"]["Bosnia and Herzegovina"] == {"nok": 32_000_000, "share": 14}
    assert list(s["by_country"])[:3] == ["Bosnia and Herzegovina", "Albania", "Macedonia"]
    assert s["by_channel"]["iom"]["nok"] == 89_000_000 and list(s["by_channel"])[0] == "iom"
    assert s["by_channel"]["un"]["nok"] == 79_000_000 and s["by_partner"]["UNICEF"]["nok"] == 40_000_000
    assert s["by_channel"]["norwegian_ngo"]["nok"] == 47_000_000
    assert s["by_partner"]["Save the Children Norway"]["nok"] == 18_000_000
    assert s["small_projects"] == 18
    assert s["agreements_annual_up_to_1m"] > s["agreements"] / 2  # "well over half"
