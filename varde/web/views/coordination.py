"""Pages of KOM's national work: the action plans and their measures, status reports (written by the
ministry, approved by a second person), a ministry's measure-by-measure report (page and XLSX), the
project portfolio (summary with charts, projects, import, export), the project and reference groups
with their meetings, decisions and follow-up tasks, seminars, local units, issues reported to KOM,
training, and the yearly report to the commission (page, PDF, XLSX).

None of these pages shows a victim's data. Every read goes through varde.access.coordination (404 for
what the user may not see); every write is a service of varde.coordination, run through the shared
page-to-service helper (varde.web.views.base.save): a stale version answers 409 with the input kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varde.access import coordination as reads
from varde.coordination import commission, groups, issues, measures, portfolio, selectors, training
from varde.coordination.models import (
    Channel,
    Group,
    GroupKind,
    GroupMember,
    LocalUnit,
    MeasureStatus,
    Meeting,
    Region,
    ReportState,
    StatusReport,
    TaskState,
)
from varde.coordination.portfolio_io import (
    XLSX_CONTENT_TYPE,
    PortfolioImportError,
    export_csv,
    export_xlsx,
    portfolio_import,
)
from varde.core import clock
from varde.web.coordination_forms import (
    CourseForm,
    DecisionForm,
    DispatchForm,
    GroupEditForm,
    GroupForm,
    IssueForm,
    LocalUnitForm,
    MeetingEditForm,
    MeetingForm,
    MemberEditForm,
    MemberForm,
    ParticipantForm,
    PortfolioImportForm,
    PortfolioPeriodForm,
    ReopenForm,
    ReturnForm,
    SeminarForm,
    SeminarParticipantForm,
    SessionForm,
    StatusReportForm,
    TriageForm,
    VersionForm,
)
from varde.web.types import AuthedRequest
from varde.web.views.base import (
    CONFLICT,
    coordinators_only,
    done,
    forbid_unless,
    kept,
    kept_data,
    plan_readers_only,
    save,
)

PORTFOLIO_FROM, PORTFOLIO_TO = 2000, 2010
PROJECT_LIMIT = 500
TASK_DUE_DEFAULT = dt.timedelta(days=14)  # a follow-up task is due before the next monthly meeting


def _lang() -> str:
    return "nb" if (get_language() or "nb").startswith("nb") else "en"


def _status_label(code: str | None) -> str:
    return str(MeasureStatus(code).label) if code else _("Not reported")


# --- the hub -----------------------------------------------------------------------------------------------


@require_GET
@login_required
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    reader = reads.may_read_plans(user)
    context: dict[str, Any] = {
        "reader": reader,
        "coordinator": reads.is_coordinator(user),
        "plans": list(reads.plans_visible_to(user=user)),
        "groups": list(reads.groups_visible_to(user=user)),
        "ministries": reads.ministries_for_reporting(user=user) if reader else [],
        "may_report_issue": reads.may_report_issue(user),
        "overdue": reads.overdue_tasks_visible_to(user=user, today=clock.today()),
        "commission_years": reads.commission_years_for(user=user),
        "lang": _lang(),
    }
    return render(request, "web/coordination/index.html", context)


# --- plans and measures -------------------------------------------------------------------------------------


def _year_param(request: AuthedRequest, default: int | None) -> int | None:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return default


@require_GET
@login_required
def plan_detail(request: AuthedRequest, plan_code: str) -> HttpResponse:
    plan = reads.plan_get_for_user(user=request.user, plan_code=plan_code)
    year = _year_param(request, None)
    if year is not None and year not in plan.years:
        year = None
    rows = reads.measure_rows_for_user(user=request.user, plan_code=plan.code, year=year, lang=_lang())
    by_number = {m.number: m for m in selectors.measures_of(plan)}
    chapters: dict[Any, dict[str, Any]] = {}
    for row in rows:
        measure = by_number[row["number"]]
        key = measure.chapter_id
        chapter = chapters.setdefault(key, {"chapter": measure.chapter, "rows": []})
        chapter["rows"].append({**row, "measure": measure, "status_label": _status_label(row["status"])})
    return render(
        request,
        "web/coordination/plan.html",
        {
            "plan": plan,
            "title": plan.title(_lang()),
            "chapters": sorted(
                chapters.values(),
                key=lambda c: (c["chapter"] is None, c["chapter"].number if c["chapter"] else 0),
            ),
            "year": year,
            "lang": _lang(),
        },
    )


@require_GET
@login_required
def measure_detail(request: AuthedRequest, measure_id: UUID) -> HttpResponse:
    user = request.user
    measure = reads.measure_get_for_user(user=user, measure_id=measure_id)
    responsibilities = selectors.measure_responsibilities(measure)
    reports = reads.status_reports_of_measure(user=user, measure=measure)
    writable = [
        m
        for m in reads.ministries_for_reporting(user=user)
        if reads.may_report_on(user=user, measure=measure, ministry=m)
    ]
    return render(
        request,
        "web/coordination/measure.html",
        {
            "measure": measure,
            "text": measure.text(_lang()),
            "responsibilities": responsibilities,
            "reports": reports,
            "writable": writable,
            "years": list(measure.plan.years),
            "lang": _lang(),
        },
    )


def _status_context(
    request: AuthedRequest, measure: Any, ministry: Any, year: int, report: StatusReport | None, form: Any
) -> dict[str, Any]:
    return {
        "measure": measure,
        "text": measure.text(_lang()),
        "ministry": ministry,
        "ministry_name": ministry.name(_lang()),
        "year": year,
        "report": report,
        "form": form,
        "revisions": selectors.report_revisions(report) if report else [],
    }


@require_http_methods(["GET", "POST"])
@login_required
def status_edit(request: AuthedRequest, measure_id: UUID, ministry: str, year: int) -> HttpResponse:
    """Write the ministry's status for the measure and year (a draft until submitted and approved)."""
    user = request.user
    measure = reads.measure_get_for_user(user=user, measure_id=measure_id)
    the_ministry = reads.ministry_get_for_user(user=user, code=ministry)
    forbid_unless(reads.may_report_on(user=user, measure=measure, ministry=the_ministry))
    if year not in measure.plan.years:
        raise Http404("Not found")
    report = reads.status_report_find(user=user, measure=measure, ministry=the_ministry, year=year)
    status = 200
    if request.method == "POST":
        form = StatusReportForm(request.POST, prefix="status")
        if form.is_valid():
            d = form.cleaned_data
            saved = save(
                form,
                lambda: measures.status_report_save(
                    actor=user,
                    measure=measure,
                    ministry=the_ministry,
                    year=year,
                    status=d["status"],
                    done=d["done"],
                    spending_nok=d["spending_nok"],
                    documents=d["documents"],
                    version=d["version"],
                ),
            )
            if saved.ok:
                done_report = saved.result
                if request.POST.get("submit") == "1":
                    submitted = save(
                        form,
                        lambda: measures.status_report_submit(
                            actor=user, report=done_report, version=done_report.version
                        ),
                    )
                    if submitted.ok:
                        return done(
                            request,
                            _("The status is saved and sent for approval by a second person."),
                            "coordination-status-report",
                            report_id=done_report.pk,
                        )
                else:
                    return done(
                        request,
                        _("The status is saved as a draft."),
                        "coordination-status-report",
                        report_id=done_report.pk,
                    )
            if saved.conflict:
                report = reads.status_report_find(
                    user=user, measure=measure, ministry=the_ministry, year=year
                )
                form = kept(form, report.version if report else 0)
                status = CONFLICT
    else:
        initial: dict[str, Any] = {"version": report.version} if report else {}
        if report:
            initial.update(
                status=report.status,
                done=report.done,
                spending_nok=report.spending_nok,
                documents=report.documents,
            )
        form = StatusReportForm(initial=initial, prefix="status")
    if report is not None and report.state != ReportState.DRAFT and request.method == "GET":
        return redirect("coordination-status-report", report_id=report.pk)
    return render(
        request,
        "web/coordination/status_edit.html",
        _status_context(request, measure, the_ministry, year, report, form),
        status=status,
    )


