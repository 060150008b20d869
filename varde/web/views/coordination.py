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
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varde.access import coordination as reads
from varde.coordination import commission, groups, issues, measures, portfolio, training
from varde.coordination.models import (
    Channel,
    Course,
    Group,
    GroupKind,
    LocalUnit,
    MeasureStatus,
    Region,
    ReportState,
    Seminar,
    StatusReport,
    TaskState,
    TrainingSession,
)
from varde.coordination.portfolio_io import (
    XLSX_CONTENT_TYPE,
    PortfolioImportError,
    export_csv,
    export_xlsx,
    portfolio_import,
)
from varde.coordination.selectors import measures_of
from varde.core import clock
from varde.web.coordination_forms import (
    CourseForm,
    DecisionForm,
    DispatchForm,
    GroupForm,
    IssueForm,
    LocalUnitForm,
    MeetingForm,
    MemberForm,
    ParticipantForm,
    PortfolioImportForm,
    PortfolioPeriodForm,
    ReturnForm,
    SeminarForm,
    SeminarParticipantForm,
    SessionForm,
    StatusReportForm,
    TriageForm,
    VersionForm,
)
from varde.web.types import AuthedRequest
from varde.web.views.base import CONFLICT, kept, save

PORTFOLIO_FROM, PORTFOLIO_TO = 2000, 2010
PROJECT_LIMIT = 500
TASK_DUE_DEFAULT = dt.timedelta(days=14)  # a follow-up task is due before the next monthly meeting


def _lang() -> str:
    return "nb" if (get_language() or "nb").startswith("nb") else "en"


def _reader(request: AuthedRequest) -> None:
    reads.require_reader(request.user)


def _coordinator(request: AuthedRequest) -> None:
    reads.require_coordinator(request.user)


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
        "overdue": list(
            reads.tasks_visible_to(user=user)
            .filter(state=TaskState.OPEN, due_on__lt=clock.today())
            .select_related("responsible__agency", "decision__meeting__group")[:50]
        ),
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
    by_number = {m.number: m for m in measures_of(plan)}
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
    responsibilities = list(measure.responsibilities.select_related("ministry"))
    reports = list(
        reads.status_reports_visible_to(user=user)
        .filter(measure=measure)
        .select_related("ministry")
        .order_by("-year", "ministry__code")
    )
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
        "revisions": list(report.revisions.select_related("by")) if report else [],
    }


