"""The only way to KOM's national work for a user (varde.coordination). Nothing here is a victim's
data, but the rules still hold: what the user may not see answers 404, and reads of one record or of
a report are audited.

Rules (the facts are varde.coordination.roles, which the services refuse with):
- KOM coordinators see and manage everything here;
- ministry users see the plans, the measures, every approved status report, their own ministry's
  drafts and submitted reports, the portfolio and the reports to the commission;
- a group's members (a GroupMember row with their user) see the group, its meetings, minutes,
  decisions and tasks; nobody else but the coordinators does;
- an issue reported to KOM is seen by its reporter and the coordinators;
- the yearly report to the commission is also seen by the members of a local unit it was sent to;
- training and local units are the coordinators'.
The operator's CLI (user None) reads the plans and the portfolio, audited with no actor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.coordination import commission, selectors, training
from varde.coordination.measures import may_approve as may_approve
from varde.coordination.measures import may_report_on as may_report_on
from varde.coordination.models import (
    ActionPlan,
    Decision,
    FollowUpTask,
    Group,
    GroupMember,
    LocalUnit,
    Measure,
    Meeting,
    Ministry,
    Project,
    ReportDispatch,
    ReportedIssue,
    ReportState,
    StatusReport,
    TaskState,
)
from varde.coordination.portfolio_io import portfolio_summary, projects_with_amounts
from varde.coordination.roles import is_coordinator as is_coordinator
from varde.coordination.roles import is_ministry_user as is_ministry_user
from varde.coordination.roles import may_read_plans as may_read_plans
from varde.coordination.roles import may_report_for as may_report_for
from varde.coordination.roles import may_report_issue as may_report_issue
from varde.coordination.roles import member_group_ids, ministries_of

from .cases import get_or_404


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404("Not found")


def _reader(user: User | None) -> bool:
    """The operator (None) or a coordinator or ministry user."""
    return user is None or may_read_plans(user)


# --- plans and measures ----------------------------------------------------------------------------------


def plans_visible_to(*, user: User) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.all() if may_read_plans(user) else ActionPlan.objects.none()


def plan_get_for_user(*, user: User | None, plan_code: str) -> ActionPlan:
    _require(_reader(user))
    plan = ActionPlan.objects.filter(code=plan_code).first()
    _require(plan is not None)
    assert plan is not None
    return plan


def measure_get_for_user(*, user: User, measure_id: UUID | str) -> Measure:
    _require(may_read_plans(user))
    return get_or_404(Measure.objects.select_related("plan", "chapter"), measure_id)


def measure_rows_for_user(
    *, user: User | None, plan_code: str, year: int | None = None, lang: str = "en"
) -> list[dict[str, Any]]:
    """The measures of a plan with their ministries and status (the CLI's and the API's list)."""
    plan = plan_get_for_user(user=user, plan_code=plan_code)
    audit_record(actor=user, action=AuditAction.LIST, obj=plan, detail={"year": year})
    return selectors.measure_rows(plan, year=year, lang=lang)


def ministry_get_for_user(*, user: User, code: str) -> Ministry:
    _require(may_read_plans(user))
    ministry = Ministry.objects.filter(code=code).first()
    _require(ministry is not None)
    assert ministry is not None
    return ministry


def ministries_for_reporting(*, user: User) -> list[Ministry]:
    """The ministries the user writes for: their own, or every ministry for a coordinator."""
    if is_coordinator(user):
        return list(Ministry.objects.all())
    return ministries_of(user)


def status_reports_visible_to(*, user: User) -> QuerySet[StatusReport]:
    if is_coordinator(user):
        return StatusReport.objects.all()
    mine = [m.pk for m in ministries_of(user)]
    if not mine:
        return StatusReport.objects.none()
    return StatusReport.objects.filter(Q(state=ReportState.APPROVED) | Q(ministry_id__in=mine))


def status_report_get_for_user(*, user: User, report_id: UUID | str) -> StatusReport:
    report = get_or_404(
        status_reports_visible_to(user=user).select_related("measure__plan", "ministry"), report_id
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=report)
    return report


def status_report_find(*, user: User, measure: Measure, ministry: Ministry, year: int) -> StatusReport | None:
    report = (
        status_reports_visible_to(user=user)
        .filter(measure=measure, ministry=ministry, year=year)
        .select_related("written_by", "submitted_by", "approved_by")
        .first()
    )
    if report is not None:
        audit_record(actor=user, action=AuditAction.VIEW, obj=report)
    return report


def status_reports_of_measure(*, user: User, measure: Measure) -> list[StatusReport]:
    """The measure's status reports the user may see, newest year first."""
    return list(
        status_reports_visible_to(user=user)
        .filter(measure=measure)
        .select_related("ministry")
        .order_by("-year", "ministry__code")
    )


