"""The annual status report pages (action plan measure 6): choose a year, read the report, download it
as PDF or XLSX, see its charts, and (coordinators) write its trends, challenges and research needs.

Coordinators and analysts read (published figures only); everyone else gets 404, as on the other
coordinator pages. Analysts may read but not write: the edit page answers them 403. Every read and
download goes through varde.statistics.report.annual_report_for_user, which audits it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from varde.access.predicates import can_read_statistics, can_write_annual_report
from varde.audit.models import AuditAction
from varde.core.errors import NotPermitted
from varde.statistics import charts as chart_module
from varde.statistics.disclosure import DisclosureError
from varde.statistics.models import MAX_SECTION
from varde.statistics.report import (
    AnnualReport,
    NoFiguresForYear,
    annual_report_for_chart,
    annual_report_for_user,
    report_years,
    texts_for_year,
)
from varde.statistics.report_files import XLSX_CONTENT_TYPE, context, report_pdf, report_xlsx
from varde.statistics.services import NEW, annual_report_text_save
from varde.web.types import AuthedRequest
from varde.web.views.base import CONFLICT, done, kept, only, save

readers_only = only(can_read_statistics)
"""Coordinators and analysts; everyone else gets 404."""


def _k(request: HttpRequest) -> int | None:
    raw = request.GET.get("k")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404("Not found") from None


def _report(request: AuthedRequest, year: int, fmt: str, action: str) -> AnnualReport:
    try:
        return annual_report_for_user(user=request.user, year=year, k=_k(request), fmt=fmt, action=action)
    except (NoFiguresForYear, DisclosureError):
        raise Http404("Not found") from None
    except NotPermitted:
        raise Http404("Not found") from None


@require_GET
@login_required
@readers_only
def statistics_index(request: AuthedRequest) -> HttpResponse:
    return render(request, "web/statistics/index.html", {"years": sorted(report_years(), reverse=True)})


@require_GET
@login_required
@readers_only
def statistics_report(request: AuthedRequest, year: int) -> HttpResponse:
    report = _report(request, year, "html", AuditAction.VIEW)
    # The charts go inline as data: images (img-src allows data:): one request, no style attribute
    # in the page, and nothing for the page's CSP to block. statistics-chart serves each on its own.
    ctx = context(report, inline_charts=True)
    ctx.update({"may_edit": can_write_annual_report(request.user), "k_query": "k" in request.GET})
    return render(request, "web/statistics/report.html", ctx)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
@readers_only
def statistics_report_pdf(request: AuthedRequest, year: int) -> HttpResponse:
    report = _report(request, year, "pdf", AuditAction.EXPORT)
    return _download(report_pdf(report), "application/pdf", f"varde-annual-report-{year}.pdf")


@require_GET
@login_required
@readers_only
def statistics_report_xlsx(request: AuthedRequest, year: int) -> HttpResponse:
    report = _report(request, year, "xlsx", AuditAction.EXPORT)
    return _download(report_xlsx(report), XLSX_CONTENT_TYPE, f"varde-annual-report-{year}.xlsx")


# The chart is an image document: no script can run in it, and matplotlib's SVG styles itself with
# style attributes, which only this response's own policy has to allow.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@transaction.non_atomic_requests
@require_GET
@login_required
@readers_only
def statistics_chart(request: AuthedRequest, year: int, chart: str) -> HttpResponse:
    if chart not in chart_module.CHARTS:
        raise Http404("Not found")
    try:
        report = annual_report_for_chart(user=request.user, year=year, k=_k(request))
    except (NoFiguresForYear, DisclosureError, NotPermitted):
        raise Http404("Not found") from None
    response = HttpResponse(chart_module.chart_svg(report, chart), content_type="image/svg+xml")
    response["Content-Security-Policy"] = CHART_CSP  # django-csp leaves a policy already set alone
    return response


class AnnualReportTextForm(forms.Form):
    trends = forms.CharField(
        label=gettext_lazy("Trends"),
        required=False,
        max_length=MAX_SECTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    challenges = forms.CharField(
        label=gettext_lazy("Challenges"),
        required=False,
        max_length=MAX_SECTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    research_needs = forms.CharField(
        label=gettext_lazy("Suggested topics for research"),
        required=False,
        max_length=MAX_SECTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    version = forms.IntegerField(min_value=NEW, widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@login_required
@readers_only
def statistics_report_edit(request: AuthedRequest, year: int) -> HttpResponse:
    user = request.user
    if not can_write_annual_report(user):
        raise PermissionDenied  # an analyst reads the report but does not write it
    if year not in report_years():
        raise Http404("Not found")
    current = texts_for_year(year)
    if request.method == "GET":
        form = AnnualReportTextForm(
            initial={
                "trends": current.trends,
                "challenges": current.challenges,
                "research_needs": current.research_needs,
                "version": current.version,
            }
        )
        return render(request, "web/statistics/edit.html", {"form": form, "year": year})
    form = AnnualReportTextForm(request.POST)
    if not form.is_valid():
        return render(request, "web/statistics/edit.html", {"form": form, "year": year}, status=400)
    data = form.cleaned_data
    saved = save(
        form,
        lambda: annual_report_text_save(
            actor=user,
            year=year,
            trends=data["trends"],
            challenges=data["challenges"],
            research_needs=data["research_needs"],
            version=data["version"],
        ),
    )
    if saved.conflict:
        # Keep the user's text in the form, with the version now saved, so that saving again after
        # merging is possible; show what was saved meanwhile below it.
        current = texts_for_year(year)
        ctx = {"form": kept(form, current.version), "year": year, "conflict": True, "current": current}
        return render(request, "web/statistics/edit.html", ctx, status=CONFLICT)
    if not saved.ok:
        return render(request, "web/statistics/edit.html", {"form": form, "year": year}, status=400)
    return done(request, _("The annual report's sections are saved."), "statistics-report", year=year)
