"""A ministry's measure-by-measure report for a year as an XLSX workbook (the page is a template):
a summary sheet in the shape of seed 004's section 2, then one row per measure (seed 004's sections
3-15), then the projects linked to the reports."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .models import MeasureStatus
from .selectors import MinistryReport


def ministry_report_xlsx(report: MinistryReport, *, lang: str = "en") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    summary.append([f"{report.ministry.name(lang)}: {report.plan.title(lang)}"])
    summary.append([_("Report on efforts carried out %(year)s") % {"year": report.year}])
    summary.append([])
    summary.append([_("Status"), _("Measures")])
    for code, label in MeasureStatus.choices:
        summary.append([str(label), report.counts.get(code, 0)])
    summary.append([_("Not reported"), report.counts.get("none", 0)])
    summary.append([_("Spending (NOK)"), report.spending_nok])
    if not report.final:
        summary.append([_("Not every status is approved: this report is not final.")])
    summary["A1"].font = Font(bold=True, size=14)

    sheet = book.create_sheet(_("Measures")[:31])
    sheet.append(
        [_("Measure"), _("Text"), _("Status"), _("What was done"), _("Spending (NOK)"), _("Approved")]
    )
    for item in report.items:
        r = item.report
        sheet.append(
            [
                item.measure.number,
                item.measure.text(lang) or _("(wording not in the sources)"),
                str(MeasureStatus(r.status).label) if r else _("Not reported"),
                r.done if r else "",
                r.spending_nok if r else None,
                _("yes") if r and r.is_final else _("no"),
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = row[3].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["D"].width = 80

    projects = book.create_sheet(_("Projects")[:31])
    projects.append([_("Measure"), _("Project"), _("Partner"), _("Country"), _("NOK in the year")])
    for item in report.items:
        for p in item.projects:
            nok = sum(a.nok for a in p.amounts.all() if a.year == report.year)
            projects.append([item.measure.number, p.reference, p.agreement.partner, p.agreement.country, nok])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