@require_http_methods(["GET", "POST"])
@login_required
def status_edit(request: AuthedRequest, measure_id: UUID, ministry: str, year: int) -> HttpResponse:
    """Write the ministry's status for the measure and year (a draft until submitted and approved)."""
    user = request.user
    measure = reads.measure_get_for_user(user=user, measure_id=measure_id)
    the_ministry = reads.ministry_get_for_user(user=user, code=ministry)
    if not reads.may_report_on(user=user, measure=measure, ministry=the_ministry):
        raise PermissionDenied
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
                        messages.success(
                            request, _("The status is saved and sent for approval by a second person.")
                        )
                        return redirect("coordination-status-report", report_id=done_report.pk)
                else:
                    messages.success(request, _("The status is saved as a draft."))
                    return redirect("coordination-status-report", report_id=done_report.pk)
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
        "revisions": list(report.revisions.select_related("by")),
        "projects": list(report.projects.select_related("agreement")),
        "may_edit": may_act and report.state == ReportState.DRAFT,
        "may_submit": may_act and report.state == ReportState.DRAFT,
        "may_approve": may_act and second_person and report.state == ReportState.SUBMITTED,
        "may_return": may_act and report.state == ReportState.SUBMITTED,
        "waiting_for_second": may_act and not second_person and report.state == ReportState.SUBMITTED,
        "submit_form": forms.get("submit_form")
        or VersionForm(initial={"version": report.version}, prefix="submit"),
        "approve_form": forms.get("approve_form")
        or VersionForm(initial={"version": report.version}, prefix="approve"),
        "return_form": forms.get("return_form")
        or ReturnForm(initial={"version": report.version}, prefix="return"),
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
    if not reads.may_report_on(user=user, measure=report.measure, ministry=report.ministry):
        raise PermissionDenied
    if step == "approve" and not reads.may_approve(user=user, report=report):
        raise PermissionDenied  # four eyes: not the one who wrote or submitted it
    form_class = ReturnForm if step == "return" else VersionForm
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
    }
    saved = save(form, services[step])
    if saved.ok:
        texts = {
            "submit": _("The status is sent for approval by a second person."),
            "approve": _("The status is approved: it is final."),
            "return": _("The status is returned to draft."),
        }
        messages.success(request, texts[step])
        return redirect("coordination-status-report", report_id=report.pk)
    report.refresh_from_db()
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
def portfolio_summary(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _reader(request)
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
def portfolio_projects(request: AuthedRequest) -> HttpResponse:
    _reader(request)
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
def portfolio_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record

    _reader(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404("Not found")
    projects = list(reads.projects_visible_to(user=request.user))
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=("coordination.portfolio", ""),
        detail={"projects": len(projects)},
    )
    if fmt == "xlsx":
        response = HttpResponse(export_xlsx(projects), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(export_csv(projects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="portfolio.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def portfolio_upload(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
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
                messages.success(
                    request,
                    _("%(rows)s rows imported: %(projects)s projects, %(agreements)s new agreements.")
                    % {
                        "rows": result.rows,
                        "projects": result.projects_created,
                        "agreements": result.agreements_created,
                    },
                )
                return redirect("coordination-portfolio-projects")
    else:
        form = PortfolioImportForm(prefix="import")
    return render(request, "web/coordination/portfolio_import.html", {"form": form, "problems": problems})


# --- groups and meetings ----------------------------------------------------------------------------------


@require_GET
@login_required
def group_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/coordination/groups.html",
        {
            "groups": list(reads.groups_visible_to(user=user).prefetch_related("members")),
            "coordinator": reads.is_coordinator(user),
            "form": GroupForm(prefix="group"),
        },
    )


@require_POST
@login_required
def group_new(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
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
            messages.success(request, _("The group is created."))
            return redirect("coordination-group", group_id=saved.result.pk)
    return render(
        request,
        "web/coordination/groups.html",
        {"groups": list(reads.groups_visible_to(user=request.user)), "coordinator": True, "form": form},
    )


def _group_page(request: AuthedRequest, group: Group, status: int = 200, **bound: Any) -> HttpResponse:
    overview = groups.group_overview(group)
    coordinator = reads.may_manage_group(request.user)
    return render(
        request,
        "web/coordination/group.html",
        {
            "group": group,
            "members": overview["members"],
            "meetings": overview["meetings"],
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


def _manage(request: AuthedRequest, group: Group) -> None:
    if not reads.may_manage_group(request.user):
        raise PermissionDenied


@require_POST
@login_required
def group_member_add(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    group = reads.group_get_for_user(user=request.user, group_id=group_id)
    _manage(request, group)
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
            messages.success(request, _("The member is added."))
            return redirect("coordination-group", group_id=group.pk)
    return _group_page(request, group, member_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_new(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    """Record a meeting; its first decision and a follow-up task may be written in the same form."""
    user = request.user
    group = reads.group_get_for_user(user=user, group_id=group_id)
    _manage(request, group)
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
                messages.success(request, _("The meeting is recorded."))
                return redirect("coordination-meeting", meeting_id=saved.result.pk)
    else:
        today = clock.today()
        form = MeetingForm(
            prefix="meeting", group=group, initial={"held_on": today, "due_on": today + TASK_DUE_DEFAULT}
        )
    return render(request, "web/coordination/meeting_new.html", {"group": group, "form": form})


def _meeting_page(request: AuthedRequest, meeting: Any, **bound: Any) -> HttpResponse:
    coordinator = reads.may_manage_group(request.user)
    decisions = list(
        meeting.decisions.prefetch_related("tasks__responsible__agency", "tasks__responsible__user")
    )
    task_rows = []
    for decision in decisions:
        for task in decision.tasks.all():
            may_done = task.state == TaskState.OPEN and groups.may_complete_task(request.user, task)
            task_rows.append(
                {
                    "task": task,
                    "decision": decision,
                    "overdue": task.state == TaskState.OPEN and task.due_on < clock.today(),
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
            "attendees": list(meeting.attendees.select_related("agency")),
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
    _manage(request, meeting.group)
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
            messages.success(request, _("The decision is recorded."))
            return redirect("coordination-meeting", meeting_id=meeting.pk)
    return _meeting_page(request, meeting, decision_form=form)


@require_POST
@login_required
def task_done(request: AuthedRequest, task_id: UUID) -> HttpResponse:
    user = request.user
    task = reads.task_get_for_user(user=user, task_id=task_id)
    if not groups.may_complete_task(user, task):
        raise PermissionDenied
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
        if not may_report:
            raise PermissionDenied
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
                messages.success(request, _("The issue is sent to KOM. You will see KOM's answer here."))
                return redirect("coordination-issue", issue_id=saved.result.pk)
    rows = list(reads.issues_visible_to(user=user).select_related("reporter_agency", "group")[:200])
    return render(
        request,
        "web/coordination/issues.html",
        {"issues": rows, "form": form, "coordinator": reads.is_coordinator(user)},
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
    if not reads.is_coordinator(user):
        raise PermissionDenied
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
            messages.success(request, _("The answer is saved; the reporter sees it."))
            return redirect("coordination-issue", issue_id=issue.pk)
        if saved.conflict:
            issue.refresh_from_db()
            return _issue_page(request, issue, status=CONFLICT, form=kept(form, issue.version))
    return _issue_page(request, issue, form=form)


# --- training, seminars, local units --------------------------------------------------------------------------


def _training_page(request: AuthedRequest, status: int = 200, **bound: Any) -> HttpResponse:
    return render(
        request,
        "web/coordination/training.html",
        {
            "sessions": list(
                TrainingSession.objects.select_related("course").prefetch_related("participants__agency")[
                    :100
                ]
            ),
            "shares": training.trained_shares(),
            "course_form": bound.get("course_form") or CourseForm(prefix="course"),
            "session_form": bound.get("session_form") or SessionForm(prefix="session"),
            "participant_form": bound.get("participant_form") or ParticipantForm(prefix="participant"),
            "courses": Course.objects.exists(),
        },
        status=status,
    )


@require_GET
@login_required
def training_page(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
    return _training_page(request)


@require_POST
@login_required
def training_course(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
    form = CourseForm(request.POST, prefix="course")
    if form.is_valid():
        d = form.cleaned_data
        if save(
            form, lambda: training.course_create(actor=request.user, topic=d["topic"], audience=d["audience"])
        ).ok:
            messages.success(request, _("The course is added."))
            return redirect("coordination-training")
    return _training_page(request, course_form=form)


@require_POST
@login_required
def training_session(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
    form = SessionForm(request.POST, prefix="session")
    if form.is_valid():
        d = form.cleaned_data
        if save(
            form,
            lambda: training.session_create(
                actor=request.user, course=d["course"], held_on=d["held_on"], place=d["place"]
            ),
        ).ok:
            messages.success(request, _("The session is added."))
            return redirect("coordination-training")
    return _training_page(request, session_form=form)


@require_POST
@login_required
def training_participant(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
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
            messages.success(request, _("The participant is added."))
            return redirect("coordination-training")
    return _training_page(request, participant_form=form)


def _seminars_page(request: AuthedRequest, **bound: Any) -> HttpResponse:
    return render(
        request,
        "web/coordination/seminars.html",
        {
            "seminars": list(Seminar.objects.prefetch_related("groups", "participants__agency")[:100]),
            "form": bound.get("form") or SeminarForm(prefix="seminar"),
            "participant_form": bound.get("participant_form") or SeminarParticipantForm(prefix="sp"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def seminar_list(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
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
                messages.success(request, _("The seminar is added."))
                return redirect("coordination-seminars")
        return _seminars_page(request, form=form)
    return _seminars_page(request)


@require_POST
@login_required
def seminar_participant(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
    form = SeminarParticipantForm(request.POST, prefix="sp")
    if form.is_valid():
        d = form.cleaned_data
        if save(
            form,
            lambda: groups.seminar_participant_add(
                actor=request.user, seminar=d["seminar"], agency=d["agency"], name=d["name"]
            ),
        ).ok:
            messages.success(request, _("The participant is added."))
            return redirect("coordination-seminars")
    return _seminars_page(request, participant_form=form)


def _units_page(request: AuthedRequest, **bound: Any) -> HttpResponse:
    return render(
        request,
        "web/coordination/local_units.html",
        {
            "units": list(
                reads.local_units_visible_to(user=request.user).prefetch_related(
                    "dispatches", "agencies", "members"
                )
            ),
            "form": bound.get("form") or LocalUnitForm(prefix="unit"),
            "dispatch_form": bound.get("dispatch_form")
            or DispatchForm(prefix="dispatch", initial={"year": clock.today().year - 1}),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def local_unit_list(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
    if request.method == "POST":
        form = LocalUnitForm(request.POST, prefix="unit")
        if form.is_valid():
            d = form.cleaned_data
            if save(form, lambda: groups.local_unit_create(actor=request.user, **d)).ok:
                messages.success(request, _("The local unit is added."))
                return redirect("coordination-local-units")
        return _units_page(request, form=form)
    return _units_page(request)


@require_POST
@login_required
def local_unit_dispatch(request: AuthedRequest) -> HttpResponse:
    _coordinator(request)
    form = DispatchForm(request.POST, prefix="dispatch")
    if form.is_valid():
        d = form.cleaned_data
        unit: LocalUnit = d["unit"]
        if save(form, lambda: groups.report_dispatch(actor=request.user, unit=unit, year=d["year"])).ok:
            messages.success(request, _("The report is sent to the local unit; its members can read it."))
            return redirect("coordination-local-units")
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
    reads.commission_report_check(user=request.user, year=year)
    if not 1990 <= year <= 2100:
        raise Http404("Not found")
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record

    audit_record(actor=request.user, action=AuditAction.VIEW, obj=("coordination.commission", str(year)))
    return commission.build(year, lang=_lang())


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