def _report_page(
    request: AuthedRequest, report: StatusReport, status: int = 200, forms: dict[str, Any] | None = None
) -> HttpResponse:
    forms = forms or {}
    user = request.user
    may_act = reads.may_report_on(user=user, measure=report.measure, ministry=report.ministry)
    second_person = reads.may_approve(user=user, report=report)
    context = {
        "report": report,
        "measure": report.measure,
        "text": report.measure.text(_lang()),
        "ministry_name": report.ministry.name(_lang()),
        "revisions": selectors.report_revisions(report),
        "projects": selectors.report_projects(report),
        "may_edit": may_act and report.state == ReportState.DRAFT,
        "may_submit": may_act and report.state == ReportState.DRAFT,
        "may_approve": may_act and second_person and report.state == ReportState.SUBMITTED,
        "may_return": may_act and report.state == ReportState.SUBMITTED,
        "may_reopen": may_act and report.state == ReportState.APPROVED,
        "waiting_for_second": may_act and not second_person and report.state == ReportState.SUBMITTED,
        "submit_form": forms.get("submit_form")
        or VersionForm(initial={"version": report.version}, prefix="submit"),
        "approve_form": forms.get("approve_form")
        or VersionForm(initial={"version": report.version}, prefix="approve"),
        "return_form": forms.get("return_form")
        or ReturnForm(initial={"version": report.version}, prefix="return"),
        "reopen_form": forms.get("reopen_form")
        or ReopenForm(initial={"version": report.version}, prefix="reopen"),
        "conflict": status == CONFLICT,
    }
    return render(request, "web/coordination/status_report.html", context, status=status)


