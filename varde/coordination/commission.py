"""KOM's yearly status report to the inter-ministerial commission (and to the local units): the
measures' status from the approved reports, the project portfolio, KOM's groups, issues and training,
and the national figures with the annual report's disclosure control (published figures only: every
cell below the threshold suppressed). As a page, a PDF (WeasyPrint) and an XLSX (openpyxl).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from varde.core import clock
from varde.statistics.disclosure import default_k
from varde.statistics.figures import as_json
from varde.statistics.selectors import figures_for_year

from . import selectors
from .groups import overdue_tasks
from .models import (
    IssueState,
    Measure,
    MeasureStatus,
    Meeting,
    Ministry,
    ReportedIssue,
    ReportState,
    Seminar,
    StatusReport,
    TrainingSession,
)
from .portfolio_io import portfolio_summary
from .training import WINDOW_DAYS, published_shares, trained_shares

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PORTFOLIO_FIRST_YEAR = 2000
FIGURE_KEYS = ("persons", "women", "men", "girls", "boys")


@dataclass
class MeasureLine:
    measure: Measure
    ministries: list[str]
    status: str | None
    spending_nok: int | None


@dataclass
class CommissionReport:
    year: int
    k: int
    plan: Any  # ActionPlan | None
    measures: list[MeasureLine] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    by_ministry: list[dict[str, Any]] = field(default_factory=list)
    portfolio_year: dict[str, Any] = field(default_factory=dict)
    portfolio_to_date: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    meetings: dict[str, int] = field(default_factory=dict)
    seminars: int = 0
    overdue_tasks: int = 0
    issues: dict[str, int] = field(default_factory=dict)
    training_sessions: int = 0
    trained: list[Any] = field(default_factory=list)
    trained_since: dt.date | None = None
    trained_as_of: dt.date | None = None


def build(year: int, *, lang: str = "en") -> CommissionReport:
    """The report's content for the year (published national figures only)."""
    k = default_k()
    plan = selectors.plan_for_year(year)
    report = CommissionReport(year=year, k=k, plan=plan)
    if plan is not None:
        approved = selectors.approved_status(plan, year)
        counts: Counter[str] = Counter()
        per_ministry: dict[str, Counter[str]] = {}
        spending: Counter[str] = Counter()
        for m in selectors.measures_of(plan):
            r = approved.get(m.pk)
            codes = [x.ministry.code for x in m.responsibilities.all()]
            report.measures.append(
                MeasureLine(m, codes, r.status if r else None, r.spending_nok if r else None)
            )
            counts[r.status if r else "none"] += 1
        for sr in StatusReport.objects.filter(
            measure__plan=plan, year=year, state=ReportState.APPROVED
        ).select_related("ministry"):
            per_ministry.setdefault(sr.ministry.code, Counter())[sr.status] += 1
            spending[sr.ministry.code] += sr.spending_nok or 0
        report.status_counts = {s: counts.get(s, 0) for s in [*MeasureStatus.values, "none"]}
        names = {m.code: m.name(lang) for m in Ministry.objects.all()}
        report.by_ministry = [
            {
                "code": code,
                "name": names.get(code, code),
                "counts": {s: c.get(s, 0) for s in MeasureStatus.values},
                "spending_nok": spending[code],
            }
            for code, c in sorted(per_ministry.items())
        ]
    report.portfolio_year = portfolio_summary(year_from=year, year_to=year)
    report.portfolio_to_date = portfolio_summary(year_from=PORTFOLIO_FIRST_YEAR, year_to=year)
    published = as_json(figures_for_year(year), k=k)
    report.figures = {key: published.get(key) for key in FIGURE_KEYS}
    report.meetings = dict(
        Counter(Meeting.objects.filter(held_on__year=year).values_list("group__name", flat=True))
    )
    report.seminars = Seminar.objects.filter(starts_on__year=year).count()
    report.overdue_tasks = overdue_tasks().count()
    report.issues = {
        s: ReportedIssue.objects.filter(created_at__year=year, state=s).count() for s in IssueState.values
    }
    report.training_sessions = TrainingSession.objects.filter(held_on__year=year).count()
    as_of = min(dt.date(year, 12, 31), clock.today())
    report.trained_since = as_of - dt.timedelta(days=WINDOW_DAYS)
    report.trained_as_of = as_of
    report.trained = published_shares(trained_shares(as_of=as_of), k=k)
    return report


def html(report: CommissionReport) -> str:
    return render_to_string("web/coordination/commission_print.html", {"report": report})


def pdf(report: CommissionReport) -> bytes:
    from weasyprint import HTML

    data: bytes = HTML(string=html(report)).render().write_pdf(pdf_variant="pdf/ua-1")
    return data


def xlsx(report: CommissionReport, *, lang: str = "en") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _("Measures")[:31]
    ws.append([_("Measure"), _("Ministries"), _("Status"), _("Spending (NOK)"), _("Text")])
    for line in report.measures:
        ws.append(
            [
                line.measure.number,
                ", ".join(line.ministries),
                str(MeasureStatus(line.status).label) if line.status else _("Not reported"),
                line.spending_nok,
                line.measure.text(lang),
            ]
        )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws2 = book.create_sheet(_("Portfolio")[:31])
    ws2.append([_("Region"), _("NOK"), _("Share (%)")])
    for name, v in report.portfolio_to_date["by_region"].items():
        ws2.append([name, v["nok"], v["share"]])
    ws2.append([])
    ws2.append([_("Channel"), _("NOK"), _("Share (%)")])
    for name, v in report.portfolio_to_date["by_channel"].items():
        ws2.append([name, v["nok"], v["share"]])
    ws3 = book.create_sheet(_("Figures")[:31])
    ws3.append([_("Figure"), str(report.year)])
    for key, value in report.figures.items():
        ws3.append([key, value])  # None (an empty cell) = suppressed
    ws3.append([])
    ws3.append([_("Empty cells are suppressed: fewer than %(k)s persons.") % {"k": report.k}])
    ws4 = book.create_sheet(_("Training")[:31])
    ws4.append(
        [
            _("Agency"),
            _("Reports of possible victims"),
            _("Caseworkers"),
            _("Trained in the last two years"),
            _("Share trained (%)"),
        ]
    )
    for t in report.trained:
        ws4.append([t.agency.name, t.reports, t.caseworkers, t.trained, t.share])  # None: suppressed
    ws4.append([])
    ws4.append([_("Empty report cells are suppressed: fewer than %(k)s reports.") % {"k": report.k}])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
