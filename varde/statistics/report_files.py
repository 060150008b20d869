"""The annual status report as files: a standalone HTML page, a PDF (WeasyPrint) and an XLSX (openpyxl).

All three are made from an `AnnualReport` (published figures only). Suppressed cells are shown as
SUPPRESSED in HTML and PDF, and left empty in the XLSX with a note.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from .charts import CHARTS, alt_text, chart_svg, chart_title
from .report import SUPPRESSED, AnnualReport

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def legend(report: AnnualReport) -> str:
    return _(
        "%(mark)s = suppressed: fewer than %(k)s persons, or hidden so that a small figure cannot be "
        "worked out from the totals."
    ) % {"mark": SUPPRESSED, "k": report.k}


def charts_for(report: AnnualReport, *, inline: bool) -> list[dict[str, str]]:
    """Each chart's title, text alternative and, for files, its SVG as a data: URI."""
    out = []
    for name in CHARTS:
        item = {"name": name, "title": chart_title(name), "alt": alt_text(report, name)}
        if inline:
            item["src"] = "data:image/svg+xml;base64," + base64.b64encode(chart_svg(report, name)).decode()
        out.append(item)
    return out


def context(report: AnnualReport, *, inline_charts: bool) -> dict[str, Any]:
    return {
        "report": report,
        "legend": legend(report),
        "suppressed": SUPPRESSED,
        "charts": {c["name"]: c for c in charts_for(report, inline=inline_charts)},
    }


def report_html(report: AnnualReport) -> str:
    """A standalone HTML document (charts inline as data: images, print CSS): for the CLI and PDF."""
    return render_to_string("web/statistics/report_print.html", context(report, inline_charts=True))


def report_document(report: AnnualReport) -> Any:
    """The laid-out WeasyPrint document (pages with page numbers), before it is written as PDF."""
    from weasyprint import HTML

    return HTML(string=report_html(report)).render()


def report_pdf(report: AnnualReport) -> bytes:
    """Tagged PDF (PDF/UA-1): headings, tables and the charts' text alternatives reach screen readers."""
    pdf: bytes = report_document(report).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


# --- XLSX ---------------------------------------------------------------------------------------------


def _sheet_title(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31]


def _put(ws: Worksheet, row: int, col: int, value: int | None, note: str) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if value is None:
        cell.comment = Comment(note, "Varde")


def report_xlsx(report: AnnualReport) -> bytes:
    note = legend(report)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_title(_("Summary"))
    ws.append([_("Annual status report %(year)s") % {"year": report.year}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("Threshold (k)"), report.k])
    ws.append([_("Persons followed up"), report.persons])
    ws.append([_("Children"), report.children])
    ws.append([_("Nationalities"), report.nationalities])
    for r in range(3, 6):
        if ws.cell(row=r, column=2).value is None:
            ws.cell(row=r, column=2).comment = Comment(note, "Varde")
    ws.append([])
    ws.append([_("Empty cells are suppressed.")])
    ws.append([note])
    ws.column_dimensions["A"].width = 40

    tables = [*report.tables, *(t for section in report.sections for t in section.tables)]
    for table in tables:
        sheet = wb.create_sheet(_sheet_title(table.title))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([_("Category"), table.column or _("Persons"), _("Note")])
        if table.withheld:
            sheet.append([_("This table is not published: it could not be protected.")])
        for i, row in enumerate(table.rows, start=3):
            sheet.cell(row=i, column=1, value=row.label)
            _put(sheet, i, 2, row.value, note)
            if row.value is None:
                sheet.cell(row=i, column=3, value=_("suppressed"))
            elif row.derived:
                sheet.cell(row=i, column=3, value=_("total less the rows above"))
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 48
        sheet.column_dimensions["C"].width = 28

    trend = wb.create_sheet(_sheet_title(_("Trend over the years")))
    header = [_("Year"), _("Persons"), _("Women"), _("Men"), _("Girls"), _("Boys")]
    trend.append(header)
    for i, t in enumerate(report.trend, start=2):
        trend.cell(row=i, column=1, value=str(t.year))
        for col, value in enumerate((t.persons, t.women, t.men, t.girls, t.boys), start=2):
            _put(trend, i, col, value, note)
    last = len(report.trend) + 1
    line = LineChart()
    line.title = chart_title("trend")
    line.y_axis.title = _("Persons")
    line.add_data(Reference(trend, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(Reference(trend, min_col=1, min_row=2, max_row=last))
    trend.add_chart(line, "H2")
    bars = BarChart()
    bars.title = chart_title("minors")
    bars.add_data(Reference(trend, min_col=5, max_col=6, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(trend, min_col=1, min_row=2, max_row=last))
    trend.add_chart(bars, "H20")

    texts = wb.create_sheet(_sheet_title(_("Written sections")))
    texts.column_dimensions["A"].width = 30
    texts.column_dimensions["B"].width = 100
    for line, (_key, title, body) in enumerate(report.texts.sections(), start=1):
        texts.cell(row=line, column=1, value=title).font = Font(bold=True)
        cell = texts.cell(row=line, column=2, value=body)
        cell.data_type = "s"  # written text is never a formula, even when it starts with "="
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_file(report: AnnualReport, fmt: str) -> bytes:
    if fmt == "pdf":
        return report_pdf(report)
    if fmt == "xlsx":
        return report_xlsx(report)
    return report_html(report).encode("utf-8")