@require_GET
@login_required
def status_report(request: AuthedRequest, report_id: UUID) -> HttpResponse:
    report = reads.status_report_get_for_user(user=request.user, report_id=report_id)
    return _report_page(request, report)


def _report_step(request: AuthedRequest, report_id: UUID, step: str) -> HttpResponse:
    user = request.user
    report = reads.status_report_get_for_user(user=user, report_id=report_id)
    forbid_unless(reads.may_report_on(user=user, measure=report.measure, ministry=report.ministry))
    if step == "approve":  # four eyes: not the one who wrote or submitted it
        forbid_unless(reads.may_approve(user=user, report=report))
    form_class = {"return": ReturnForm, "reopen": ReopenForm}.get(step, VersionForm)
    form = form_class(request.POST, prefix=step)
    if not form.is_valid():
        return _report_page(request, report, forms={f"{step}_form": form})
    d = form.cleaned_data
    services = {
        "submit": lambda: measures.status_report_submit(actor=user, report=report, version=d["version"]),
        "approve": lambda: measures.status_report_approve(actor=user, report=report, version=d["version"]),
        "return": lambda: measures.status_report_return(
            actor=user, report=report, version=d["version"], reason=d.get("reason", "")
        ),
        "reopen": lambda: measures.status_report_reopen(
            actor=user, report=report, version=d["version"], reason=d.get("reason", "")
        ),
    }
    saved = save(form, services[step])
    if saved.ok:
        texts = {
            "submit": _("The status is sent for approval by a second person."),
            "approve": _("The status is approved: it is final."),
            "return": _("The status is returned to draft."),
            "reopen": _("The final status is reopened as a draft; a second person approves it again."),
        }
        return done(request, texts[step], "coordination-status-report", report_id=report.pk)
    report = reads.status_report_get_for_user(user=user, report_id=report_id)
    if saved.conflict:
        form = kept(form, report.version)
    return _report_page(request, report, status=saved.status, forms={f"{step}_form": form})


@require_POST
@login_required
def status_submit(request: AuthedRequest, report_id: UUID) -> HttpResponse:
    return _report_step(request, report_id, "submit")


@require_POST
@login_required
def status_approve(request: AuthedRequest, report_id: UUID) -> HttpResponse:
    return _report_step(request, report_id, "approve")


@require_POST
@login_required
def status_return(request: AuthedRequest, report_id: UUID) -> HttpResponse:
    return _report_step(request, report_id, "return")


@require_POST
@login_required
def status_reopen(request: AuthedRequest, report_id: UUID) -> HttpResponse:
    """Take an approved (final) status back to draft, with a reason (audited, kept in the history)."""
    return _report_step(request, report_id, "reopen")


@require_GET
@login_required
def ministry_report(request: AuthedRequest, ministry: str, year: int) -> HttpResponse:
    report = reads.ministry_report_for_user(user=request.user, ministry_code=ministry, year=year)
    items = [
        {
            "item": item,
            "text": item.measure.text(_lang()),
            "status_label": _status_label(item.report.status if item.report else None),
        }
        for item in report.items
    ]
    return render(
        request,
        "web/coordination/ministry_report.html",
        {
            "r": report,
            "items": items,
            "ministry_name": report.ministry.name(_lang()),
            "plan_title": report.plan.title(_lang()),
            "counts": [(str(label), report.counts.get(code, 0)) for code, label in MeasureStatus.choices],
            "not_reported": report.counts.get("none", 0),
        },
    )