def ministry_report_for_user(*, user: User, ministry_code: str, year: int) -> selectors.MinistryReport:
    """A ministry's measure-by-measure report for a year: approved reports for everyone who reads the
    plans; the ministry's own users and the coordinators also see its drafts."""
    ministry = ministry_get_for_user(user=user, code=ministry_code)
    _require(1900 <= year <= 2100)
    plan = selectors.plan_for_year(year)
    _require(plan is not None)
    assert plan is not None
    report = selectors.ministry_report(
        plan=plan, ministry=ministry, year=year, include_drafts=may_report_for(user, ministry)
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=ministry, detail={"report_year": year})
    return report


# --- the portfolio ---------------------------------------------------------------------------------------


def portfolio_summary_for_user(*, user: User | None, year_from: int, year_to: int) -> dict[str, Any]:
    _require(_reader(user))
    result = portfolio_summary(year_from=year_from, year_to=year_to)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=("coordination.portfolio", f"{year_from}-{year_to}"),
        detail={"from": year_from, "to": year_to},
    )
    return result


def projects_visible_to(*, user: User | None) -> QuerySet[Project]:
    return projects_with_amounts() if _reader(user) else Project.objects.none()


def projects_for_export(*, user: User) -> list[Project]:
    """Every project with its amounts, for the spreadsheet; the export is audited."""
    _require(_reader(user))
    projects = list(projects_visible_to(user=user))
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=("coordination.portfolio", ""),
        detail={"projects": len(projects)},
    )
    return projects


# --- groups and meetings -----------------------------------------------------------------------------------


def groups_visible_to(*, user: User) -> QuerySet[Group]:
    if is_coordinator(user):
        return Group.objects.all()
    return Group.objects.filter(pk__in=member_group_ids(user))


def groups_with_members_visible_to(*, user: User) -> list[Group]:
    return list(groups_visible_to(user=user).prefetch_related("members__agency"))


def group_get_for_user(*, user: User, group_id: UUID | str) -> Group:
    group = get_or_404(groups_visible_to(user=user), group_id)
    audit_record(actor=user, action=AuditAction.VIEW, obj=group)
    return group


def meeting_get_for_user(*, user: User, meeting_id: UUID | str) -> Meeting:
    meeting = get_or_404(
        Meeting.objects.filter(group__in=groups_visible_to(user=user)).select_related("group"), meeting_id
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=meeting)
    return meeting


def decision_get_for_user(*, user: User, decision_id: UUID | str) -> Decision:
    return get_or_404(
        Decision.objects.filter(meeting__group__in=groups_visible_to(user=user)).select_related(
            "meeting__group"
        ),
        decision_id,
    )


def task_get_for_user(*, user: User, task_id: UUID | str) -> FollowUpTask:
    return get_or_404(
        FollowUpTask.objects.filter(decision__meeting__group__in=groups_visible_to(user=user)).select_related(
            "decision__meeting__group", "responsible__user"
        ),
        task_id,
    )


