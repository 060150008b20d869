"""The annual status report (issue #6): 2009 as KOM counted it, as a page, a PDF, an XLSX and from the
CLI; published figures only; who may read and write it; the coordinators' sections with locking.

The 2009 set (load_2009, about half a minute) is loaded once for the module inside a transaction that
is rolled back at the end; each test runs in a savepoint inside it (pytest-django's `db`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.conftest import login_verified
from tests.factories import make_user, report
from varde.accounts.models import Agency, AgencyKind, Role, User
from varde.audit.models import AuditEvent
from varde.cases.models import Case
from varde.cli import main
from varde.core.errors import EditConflict, NotPermitted
from varde.demo.demo2009 import load_2009
from varde.persons.models import IdentityDocument, PersonName, PhoneNumber
from varde.statistics import charts
from varde.statistics.extract import pseudonymised_extract
from varde.statistics.models import AnnualReportText
from varde.statistics.report import SUPPRESSED, annual_report_for_user, build_report
from varde.statistics.report_files import report_document, report_html, report_pdf, report_xlsx
from varde.statistics.services import NEW, annual_report_text_save

MARKER_GIVEN, MARKER_FAMILY = "Zyxwquil", "Marqvorth"  # a case reported in 2009 besides the seed's


@dataclass
class World:
    coordinator: User
    analyst: User
    caseworker: User
    outsider: User
    marker_case: Case


@pytest.fixture(scope="module")
def y2009(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        police = Agency.objects.create(code="ar-police", name="AR police", kind=AgencyKind.POLICE_DISTRICT)
        cw = Agency.objects.create(code="ar-cw", name="AR child welfare", kind=AgencyKind.CHILD_WELFARE_STATE)
        ngo = Agency.objects.create(code="ar-ngo", name="AR NGO", kind=AgencyKind.NGO)
        kom = Agency.objects.create(code="ar-kom", name="AR KOM", kind=AgencyKind.KOM)
        labour = Agency.objects.create(code="ar-lab", name="AR labour", kind=AgencyKind.LABOUR_INSPECTION)
        world = World(
            coordinator=make_user("ar-coordinator", kom, Role.COORDINATOR),
            analyst=make_user("ar-analyst", kom, Role.ANALYST),
            caseworker=make_user("ar-police", police, Role.CASEWORKER),
            outsider=make_user("ar-outsider", labour, Role.CASEWORKER),
            marker_case=None,  # type: ignore[arg-type]
        )
        cw_user = make_user("ar-cw", cw, Role.CASEWORKER)
        ngo_user = make_user("ar-ngo", ngo, Role.CASEWORKER)
        load_2009(
            coordinator=world.coordinator,
            reporters=[(world.caseworker, police), (cw_user, cw), (ngo_user, ngo)],
        )
        world.marker_case = report(
            world.caseworker,
            police,
            given=MARKER_GIVEN,
            family=MARKER_FAMILY,
            child=False,
            referral_date=dt.date(2026, 3, 1),
            description="Marker-description-QX",
            phones=["+47 944 11 223"],
        )
        yield world
        transaction.set_rollback(True)


def _figures(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", text)


def _secrets() -> list[str]:
    """Everything identifying in the database: names, phone and document numbers, case references."""
    values = set(PersonName.objects.values_list("given", flat=True))
    values |= set(PersonName.objects.values_list("family", flat=True))
    values |= set(PhoneNumber.objects.values_list("number", flat=True))
    values |= set(IdentityDocument.objects.values_list("number", flat=True))
    values |= set(Case.objects.values_list("reference", flat=True))
    values |= {row.person_key for row in pseudonymised_extract()}
    values |= {"Marker-description-QX"}
    return sorted(v for v in values if v and len(v) >= 3)


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]


def _pdf_text(report_obj) -> tuple[list[str], int]:
    document = report_document(report_obj)
    pages = []
    for page in document.pages:
        texts = [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
        pages.append(" ".join(texts))
    return pages, len(document.pages)


# --- the figures ---------------------------------------------------------------------------------------


def test_2009_published_figures_equal_the_seed(db, y2009):
    r = annual_report_for_user(user=y2009.analyst, year=2009)
    assert r.k == 10
    assert r.persons == 292 and r.children == 69 and r.nationalities == 43
    sex_age = {row.key: row.value for row in r.table("sex_age").rows}
    assert sex_age == {"women": 191, "men": 32, "girls": 50, "boys": 19}
    nationalities = r.table("nationalities").rows
    assert (nationalities[0].key, nationalities[0].value) == ("NG", 121)
    assert len([n for n in nationalities if not n.derived]) <= 10
    other = next(n for n in nationalities if n.derived)
    assert other.value == 292 - sum(n.value for n in nationalities if not n.derived)
    assert {row.key: row.value for row in r.table("reflection_period").rows} == {
        "applied": 73,
        "granted": 50,
        "rejected": 23,
    }
    # The minors (seed 002): Somalia, Eritrea and Romania lead (Ethiopia's 8 and Afghanistan's 7 are
    # below k); 34 of 69 in forced labour, 10 in sexual services.
    minors = {row.key: row.value for row in r.table("minors_nationalities").rows}
    assert minors == {"SO": 14, "ER": 12, "RO": 10}
    forms = {row.key: row.value for row in r.table("minors_exploitation").rows}
    assert forms["forced_labour"] == 34 and forms["sexual"] == 10
    assert {row.key: row.value for row in r.table("summary").rows}["identified"] is not None
    # After the reflection period, published with k = 10: small cells withheld, never shown.
    permit = {row.key: row.value for row in r.table("temporary_permit").rows}
    assert permit == {
        "applied": 20,
        "granted": 10,
        "rejected": None,
        "dropped": None,
        "renewal_applied": None,
        "renewal_granted": None,
        "renewal_rejected": None,
        "permit_after_testimony": None,
    }
    returns = {row.key: row.value for row in r.table("voluntary_return").rows}
    assert returns["voluntary_returns"] == 19 and returns["follow_up_due"] is None
    cooperation = {row.key: row.value for row in r.table("police_cooperation").rows}
    assert (cooperation["investigation"], cooperation["considering"], cooperation["testified"]) == (
        17,
        30,
        None,
    )
    assert cooperation["cooperating"] is None  # 17 + 3: shown, it would give the withheld 3 away
    # 2005 - March 2008: the persons of seed 000's table, each followed up in their year; 2008 also the
    # reflection-period applicants reported after March; 2010: the 2009 persons until their cases
    # closed; 2026: the marker case alone, below k.
    trend = {t.year: (t.persons, t.girls, t.boys) for t in r.trend}
    assert list(trend) == [2005, 2006, 2007, 2008, 2009, 2010, 2026]
    assert {y: trend[y][0] for y in (2005, 2006, 2007, 2008)} == {2005: 28, 2006: 43, 2007: 111, 2008: 72}
    assert trend[2005][1:] == (None, None)  # 6 girls and 2 boys: below k
    assert trend[2007] == (111, 14, 12)
    assert trend[2009] == trend[2010] == (292, 50, 19)
    assert trend[2026] == (None, None, None)
    # Every published nationality is at least k; the small ones are suppressed, never shown.
    assert all(n.value >= 10 for n in nationalities if not n.derived)


def test_small_cells_are_suppressed_not_shown(db, y2009):
    r = annual_report_for_user(user=y2009.coordinator, year=2009, k=11)
    values = [row.value for t in r.tables for row in t.rows if not row.derived]
    assert all(v is None or v == 0 or v >= 11 for v in values)
    internal = {row.nationality for row in pseudonymised_extract() if 2009 in row.followed_years}
    shown = [row.key for row in r.table("nationalities").rows if not row.derived]
    assert len(internal) == 43 and len(shown) < 43  # the small nationalities are not listed
    # 2026 holds the marker case alone: below k, so the year's figures are suppressed on the page.
    small = annual_report_for_user(user=y2009.coordinator, year=2026, k=3)
    with translation.override("en"):
        html = report_html(small)
    assert small.persons is None
    assert f'data-key="persons">{SUPPRESSED}<span class="ds-sr-only varde-sr"> (suppressed)</span>' in html
    assert "fewer than 3 persons" in html
    assert 'data-key="persons">1<' not in html


def test_a_year_whose_total_is_below_k_publishes_nothing(db, y2009):
    rows = pseudonymised_extract()
    r = build_report(rows, 2026, k=3)  # only the marker case in 2026: one person, below k
    assert r.persons is None and r.children is None
    assert all(row.value is None for row in r.table("sex_age").rows)
    assert r.table("nationalities").withheld


def test_charts_are_svg_and_draw_only_published_values(db, y2009):
    r = annual_report_for_user(user=y2009.coordinator, year=2009)
    for name in charts.CHARTS:
        svg = charts.chart_svg(r, name)
        assert svg.startswith(b"<?xml") and b"<svg" in svg
        assert charts.alt_text(r, name)
    rows = r.table("exploitation").rows
    svg = charts.exploitation_chart(r).decode()
    assert sorted(re.findall(r'id="bar-([a-z_]+)"', svg)) == sorted(row.key for row in rows if row.value)
    # A suppressed cell is not drawn: suppress one form and its bar is gone, the others stay.
    hidden = rows[0].key
    table = dataclasses.replace(
        r.table("exploitation"),
        rows=[dataclasses.replace(row, value=None) if row.key == hidden else row for row in rows],
    )
    changed = dataclasses.replace(r, tables=[table if t.slug == "exploitation" else t for t in r.tables])
    svg = charts.exploitation_chart(changed).decode()
    assert f'id="bar-{hidden}"' not in svg
    assert len(re.findall(r'id="bar-', svg)) == len([row for row in rows if row.value]) - 1
    nationalities = charts.nationalities_chart(r).decode()
    assert 'id="bar-NG"' in nationalities and 'id="bar-other"' not in nationalities


# --- the files -----------------------------------------------------------------------------------------


def test_pdf_is_a_real_pdf_with_headings_and_figures(db, y2009):
    annual_report_text_save(
        actor=y2009.coordinator,
        year=2009,
        trends="More persons were reported by NGOs.",
        challenges="",
        research_needs="Labour exploitation in fisheries.",
        version=NEW,
    )
    with translation.override("en"):
        r = annual_report_for_user(user=y2009.coordinator, year=2009, fmt="pdf")
        pdf = report_pdf(r)
        pages, count = _pdf_text(r)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert count >= 2
    text = " ".join(pages)
    for heading in (
        "Annual status report 2009",
        "Trend over the years",
        "Forms of exploitation",
        "The largest nationalities",
        "Reflection period",
        "Suggested topics for research",
    ):
        assert heading in text, heading
    flat = _figures(text)
    for figure in ("Personsfollowedup292", "Women191", "Men32", "Girls(under18)50", "Boys(under18)19"):
        assert figure in flat, figure
    assert "Children69" in flat and "Nationalities43" in flat and "Nigeria121" in flat
    assert "Appliedfor73" in flat and "Granted50" in flat and "Rejected23" in flat
    assert "Labour exploitation in fisheries." in text
    assert f"Page 1 / {count}" in pages[0] and f"Page {count} / {count}" in pages[-1]
    assert not _leaks(text, _secrets())


def test_xlsx_opens_and_holds_the_figures(db, y2009):
    annual_report_text_save(
        actor=y2009.coordinator,
        year=2009,
        trends='=HYPERLINK("http://example.org")',
        challenges="Few cases reach court.",
        research_needs="",
        version=NEW,
    )
    with translation.override("en"):
        r = annual_report_for_user(user=y2009.analyst, year=2009, fmt="xlsx")
        wb = load_workbook(io.BytesIO(report_xlsx(r)))
    summary = wb["Summary"]
    assert {
        summary.cell(row=i, column=1).value: summary.cell(row=i, column=2).value for i in range(2, 6)
    } == {
        "Threshold (k)": 10,
        "Persons followed up": 292,
        "Children": 69,
        "Nationalities": 43,
    }
    sheet = wb["Women, men, girls and boys"]
    assert [[c.value for c in row[:2]] for row in sheet.iter_rows(min_row=3, max_row=6)] == [
        ["Women", 191],
        ["Men", 32],
        ["Girls (under 18)", 50],
        ["Boys (under 18)", 19],
    ]
    nat = wb["The largest nationalities"]
    assert [nat.cell(row=3, column=1).value, nat.cell(row=3, column=2).value] == ["Nigeria", 121]
    refl = {row[0].value: row[1].value for row in wb["Reflection period"].iter_rows(min_row=3, max_row=5)}
    assert refl == {"Applied for": 73, "Granted": 50, "Rejected": 23}
    trend = wb["Trend over the years"]
    years = {row[0].value: [c.value for c in row] for row in trend.iter_rows(min_row=2)}
    assert years["2009"] == ["2009", 292, 191, 32, 50, 19]
    assert years["2007"][:2] == ["2007", 111]
    assert len(trend._charts) == 2
    texts = wb["Written sections"]
    assert texts["B1"].value == '=HYPERLINK("http://example.org")' and texts["B1"].data_type == "s"
    assert texts["B2"].value == "Few cases reach court."
    # Suppressed cells are empty, with a note, never a number.
    suppressed = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment is not None]
    for c in suppressed:
        assert c.value is None and "suppressed" in c.comment.text
    exploitation = wb["Forms of exploitation"]
    for row in exploitation.iter_rows(min_row=3):
        if row[2].value == "suppressed":
            assert row[1].value is None
    strings = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert not _leaks(strings, _secrets())


# --- the CLI -------------------------------------------------------------------------------------------


def _run(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_cli_writes_all_three_formats(db, y2009, capsys, tmp_path):
    before = AuditEvent.objects.filter(object_type="statistics.annual_report").count()
    for fmt in ("pdf", "xlsx", "html"):
        out = tmp_path / f"report.{fmt}"
        code, err = _run(
            capsys, "report", "annual", "2009", "--format", fmt, "--out", str(out), "--language", "en"
        )
        assert code == 0, err
        assert "2009" in err and str(tmp_path) not in err
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    wb = load_workbook(tmp_path / "report.xlsx")
    assert wb["Summary"]["B3"].value == 292
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Annual status report 2009" in html and 'src="data:image/svg+xml;base64,' in html
    assert not _leaks(html, _secrets())
    events = AuditEvent.objects.filter(object_type="statistics.annual_report").order_by("seq")[before:]
    assert [e.detail["format"] for e in events] == ["pdf", "xlsx", "html"]
    assert all(e.action == "export" and e.detail["year"] == 2009 for e in events)


def test_cli_fails_cleanly_on_bad_input(db, y2009, capsys, tmp_path):
    capsys.readouterr()
    assert main(["report", "annual", "--help"]) == 0
    assert "varde report annual 2009 --format pdf" in capsys.readouterr().out
    out = tmp_path / "r.pdf"
    code, err = _run(capsys, "report", "annual", "1999", "--format", "pdf", "--out", str(out))
    assert code == 2 and "no figures for 1999" in err and not out.exists()
    code, err = _run(capsys, "report", "annual", "2009", "--format", "docx", "--out", str(out))
    assert code == 2 and "invalid choice" in err and not out.exists()
    code, err = _run(
        capsys, "report", "annual", "2009", "--format", "pdf", "--out", str(tmp_path / "no" / "r.pdf")
    )
    assert code == 2 and "cannot write" in err
    code, err = _run(capsys, "report", "annual", "2009", "--format", "pdf", "--out", str(tmp_path))
    assert code == 2 and "cannot write" in err
    code, err = _run(capsys, "report", "annual", "2009", "--format", "pdf", "--out", str(out), "--k", "7")
    assert code == 2 and "k must be one of" in err and not out.exists()
    code, err = _run(
        capsys, "report", "annual", "2009", "--format", "pdf", "--out", str(out), "--user", "ar-police"
    )
    assert code == 2 and "only coordinators and analysts" in err and not out.exists()
    assert "Traceback" not in err


def test_cli_unwritable_file(db, y2009, capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, err = _run(
            capsys, "report", "annual", "2009", "--format", "html", "--out", str(locked / "r.html")
        )
    finally:
        locked.chmod(0o700)
    if code == 0:  # root ignores the folder's mode
        assert Path(locked / "r.html").exists()
    else:
        assert code == 2 and "cannot write to r.html" in err


# --- the pages -----------------------------------------------------------------------------------------


def test_who_may_see_the_report(db, y2009, client):
    urls = [
        reverse("statistics-index"),
        reverse("statistics-report", args=[2009]),
        reverse("statistics-report-pdf", args=[2009]),
        reverse("statistics-report-xlsx", args=[2009]),
        reverse("statistics-chart", args=[2009, "trend"]),
    ]
    for user in (y2009.caseworker, y2009.outsider):
        login_verified(client, user)
        for url in urls + [reverse("statistics-report-edit", args=[2009])]:
            assert client.get(url).status_code == 404, (user.username, url)
    client.logout()
    assert client.get(urls[1]).status_code == 302  # to the sign-in page
    for user in (y2009.analyst, y2009.coordinator):
        login_verified(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
    login_verified(client, y2009.analyst)
    assert client.get(reverse("statistics-report-edit", args=[2009])).status_code == 403
    assert client.get(reverse("statistics-report", args=[1999])).status_code == 404
    assert client.get(reverse("statistics-chart", args=[2009, "nope"])).status_code == 404


def test_report_page_and_downloads(db, y2009, client):
    login_verified(client, y2009.analyst)
    with translation.override("en"):
        before = AuditEvent.objects.count()
        page = client.get(reverse("statistics-report", args=[2009]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'data-key="persons">292</dd>' in html
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert "Write the trends" not in html  # analysts do not write
    assert not _leaks(html, _secrets())
    pdf = client.get(reverse("statistics-report-pdf", args=[2009]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == 'attachment; filename="varde-annual-report-2009.pdf"'
    xlsx = client.get(reverse("statistics-report-xlsx", args=[2009]))
    assert load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["B3"].value == 292
    chart = client.get(reverse("statistics-chart", args=[2009, "minors"]))
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content
    assert (
        "script-src" not in chart["Content-Security-Policy"]
        and "default-src 'none'" in chart["Content-Security-Policy"]
    )
    events = list(AuditEvent.objects.order_by("seq")[before:])
    formats = [e.detail.get("format") for e in events if e.object_type == "statistics.annual_report"]
    assert formats == ["html", "pdf", "xlsx"]  # a chart is part of the audited page
    assert all(
        e.actor_username == "ar-analyst" for e in events if e.object_type == "statistics.annual_report"
    )


# --- the coordinators' sections -------------------------------------------------------------------------


def test_coordinator_edits_are_saved_audited_and_escaped(db, y2009, client):
    login_verified(client, y2009.coordinator)
    url = reverse("statistics-report-edit", args=[2009])
    form = client.get(url)
    assert form.status_code == 200 and 'name="version" value="0"' in form.content.decode()
    response = client.post(
        url,
        {
            "trends": "First paragraph.\n\n<script>alert(1)</script> Second paragraph.",
            "challenges": "Too few shelters.",
            "research_needs": "",
            "version": "0",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("statistics-report", args=[2009])
    text = AnnualReportText.objects.get(year=2009)
    assert text.version == 1 and text.updated_by == y2009.coordinator
    event = AuditEvent.objects.filter(object_type="statistics.annualreporttext").latest("seq")
    assert event.action == "create" and event.detail == {"year": 2009, "version": 1}
    assert event.actor_username == "ar-coordinator"
    page = client.get(reverse("statistics-report", args=[2009])).content.decode()
    assert "<p>First paragraph.</p>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Second paragraph." in page and "<script>alert" not in page
    pdf_html = report_html(annual_report_for_user(user=y2009.coordinator, year=2009))
    assert "<script>alert" not in pdf_html and "&lt;script&gt;" in pdf_html
    response = client.post(
        url, {"trends": "Rewritten.", "challenges": "", "research_needs": "Begging.", "version": "1"}
    )
    assert response.status_code == 302
    text.refresh_from_db()
    assert (text.version, text.trends, text.research_needs) == (2, "Rewritten.", "Begging.")
    assert AuditEvent.objects.filter(object_type="statistics.annualreporttext", action="update").count() == 1


def test_stale_version_is_a_conflict_that_keeps_the_users_text(db, y2009, client):
    annual_report_text_save(
        actor=y2009.coordinator,
        year=2009,
        trends="Saved first.",
        challenges="",
        research_needs="",
        version=NEW,
    )
    login_verified(client, y2009.coordinator)
    url = reverse("statistics-report-edit", args=[2009])
    response = client.post(
        url, {"trends": "My long draft.", "challenges": "", "research_needs": "", "version": "0"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "My long draft." in html and "Saved first." in html
    assert 'name="version" value="1"' in html  # saving again after merging is possible
    assert AnnualReportText.objects.get(year=2009).trends == "Saved first."
    response = client.post(url, {"trends": "Merged.", "challenges": "", "research_needs": "", "version": "1"})
    assert response.status_code == 302
    with pytest.raises(EditConflict):
        annual_report_text_save(
            actor=y2009.coordinator, year=2009, trends="x", challenges="", research_needs="", version=1
        )
    assert AnnualReportText.objects.get(year=2009).trends == "Merged."


def test_only_coordinators_write(db, y2009, client):
    for user in (y2009.analyst, y2009.caseworker):
        with pytest.raises(NotPermitted):
            annual_report_text_save(
                actor=user, year=2009, trends="x", challenges="", research_needs="", version=NEW
            )
    login_verified(client, y2009.analyst)
    response = client.post(
        reverse("statistics-report-edit", args=[2009]),
        {"trends": "x", "challenges": "", "research_needs": "", "version": "0"},
    )
    assert response.status_code == 403
    assert not AnnualReportText.objects.exists()
    with pytest.raises(NotPermitted):
        annual_report_for_user(user=y2009.outsider, year=2009)