@require_GET
@login_required
def ministry_report_xlsx(request: AuthedRequest, ministry: str, year: int) -> HttpResponse:
    from varde.coordination.reports import ministry_report_xlsx as to_xlsx

    report = reads.ministry_report_for_user(user=request.user, ministry_code=ministry, year=year)
    response = HttpResponse(to_xlsx(report, lang=_lang()), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="measures-{ministry}-{year}.xlsx"'
    return response


# --- the portfolio ---------------------------------------------------------------------------------------------


def _bars(data: dict[str, dict[str, int]], labels: dict[str, str]) -> list[dict[str, Any]]:
    """Rows for a horizontal bar chart drawn in the template (SVG), widths in per cent of the largest."""
    largest = max((v["nok"] for v in data.values()), default=0) or 1
    return [
        {
            "name": labels.get(k, k),
            "nok": v["nok"],
            "share": v["share"],
            "width": round(100 * v["nok"] / largest, 1),
        }
        for k, v in data.items()
    ]


@require_GET
@login_required
@plan_readers_only
def portfolio_summary(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = PortfolioPeriodForm(request.GET or {"year_from": PORTFOLIO_FROM, "year_to": PORTFOLIO_TO})
    year_from, year_to = PORTFOLIO_FROM, PORTFOLIO_TO
    if form.is_valid():
        year_from, year_to = form.cleaned_data["year_from"], form.cleaned_data["year_to"]
    summary = reads.portfolio_summary_for_user(user=user, year_from=year_from, year_to=year_to)
    regions = {str(k): str(v) for k, v in Region.choices}
    channels = {str(k): str(v) for k, v in Channel.choices}
    return render(
        request,
        "web/coordination/portfolio.html",
        {
            "form": form,
            "s": summary,
            "year_from": year_from,
            "year_to": year_to,
            "region_bars": _bars(summary["by_region"], regions),
            "channel_bars": _bars(summary["by_channel"], channels),
            "countries": list(summary["by_country"].items())[:10],
            "partners": list(summary["by_partner"].items())[:10],
            "sizes": [
                (_("NOK 100,000 or less"), summary["by_size"]["up_to_100k"]),
                (_("NOK 100,001 to 1 million"), summary["by_size"]["100k_to_1m"]),
                (_("NOK 1 to 5 million"), summary["by_size"]["1m_to_5m"]),
                (_("Over NOK 5 million"), summary["by_size"]["over_5m"]),
            ],
            "coordinator": reads.is_coordinator(user),
            "bands": portfolio.SIZE_BANDS,
        },
    )


@require_GET
@login_required
@plan_readers_only
def portfolio_projects(request: AuthedRequest) -> HttpResponse:
    projects = list(
        reads.projects_visible_to(user=request.user).order_by("agreement__number", "reference")[
            : PROJECT_LIMIT + 1
        ]
    )
    rows = [{"p": p, "nok": sum(a.nok for a in p.amounts.all())} for p in projects[:PROJECT_LIMIT]]
    return render(
        request,
        "web/coordination/projects.html",
        {
            "rows": rows,
            "limited": len(projects) > PROJECT_LIMIT,
            "coordinator": reads.is_coordinator(request.user),
        },
    )


@require_GET
@login_required
@plan_readers_only
def portfolio_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404("Not found")
    projects = reads.projects_for_export(user=request.user)
    if fmt == "xlsx":
        response = HttpResponse(export_xlsx(projects), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(export_csv(projects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="portfolio.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@coordinators_only
def portfolio_upload(request: AuthedRequest) -> HttpResponse:
    problems: list[Any] = []
    if request.method == "POST":
        form = PortfolioImportForm(request.POST, request.FILES, prefix="import")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = portfolio_import(actor=request.user, filename=upload.name, content=upload.read())
            except PortfolioImportError as error:
                form.add_error("file", str(error))
                problems = error.problems
            else:
                return done(
                    request,
                    _("%(rows)s rows imported: %(projects)s projects, %(agreements)s new agreements.")
                    % {
                        "rows": result.rows,
                        "projects": result.projects_created,
                        "agreements": result.agreements_created,
                    },
                    "coordination-portfolio-projects",
                )
    else:
        form = PortfolioImportForm(prefix="import")
    return render(request, "web/coordination/portfolio_import.html", {"form": form, "problems": problems})


# --- groups and meetings ----------------------------------------------------------------------------------


def _groups_page(request: AuthedRequest, form: GroupForm | None = None) -> HttpResponse:
    user = request.user
    coordinator = reads.is_coordinator(user)
    return render(
        request,
        "web/coordination/groups.html",
        {
            "groups": reads.groups_with_members_visible_to(user=user),
            "coordinator": coordinator,
            "form": form or GroupForm(prefix="group"),
        },
    )


@require_GET
@login_required
def group_list(request: AuthedRequest) -> HttpResponse:
    return _groups_page(request)


@require_POST
@login_required
@coordinators_only
def group_new(request: AuthedRequest) -> HttpResponse:
    form = GroupForm(request.POST, prefix="group")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: groups.group_create(
                actor=request.user, kind=d["kind"], name=d["name"], description=d["description"]
            ),
        )
        if saved.ok:
            return done(request, _("The group is created."), "coordination-group", group_id=saved.result.pk)
    return _groups_page(request, form)


def _group_page(request: AuthedRequest, group: Group, status: int = 200, **bound: Any) -> HttpResponse:
    coordinator = reads.may_manage_group(request.user)
    return render(
        request,
        "web/coordination/group.html",
        {
            "group": group,
            "members": selectors.group_members(group),
            "meetings": selectors.group_meetings(group),
            "coordinator": coordinator,
            "member_form": bound.get("member_form") or (MemberForm(prefix="member") if coordinator else None),
            "today": clock.today(),
            "kind_label": GroupKind(group.kind).label,
        },
        status=status,
    )


@require_GET
@login_required
def group_detail(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    group = reads.group_get_for_user(user=request.user, group_id=group_id)
    return _group_page(request, group)


def _manage(request: AuthedRequest) -> None:
    """A group's member sees it but does not record for it: 403 (KOM records)."""
    forbid_unless(reads.may_manage_group(request.user))


def _edit_page(
    request: AuthedRequest, template_context: dict[str, Any], form: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/coordination/edit.html",
        {**template_context, "form": form, "conflict": status == CONFLICT},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def group_edit(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    """Rename the group or change its description (KOM)."""
    user = request.user
    group = reads.group_get_for_user(user=user, group_id=group_id)
    _manage(request)
    context = {
        "title": _("Change the group"),
        "back_url": reverse("coordination-group", args=[group.pk]),
        "back_label": group.name,
        "action": reverse("coordination-group-edit", args=[group.pk]),
        "button": _("Save the group"),
    }
    if request.method != "POST":
        initial = {"name": group.name, "description": group.description, "version": group.version}
        return _edit_page(request, context, GroupEditForm(initial=initial, prefix="group"))
    form = GroupEditForm(request.POST, prefix="group")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: groups.group_update(
                actor=user, group=group, version=d["version"], name=d["name"], description=d["description"]
            ),
        )
        if saved.ok:
            return done(request, _("The group is saved."), "coordination-group", group_id=group.pk)
        if saved.conflict:
            group = reads.group_get_for_user(user=user, group_id=group_id)
            return _edit_page(request, context, kept(form, group.version), status=CONFLICT)
    return _edit_page(request, context, form)


@require_POST
@login_required
def group_member_add(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    group = reads.group_get_for_user(user=request.user, group_id=group_id)
    _manage(request)
    form = MemberForm(request.POST, prefix="member")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: groups.group_member_add(
                actor=request.user,
                group=group,
                agency=d["agency"],
                user=d["user"],
                name=d["name"],
                readiness_phone=d["readiness_phone"],
                readiness_email=d["readiness_email"],
            ),
        )
        if saved.ok:
            return done(request, _("The member is added."), "coordination-group", group_id=group.pk)
    return _group_page(request, group, member_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def member_edit(request: AuthedRequest, member_id: UUID) -> HttpResponse:
    """A member's 24-hour readiness contact, or their leaving the group (KOM)."""
    user = request.user
    member: GroupMember = reads.member_get_for_user(user=user, member_id=member_id)
    _manage(request)
    context = {
        "title": _("Change the member %(name)s (%(agency)s)")
        % {"name": member.name, "agency": member.agency.name},
        "back_url": reverse("coordination-group", args=[member.group_id]),
        "back_label": member.group.name,
        "action": reverse("coordination-member-edit", args=[member.pk]),
        "button": _("Save the member"),
    }
    if request.method != "POST":
        initial = {
            "readiness_phone": member.readiness_phone,
            "readiness_email": member.readiness_email,
            "is_active": member.is_active,
            "version": member.version,
        }
        return _edit_page(request, context, MemberEditForm(initial=initial, prefix="member"))
    form = MemberEditForm(request.POST, prefix="member")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: groups.group_member_update(
                actor=user,
                member=member,
                version=d["version"],
                readiness_phone=d["readiness_phone"],
                readiness_email=d["readiness_email"],
                is_active=d["is_active"],
            ),
        )
        if saved.ok:
            return done(request, _("The member is saved."), "coordination-group", group_id=member.group_id)
        if saved.conflict:
            member = reads.member_get_for_user(user=user, member_id=member_id)
            return _edit_page(request, context, kept(form, member.version), status=CONFLICT)
    return _edit_page(request, context, form)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_new(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    """Record a meeting; its first decision and a follow-up task may be written in the same form."""
    user = request.user
    group = reads.group_get_for_user(user=user, group_id=group_id)
    _manage(request)
    if request.method == "POST":
        form = MeetingForm(request.POST, prefix="meeting", group=group)
        if form.is_valid():
            d = form.cleaned_data

            def record() -> Any:
                meeting = groups.meeting_record(
                    actor=user,
                    group=group,
                    held_on=d["held_on"],
                    place=d["place"],
                    agenda=d["agenda"],
                    minutes=d["minutes"],
                    attendee_ids=[m.pk for m in d["attendees"]],
                )
                if d["decision"]:
                    decision = groups.decision_add(actor=user, meeting=meeting, text=d["decision"])
                    if d["task"]:
                        groups.task_add(
                            actor=user,
                            decision=decision,
                            title=d["task"],
                            responsible=d["responsible"],
                            due_on=d["due_on"],
                        )
                return meeting

            saved = save(form, record)
            if saved.ok:
                return done(
                    request, _("The meeting is recorded."), "coordination-meeting", meeting_id=saved.result.pk
                )
    else:
        today = clock.today()
        form = MeetingForm(
            prefix="meeting", group=group, initial={"held_on": today, "due_on": today + TASK_DUE_DEFAULT}
        )
    return render(request, "web/coordination/meeting_new.html", {"group": group, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def meeting_edit(request: AuthedRequest, meeting_id: UUID) -> HttpResponse:
    """The meeting's agenda, attendance and minutes, written or corrected after the meeting (KOM)."""
    user = request.user
    meeting: Meeting = reads.meeting_get_for_user(user=user, meeting_id=meeting_id)
    _manage(request)
    members = selectors.group_members(meeting.group)
    context = {
        "title": _("Change the minutes of %(date)s") % {"date": meeting.held_on.isoformat()},
        "back_url": reverse("coordination-meeting", args=[meeting.pk]),
        "back_label": meeting.group.name,
        "action": reverse("coordination-meeting-edit", args=[meeting.pk]),
        "button": _("Save the minutes"),
    }
    if request.method != "POST":
        initial = {
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "attendees": [m.pk for m in selectors.meeting_attendees(meeting)],
            "version": meeting.version,
        }
        return _edit_page(
            request, context, MeetingEditForm(initial=initial, prefix="meeting", members=members)
        )
    form = MeetingEditForm(request.POST, prefix="meeting", members=members)
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: groups.meeting_update_minutes(
                actor=user,
                meeting=meeting,
                version=d["version"],
                agenda=d["agenda"],
                minutes=d["minutes"],
                attendee_ids=[m.pk for m in d["attendees"]],
            ),
        )
        if saved.ok:
            return done(request, _("The minutes are saved."), "coordination-meeting", meeting_id=meeting.pk)
        if saved.conflict:
            meeting = reads.meeting_get_for_user(user=user, meeting_id=meeting_id)
            kept_form = MeetingEditForm(kept_data(form, meeting.version), prefix="meeting", members=members)
            return _edit_page(request, context, kept_form, status=CONFLICT)
    return _edit_page(request, context, form)


def _meeting_page(request: AuthedRequest, meeting: Any, **bound: Any) -> HttpResponse:
    coordinator = reads.may_manage_group(request.user)
    decisions = selectors.meeting_decisions(meeting)
    today = clock.today()
    task_rows = []
    for decision in decisions:
        for task in decision.tasks.all():
            may_done = task.state == TaskState.OPEN and groups.may_complete_task(request.user, task)
            task_rows.append(
                {
                    "task": task,
                    "decision": decision,
                    "overdue": task.state == TaskState.OPEN and task.due_on < today,
                    "form": VersionForm(initial={"version": task.version}, prefix=f"task-{task.pk}")
                    if may_done
                    else None,
                }
            )
    return render(
        request,
        "web/coordination/meeting.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "attendees": selectors.meeting_attendees(meeting),
            "decisions": decisions,
            "task_rows": task_rows,
            "coordinator": coordinator,
            "decision_form": bound.get("decision_form")
            or (DecisionForm(prefix="decision", group=meeting.group) if coordinator else None),
        },
    )


@require_GET
@login_required
def meeting_detail(request: AuthedRequest, meeting_id: UUID) -> HttpResponse:
    meeting = reads.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    return _meeting_page(request, meeting)


@require_POST
@login_required
def meeting_decision(request: AuthedRequest, meeting_id: UUID) -> HttpResponse:
    user = request.user
    meeting = reads.meeting_get_for_user(user=user, meeting_id=meeting_id)
    _manage(request)
    form = DecisionForm(request.POST, prefix="decision", group=meeting.group)
    if form.is_valid():
        d = form.cleaned_data

        def add() -> Any:
            decision = groups.decision_add(actor=user, meeting=meeting, text=d["decision"])
            if d["task"]:
                groups.task_add(
                    actor=user,
                    decision=decision,
                    title=d["task"],
                    responsible=d["responsible"],
                    due_on=d["due_on"],
                )
            return decision

        if save(form, add).ok:
            return done(
                request, _("The decision is recorded."), "coordination-meeting", meeting_id=meeting.pk
            )
    return _meeting_page(request, meeting, decision_form=form)


@require_POST
@login_required
def task_done(request: AuthedRequest, task_id: UUID) -> HttpResponse:
    user = request.user
    task = reads.task_get_for_user(user=user, task_id=task_id)
    forbid_unless(groups.may_complete_task(user, task))
    form = VersionForm(request.POST, prefix=f"task-{task.pk}")
    meeting_id = task.decision.meeting_id
    if form.is_valid():
        saved = save(
            form, lambda: groups.task_done(actor=user, task=task, version=form.cleaned_data["version"])
        )
        if saved.ok:
            messages.success(request, _("The task is marked done."))
        elif saved.conflict:
            messages.warning(
                request, _("The task was changed by someone else meanwhile; see it as it is now.")
            )
        else:
            messages.warning(
                request, " ".join(str(e) for e in form.non_field_errors()) or _("The task was not changed.")
            )
    return redirect("coordination-meeting", meeting_id=meeting_id)


# --- issues ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def issue_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    may_report = reads.may_report_issue(user)
    form = IssueForm(prefix="issue") if may_report else None
    if request.method == "POST":
        forbid_unless(may_report)
        form = IssueForm(request.POST, prefix="issue")
        if form.is_valid():
            d = form.cleaned_data
            saved = save(
                form,
                lambda: issues.issue_report(
                    actor=user, kind=d["kind"], subject=d["subject"], description=d["description"]
                ),
            )
            if saved.ok:
                return done(
                    request,
                    _("The issue is sent to KOM. You will see KOM's answer here."),
                    "coordination-issue",
                    issue_id=saved.result.pk,
                )
    return render(
        request,
        "web/coordination/issues.html",
        {
            "issues": reads.issue_rows_for_user(user=user),
            "form": form,
            "coordinator": reads.is_coordinator(user),
        },
    )


def _issue_page(request: AuthedRequest, issue: Any, status: int = 200, form: Any = None) -> HttpResponse:
    coordinator = reads.is_coordinator(request.user)
    if coordinator and form is None:
        form = TriageForm(
            initial={
                "version": issue.version,
                "state": issue.state if issue.state != "new" else None,
                "answer": issue.answer,
                "group": issue.group_id,
            },
            prefix="triage",
        )
    return render(
        request,
        "web/coordination/issue.html",
        {"issue": issue, "form": form if coordinator else None},
        status=status,
    )


@require_GET
@login_required
def issue_detail(request: AuthedRequest, issue_id: UUID) -> HttpResponse:
    issue = reads.issue_get_for_user(user=request.user, issue_id=issue_id)
    return _issue_page(request, issue)


@require_POST
@login_required
def issue_triage(request: AuthedRequest, issue_id: UUID) -> HttpResponse:
    user = request.user
    issue = reads.issue_get_for_user(user=user, issue_id=issue_id)
    forbid_unless(reads.is_coordinator(user))  # the reporter sees the issue; KOM answers it
    form = TriageForm(request.POST, prefix="triage")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: issues.issue_triage(
                actor=user,
                issue=issue,
                state=d["state"],
                answer=d["answer"],
                version=d["version"],
                group=d["group"],
            ),
        )
        if saved.ok:
            return done(
                request,
                _("The answer is saved; the reporter sees it."),
                "coordination-issue",
                issue_id=issue.pk,
            )
        if saved.conflict:
            issue = reads.issue_get_for_user(user=user, issue_id=issue_id)
            return _issue_page(request, issue, status=CONFLICT, form=kept(form, issue.version))
    return _issue_page(request, issue, form=form)


# --- training, seminars, local units --------------------------------------------------------------------------


def _training_page(request: AuthedRequest, status: int = 200, **bound: Any) -> HttpResponse:
    content = reads.training_for_user(user=request.user, as_of=clock.today())
    return render(
        request,
        "web/coordination/training.html",
        {
            **content,
            "course_form": bound.get("course_form") or CourseForm(prefix="course"),
            "session_form": bound.get("session_form") or SessionForm(prefix="session"),
            "participant_form": bound.get("participant_form") or ParticipantForm(prefix="participant"),
        },
        status=status,
    )


@require_GET
@login_required
@coordinators_only
def training_page(request: AuthedRequest) -> HttpResponse:
    return _training_page(request)


@require_POST
@login_required
@coordinators_only
def training_course(request: AuthedRequest) -> HttpResponse:
    form = CourseForm(request.POST, prefix="course")
    if form.is_valid():
        d = form.cleaned_data
        if save(
            form, lambda: training.course_create(actor=request.user, topic=d["topic"], audience=d["audience"])
        ).ok:
            return done(request, _("The course is added."), "coordination-training")
    return _training_page(request, course_form=form)


@require_POST
@login_required
@coordinators_only
def training_session(request: AuthedRequest) -> HttpResponse:
    form = SessionForm(request.POST, prefix="session")
    if form.is_valid():
        d = form.cleaned_data
        if save(
            form,
            lambda: training.session_create(
                actor=request.user, course=d["course"], held_on=d["held_on"], place=d["place"]
            ),
        ).ok:
            return done(request, _("The session is added."), "coordination-training")
    return _training_page(request, session_form=form)


@require_POST
@login_required
@coordinators_only
def training_participant(request: AuthedRequest) -> HttpResponse:
    form = ParticipantForm(request.POST, prefix="participant")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: training.participant_add(
                actor=request.user,
                session=d["session"],
                agency=d["agency"],
                user=d["user"],
                name=d["name"],
                role=d["role"],
            ),
        )
        if saved.ok:
            return done(request, _("The participant is added."), "coordination-training")
    return _training_page(request, participant_form=form)


def _seminars_page(request: AuthedRequest, **bound: Any) -> HttpResponse:
    return render(
        request,
        "web/coordination/seminars.html",
        {
            "seminars": selectors.seminars(),
            "form": bound.get("form") or SeminarForm(prefix="seminar"),
            "participant_form": bound.get("participant_form") or SeminarParticipantForm(prefix="sp"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@coordinators_only
def seminar_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = SeminarForm(request.POST, prefix="seminar")
        if form.is_valid():
            d = form.cleaned_data
            saved = save(
                form,
                lambda: groups.seminar_create(
                    actor=request.user,
                    title=d["title"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    place=d["place"],
                    groups=d["groups"],
                ),
            )
            if saved.ok:
                return done(request, _("The seminar is added."), "coordination-seminars")
        return _seminars_page(request, form=form)
    return _seminars_page(request)


@require_POST
@login_required
@coordinators_only
def seminar_participant(request: AuthedRequest) -> HttpResponse:
    form = SeminarParticipantForm(request.POST, prefix="sp")
    if form.is_valid():
        d = form.cleaned_data
        if save(
            form,
            lambda: groups.seminar_participant_add(
                actor=request.user, seminar=d["seminar"], agency=d["agency"], name=d["name"]
            ),
        ).ok:
            return done(request, _("The participant is added."), "coordination-seminars")
    return _seminars_page(request, participant_form=form)


def _units_page(request: AuthedRequest, **bound: Any) -> HttpResponse:
    return render(
        request,
        "web/coordination/local_units.html",
        {
            "units": reads.local_units_for_page(user=request.user),
            "form": bound.get("form") or LocalUnitForm(prefix="unit"),
            "dispatch_form": bound.get("dispatch_form")
            or DispatchForm(prefix="dispatch", initial={"year": clock.today().year - 1}),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@coordinators_only
def local_unit_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = LocalUnitForm(request.POST, prefix="unit")
        if form.is_valid():
            d = form.cleaned_data
            if save(form, lambda: groups.local_unit_create(actor=request.user, **d)).ok:
                return done(request, _("The local unit is added."), "coordination-local-units")
        return _units_page(request, form=form)
    return _units_page(request)


@require_POST
@login_required
@coordinators_only
def local_unit_dispatch(request: AuthedRequest) -> HttpResponse:
    form = DispatchForm(request.POST, prefix="dispatch")
    if form.is_valid():
        d = form.cleaned_data
        unit: LocalUnit = d["unit"]
        if save(form, lambda: groups.report_dispatch(actor=request.user, unit=unit, year=d["year"])).ok:
            return done(
                request,
                _("The report is sent to the local unit; its members can read it."),
                "coordination-local-units",
            )
    return _units_page(request, dispatch_form=form)


# --- the report to the commission ------------------------------------------------------------------------------


@require_GET
@login_required
def commission_index(request: AuthedRequest) -> HttpResponse:
    years = reads.commission_years_for(user=request.user)
    if years is None:
        this_year = clock.today().year
        shown = list(range(this_year - 1, 2005, -1))
    else:
        shown = sorted(years, reverse=True)
    return render(request, "web/coordination/commission_index.html", {"years": shown})


def _commission(request: AuthedRequest, year: int) -> commission.CommissionReport:
    return reads.commission_report_for_user(user=request.user, year=year, lang=_lang())


@require_GET
@login_required
def commission_report(request: AuthedRequest, year: int) -> HttpResponse:
    report = _commission(request, year)
    return render(request, "web/coordination/commission.html", {"report": report, "lang": _lang()})


@require_GET
@login_required
def commission_report_pdf(request: AuthedRequest, year: int) -> HttpResponse:
    report = _commission(request, year)
    response = HttpResponse(commission.pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kom-report-{year}.pdf"'
    return response


@require_GET
@login_required
def commission_report_xlsx(request: AuthedRequest, year: int) -> HttpResponse:
    report = _commission(request, year)
    response = HttpResponse(commission.xlsx(report, lang=_lang()), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="kom-report-{year}.xlsx"'
    return response
