"""Criminal cases in the annual status report (issue 18, point 4): a section the statistics report gets
through its registry (statistics imports nothing of prosecution: tests/architecture/test_layers.py),
on the page, in the PDF and in the XLSX, with disclosure control: criminal-case counts as they are,
persons convicted suppressed below k; never a perpetrator's name."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests.prosecution.conftest import advance, open_case
from varde.core import clock
from varde.prosecution import services as s
from varde.prosecution.models import CriminalCase, Stage
from varde.prosecution.report import SLUG, annual_report_section
from varde.statistics import report as statistics_report
from varde.statistics.report import SUPPRESSED, annual_report_for_user
from varde.statistics.report_files import report_document, report_html, report_xlsx

NAMES = ("Qzorvanth Ulbrecht", "Wexmaral Tiskov")


def _day(n: int) -> dt.date:
    """The n-th day of this year, never after today (the services refuse future dates)."""
    today = clock.today()
    return min(today, dt.date(today.year, 1, 1) + dt.timedelta(days=n))


@pytest.fixture
def judged(personas, cases):
    """This year: one case finally judged (two persons convicted of trafficking, NOK 250,000
    confiscated) and one charged and still before the courts."""
    police = personas.police
    year = clock.today().year
    first = open_case(police, facts_date=_day(0), opened_on=_day(1))
    links = [s.perpetrator_add(actor=police, criminal_case=first, name=n, role="leader") for n in NAMES]
    first = advance(
        police,
        first,
        (Stage.CHARGED, _day(2), {}),
        (Stage.TRIAL, _day(3), {"court": "Oslo tingrett"}),
        (Stage.VERDICT, _day(4), {"court": "Oslo tingrett", "outcome": "convicted_trafficking"}),
    )
    for link in links:
        s.perpetrator_outcome_record(
            actor=police, link=link, outcome="convicted_trafficking", version=link.version, sentence_months=30
        )
    first = advance(police, first, (Stage.FINAL_JUDGEMENT, _day(5), {}))
    s.criminal_case_update(
        actor=police,
        criminal_case=first,
        version=first.version,
        police_case_number="",
        exploitation_form="sexual",
        confiscated_nok=250_000,
        notes="",
    )
    second = open_case(police, facts_date=_day(0), opened_on=_day(1), exploitation_form="forced_labour")
    advance(police, second, (Stage.CHARGED, _day(2), {}))
    return year


def _values(report, table: str) -> dict[str, int | None]:
    section = report.section(SLUG)
    return {row.key: row.value for row in next(t for t in section.tables if t.slug == table).rows}


def test_the_report_has_the_criminal_case_section_with_persons_suppressed_below_k(personas, judged):
    with translation.override("en"):
        report = annual_report_for_user(user=personas.analyst, year=judged, k=3)
    assert [section.slug for section in report.sections] == [SLUG]
    assert _values(report, "prosecution-stages") == {
        "investigations": 2,
        "dropped": 0,
        "charged": 2,
        "trials": 1,
        "in_court": 1,
    }
    assert _values(report, "prosecution-verdicts") == {
        "convicted_trafficking": 1,
        "convicted_other": 0,
        "acquitted": 0,
    }
    assert _values(report, "prosecution-exploitation") == {"sexual": 1}
    assert _values(report, "prosecution-districts") == {"oslo": 1}
    assert _values(report, "prosecution-proceeds") == {"confiscated_nok": 250_000}
    # Two persons convicted: below k = 3, suppressed (criminal-case counts of 1 are not).
    assert _values(report, "prosecution-persons") == {"persons_convicted": None}
    assert report.any_suppressed
    with translation.override("en"):
        html = report_html(report)
    assert 'id="section-prosecution"' in html and "Final judgements by outcome" in html
    assert '<th scope="col" class="num">Criminal cases</th>' in html
    assert f'data-key="persons_convicted">{SUPPRESSED}' in html
    assert 'data-key="confiscated_nok">250' in html
    assert not any(name in html for name in NAMES)


def test_at_k_the_persons_convicted_are_published(personas, judged):
    """A third person convicted in the judged case lifts the count to k: published as it is."""
    police = personas.police
    criminal_case = CriminalCase.objects.get(stage=Stage.FINAL_JUDGEMENT)
    link = s.perpetrator_add(actor=police, criminal_case=criminal_case, name="Third Person", role="recruiter")
    s.perpetrator_outcome_record(actor=police, link=link, outcome="convicted_other", version=link.version)
    section = annual_report_section(judged, 3)
    persons = next(t for t in section.tables if t.slug == "prosecution-persons")
    assert [row.value for row in persons.rows] == [3]


def test_the_pdf_and_the_xlsx_carry_the_section(personas, judged):
    with translation.override("en"):
        report = annual_report_for_user(user=personas.coordinator, year=judged, k=3, fmt="xlsx")
        wb = load_workbook(io.BytesIO(report_xlsx(report)))
        document = report_document(report)
    verdicts = wb["Final judgements by outcome"]
    assert [c.value for c in verdicts[2]] == ["Category", "Criminal cases", "Note"]
    assert [[c.value for c in row[:2]] for row in verdicts.iter_rows(min_row=3, max_row=5)] == [
        ["Convicted of human trafficking", 1],
        ["Convicted of another offence", 0],
        ["Acquitted", 0],
    ]
    persons = wb["Persons convicted"]
    assert persons.cell(row=3, column=2).value is None
    assert "suppressed" in persons.cell(row=3, column=2).comment.text
    assert wb["Proceeds confiscated"].cell(row=3, column=2).value == 250_000
    assert wb["Proceeds confiscated"].cell(row=2, column=2).value == "NOK"
    strings = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert not any(name in strings for name in NAMES)
    text = " ".join(
        box.text for page in document.pages for box in page._page_box.descendants() if hasattr(box, "text")
    )
    for heading in ("Criminal cases by stage", "Final judgements by outcome", "Proceeds confiscated"):
        assert heading in text, heading
    assert not any(name in text for name in NAMES)


def test_no_criminal_cases_no_section(personas, cases):
    year = clock.today().year
    assert annual_report_section(year, 10) is None
    assert annual_report_for_user(user=personas.coordinator, year=year).sections == []


def test_the_registry_asks_each_provider_with_the_year_and_k(monkeypatch, personas, cases):
    asked: list[tuple[int, int]] = []

    def provider(year: int, k: int):
        asked.append((year, k))
        return None

    monkeypatch.setitem(statistics_report._SECTION_PROVIDERS, "probe", provider)
    year = clock.today().year
    annual_report_for_user(user=personas.coordinator, year=year, k=5)
    assert asked == [(year, 5)]
    assert statistics_report._SECTION_PROVIDERS[SLUG] is annual_report_section  # from apps.ready()
