"""Reads that do not depend on who asks (the user-scoped ones are in varde.access.coordination).

A measure's status for a year is that of its approved (final) reports; with several ministries
reporting, the lead ministry's report speaks first, then the others in the plan's order. Drafts and
submitted reports are not a status.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from .models import (
    ActionPlan,
    Course,
    Decision,
    Group,
    GroupMember,
    Measure,
    MeasureMinistry,
    Meeting,
    Ministry,
    Project,
    ReportState,
    Seminar,
    StatusReport,
    StatusReportRevision,
    TrainingSession,
)


def measures_of(plan: ActionPlan) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(plan=plan)
        .select_related("chapter", "plan")
        .prefetch_related(
            Prefetch("responsibilities", queryset=MeasureMinistry.objects.select_related("ministry"))
        )
        .order_by("number")
    )


def approved_status(plan: ActionPlan, year: int | None) -> dict[Any, StatusReport]:
    """measure id -> the approved report that gives its status in the year (None: the latest year)."""
    qs = StatusReport.objects.filter(measure__plan=plan, state=ReportState.APPROVED).select_related(
        "ministry"
    )
    if year is not None:
        qs = qs.filter(year=year)
    order: dict[Any, dict[Any, int]] = defaultdict(dict)
    for r in MeasureMinistry.objects.filter(measure__plan=plan):
        order[r.measure_id][r.ministry_id] = -1 if r.is_lead else r.position
    best: dict[Any, StatusReport] = {}
    for report in qs:
        key = (-report.year, order[report.measure_id].get(report.ministry_id, 99), report.ministry.code)
        current = best.get(report.measure_id)
        if current is None or key < (
            -current.year,
            order[current.measure_id].get(current.ministry_id, 99),
            current.ministry.code,
        ):
            best[report.measure_id] = report
    return best


def measure_rows(plan: ActionPlan, *, year: int | None = None, lang: str = "en") -> list[dict[str, Any]]:
    """The CLI's and the API's list: [{"number", "chapter", "ministries", "lead", "status", "year",
    "text", "verified"}]."""
    status = approved_status(plan, year)
    rows = []
    for m in measures_of(plan):
        responsibilities = list(m.responsibilities.all())
        report = status.get(m.pk)
        rows.append(
            {
                "number": m.number,
                "chapter": m.chapter.number if m.chapter else None,
                "ministries": [r.ministry.code for r in responsibilities],
                "lead": next((r.ministry.code for r in responsibilities if r.is_lead), None),
                "status": report.status if report else None,
                "year": report.year if report else None,
                "text": m.text(lang),
                "verified": {
                    "text": m.text_verified,
                    "ministries": m.ministries_verified,
                    "chapter": m.chapter_verified,
                },
            }
        )
    return rows


def plan_for_year(year: int) -> ActionPlan | None:
    return ActionPlan.objects.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year").first()


def ministry_measures(plan: ActionPlan, ministry: Ministry) -> QuerySet[Measure]:
    """The measures the plan gives the ministry, and those it reported on where the sources leave the
    ministries open."""
    reported = StatusReport.objects.filter(measure__plan=plan, ministry=ministry).values("measure_id")
    given = MeasureMinistry.objects.filter(measure__plan=plan, ministry=ministry).values("measure_id")
    return measures_of(plan).filter(Q(pk__in=given) | Q(pk__in=reported))


@dataclass
class MinistryReportItem:
    measure: Measure
    report: StatusReport | None
    projects: list[Project] = field(default_factory=list)


@dataclass
class MinistryReport:
    """A ministry's measure-by-measure report for a year, in the shape of seed 004: a summary (status
    counts, spending, projects supported) and one section per measure."""

    plan: ActionPlan
    ministry: Ministry
    year: int
    items: list[MinistryReportItem]
    drafts_included: bool

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for item in self.items:
            out[item.report.status if item.report else "none"] += 1
        return dict(out)

    @property
    def spending_nok(self) -> int:
        return sum(i.report.spending_nok or 0 for i in self.items if i.report)

    @property
    def final(self) -> bool:
        return all(i.report is not None and i.report.is_final for i in self.items)


def ministry_report(
    *, plan: ActionPlan, ministry: Ministry, year: int, include_drafts: bool
) -> MinistryReport:
    """The report; without include_drafts only approved reports appear (the others show as not yet
    reported)."""
    reports = StatusReport.objects.filter(measure__plan=plan, ministry=ministry, year=year).prefetch_related(
        Prefetch("projects", queryset=Project.objects.select_related("agreement").prefetch_related("amounts"))
    )
    if not include_drafts:
        reports = reports.filter(state=ReportState.APPROVED)
    by_measure = {r.measure_id: r for r in reports}
    items = []
    for m in ministry_measures(plan, ministry):
        report = by_measure.get(m.pk)
        items.append(MinistryReportItem(m, report, list(report.projects.all()) if report else []))
    return MinistryReport(plan, ministry, year, items, include_drafts)


# --- what the pages show beside a record (the record itself comes through varde.access) ----------------


def measure_responsibilities(measure: Measure) -> list[MeasureMinistry]:
    """The measure's ministries, lead first in the plan's order."""
    return list(measure.responsibilities.select_related("ministry"))


def report_revisions(report: StatusReport) -> list[StatusReportRevision]:
    """Every saved step of a status report, oldest first."""
    return list(report.revisions.select_related("by"))


def report_projects(report: StatusReport) -> list[Project]:
    return list(report.projects.select_related("agreement"))


def group_members(group: Group, *, active_only: bool = False) -> list[GroupMember]:
    members = group.members.select_related("agency", "user")
    return list(members.filter(is_active=True) if active_only else members)


def group_meetings(group: Group) -> list[Meeting]:
    """The group's meetings, newest first, with attendees, decisions and tasks (fixed query count)."""
    return list(
        group.meetings.prefetch_related("attendees", "decisions__tasks__responsible").order_by("-held_on")
    )


def meeting_attendees(meeting: Meeting) -> list[GroupMember]:
    return list(meeting.attendees.select_related("agency"))


def meeting_decisions(meeting: Meeting) -> list[Decision]:
    """The meeting's decisions with their tasks and who is responsible for each."""
    return list(meeting.decisions.prefetch_related("tasks__responsible__agency", "tasks__responsible__user"))


def training_sessions(*, limit: int = 100) -> list[TrainingSession]:
    """The newest sessions with their course and participants."""
    return list(
        TrainingSession.objects.select_related("course").prefetch_related("participants__agency")[:limit]
    )


def courses_exist() -> bool:
    return Course.objects.exists()


def seminars(*, limit: int = 100) -> list[Seminar]:
    return list(Seminar.objects.prefetch_related("groups", "participants__agency")[:limit])