def member_get_for_user(*, user: User, member_id: UUID | str) -> GroupMember:
    """A member of a group the user sees (with their 24-hour contact); the read is audited."""
    member = get_or_404(
        GroupMember.objects.filter(group__in=groups_visible_to(user=user)).select_related(
            "group", "agency", "user"
        ),
        member_id,
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=member)
    return member


def may_manage_group(user: User) -> bool:
    return is_coordinator(user)


def tasks_visible_to(*, user: User) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.filter(decision__meeting__group__in=groups_visible_to(user=user))


def overdue_tasks_visible_to(*, user: User, today: dt.date, limit: int = 50) -> list[FollowUpTask]:
    """Open follow-up tasks past their date in the groups the user sees, oldest first."""
    return list(
        tasks_visible_to(user=user)
        .filter(state=TaskState.OPEN, due_on__lt=today)
        .select_related("responsible__agency", "decision__meeting__group")[:limit]
    )


# --- issues ------------------------------------------------------------------------------------------------


def issues_visible_to(*, user: User) -> QuerySet[ReportedIssue]:
    if is_coordinator(user):
        return ReportedIssue.objects.all()
    if not may_report_issue(user):
        return ReportedIssue.objects.none()
    return ReportedIssue.objects.filter(reporter=user)


def issue_rows_for_user(*, user: User, limit: int = 200) -> list[ReportedIssue]:
    return list(issues_visible_to(user=user).select_related("reporter_agency", "group")[:limit])


def issue_get_for_user(*, user: User, issue_id: UUID | str) -> ReportedIssue:
    issue = get_or_404(issues_visible_to(user=user).select_related("reporter_agency", "group"), issue_id)
    audit_record(actor=user, action=AuditAction.VIEW, obj=issue)
    return issue


# --- local units, training, the commission report ----------------------------------------------------------


def local_units_visible_to(*, user: User) -> QuerySet[LocalUnit]:
    return LocalUnit.objects.all() if is_coordinator(user) else LocalUnit.objects.none()


def local_units_for_page(*, user: User) -> list[LocalUnit]:
    return list(local_units_visible_to(user=user).prefetch_related("dispatches", "agencies", "members"))


def local_unit_get_for_user(*, user: User, unit_id: UUID | str) -> LocalUnit:
    return get_or_404(local_units_visible_to(user=user), unit_id)


def require_coordinator(user: User) -> None:
    """Pages for KOM's coordinators only (training, local units, seminars): others 404."""
    _require(is_coordinator(user))


def require_reader(user: User) -> None:
    """Pages for coordinators and ministry users: others 404."""
    _require(may_read_plans(user))


def commission_years_for(*, user: User) -> set[int] | None:
    """The years of the commission report the user may read: None for every year (coordinators and
    ministry users), else the years sent to a local unit the user is a member of."""
    if may_read_plans(user):
        return None
    if not user.is_active:
        return set()
    return set(ReportDispatch.objects.filter(unit__members=user).values_list("year", flat=True))


def commission_report_check(*, user: User, year: int) -> None:
    _require(1900 <= year <= 2100)
    years = commission_years_for(user=user)
    _require(years is None or year in years)


def commission_report_for_user(*, user: User, year: int, lang: str) -> commission.CommissionReport:
    """The yearly report to the commission, for those who may read that year's; the read is audited."""
    commission_report_check(user=user, year=year)
    audit_record(actor=user, action=AuditAction.VIEW, obj=("coordination.commission", str(year)))
    return commission.build(year, lang=lang)


def training_for_user(*, user: User, as_of: dt.date) -> dict[str, Any]:
    """The training page's content (coordinators only): the newest sessions, and per agency its
    reports of possible victims beside its share of caseworkers trained in the two years to `as_of`."""
    require_coordinator(user)
    since, until = training.training_window(as_of)
    return {
        "sessions": selectors.training_sessions(),
        "courses": selectors.courses_exist(),
        "shares": training.trained_shares(as_of=as_of),
        "since": since,
        "until": until,
    }
