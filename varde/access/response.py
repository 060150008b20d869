"""The coordinated response's reads for the pages and the API. Case data only through varde.access.cases: a user sees a case's
response data only if they may see the case. Lists are built with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from varde.accounts.models import Agency, Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case, CaseStatus
from varde.core import clock as vclock
from varde.core.errors import NotPermitted
from varde.response import dates
from varde.response.clocks import ClockSnapshot, case_clocks_as_of
from varde.response.legal_status import legal_status_current
from varde.response.models import (
    OPEN_CLOCK_STATES,
    AgencyContact,
    Clock,
    ClockChange,
    ClockState,
    IndividualPlan,
    LegalStatus,
    Meeting,
    MissingEpisode,
    Notification,
    Placement,
    Task,
    TaskStatus,
)
from varde.response.routing import inbox_filter
from varde.response.rules import clock_label, lang_of

from .cases import cases_visible_to, get_or_404

# --- visibility --------------------------------------------------------------------------------------


def clocks_visible_to(*, user: User) -> QuerySet[Clock]:
    return Clock.objects.filter(case__in=cases_visible_to(user=user))


def placements_visible_to(*, user: User) -> QuerySet[Placement]:
    return Placement.objects.filter(case__in=cases_visible_to(user=user))


def tasks_visible_to(*, user: User) -> QuerySet[Task]:
    return Task.objects.filter(case__in=cases_visible_to(user=user))


def meetings_visible_to(*, user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(case__in=cases_visible_to(user=user))


def missing_episodes_visible_to(*, user: User) -> QuerySet[MissingEpisode]:
    return MissingEpisode.objects.filter(case__in=cases_visible_to(user=user))


def legal_statuses_visible_to(*, user: User) -> QuerySet[LegalStatus]:
    return LegalStatus.objects.filter(case__in=cases_visible_to(user=user))


def clocks_of_case(*, user: User, case: Case) -> QuerySet[Clock]:
    """One case's deadlines that the user may see, soonest first, with the agency answering for each."""
    return (
        clocks_visible_to(user=user)
        .filter(case=case)
        .select_related("responsible_agency")
        .order_by("due_at", "id")
    )


def open_clocks_of_case(*, user: User, case: Case) -> QuerySet[Clock]:
    """One case's deadlines still running or paused (the case page's summary)."""
    return clocks_visible_to(user=user).filter(case=case, state__in=OPEN_CLOCK_STATES)


@dataclass(frozen=True)
class CaseResponseRecords:
    """What a case's response page lists, each in its model's order."""

    clocks: list[Clock]
    task_clock_ids: set[Any]  # clocks met by completing their task
    tasks: list[Task]
    meetings: list[Meeting]
    episodes: list[MissingEpisode]
    statuses: list[LegalStatus]
    placements: list[Placement]


def case_response_records(*, user: User, case: Case) -> CaseResponseRecords:
    """Deadlines, tasks, meetings, disappearances, legal statuses and placements of one case that the
    user may see, in a fixed number of queries."""
    tasks = tasks_visible_to(user=user).filter(case=case)
    return CaseResponseRecords(
        clocks=list(clocks_of_case(user=user, case=case)),
        task_clock_ids=set(tasks.filter(clock__isnull=False).values_list("clock_id", flat=True)),
        tasks=list(tasks.select_related("responsible_agency", "responsible_user")),
        meetings=list(
            meetings_visible_to(user=user)
            .filter(case=case)
            .prefetch_related("participants", "decisions__task")
        ),
        episodes=list(missing_episodes_visible_to(user=user).filter(case=case)),
        statuses=list(legal_statuses_visible_to(user=user).filter(case=case)),
        placements=list(
            placements_visible_to(user=user).filter(case=case).select_related("recorded_by_agency")
        ),
    )


def clock_get_for_user(*, user: User, clock_id: UUID | str) -> Clock:
    return get_or_404(clocks_visible_to(user=user).select_related("case"), clock_id)


def task_get_for_user(*, user: User, task_id: UUID | str) -> Task:
    return get_or_404(tasks_visible_to(user=user).select_related("case"), task_id)


def missing_episode_get_for_user(*, user: User, episode_id: UUID | str) -> MissingEpisode:
    return get_or_404(missing_episodes_visible_to(user=user).select_related("case"), episode_id)


# --- notifications -------------------------------------------------------------------------------------


def notifications_inbox(*, user: User, open_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app inbox: to them, or to their agency (and role). Texts hold no personal data;
    an agency not taking part sees the reference and what to do."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    qs = Notification.objects.filter(inbox_filter(user)).select_related(
        "case", "recipient_agency", "acknowledged_by"
    )
    return qs.filter(acknowledged_at__isnull=True) if open_only else qs


def notification_get_for_user(*, user: User, notification_id: UUID | str) -> Notification:
    notification = get_or_404(notifications_inbox(user=user), notification_id)
    audit_record(actor=user, action=AuditAction.VIEW, obj=notification, agency=notification.recipient_agency)
    return notification


def agency_directory(*, user: User) -> list[tuple[Agency, AgencyContact | None]]:
    """The 24-hour directory: every active agency and its on-call contact (agency data only)."""
    if not user.can_work_with_cases and not user.is_system_admin:
        return []
    contacts = {c.agency_id: c for c in AgencyContact.objects.all()}
    return [(a, contacts.get(a.pk)) for a in Agency.objects.filter(is_active=True).order_by("name")]


# --- the coordinator's national view -------------------------------------------------------------------


@dataclass(frozen=True)
class ClockRow:
    clock_id: UUID
    case_id: UUID
    reference: str
    kind: str
    label: str
    due_at: dt.datetime
    ends_on: dt.date | None
    state: str
    overdue: bool


@dataclass
class AgencyClocks:
    agency: Agency | None
    about_to_run_out: list[ClockRow] = field(default_factory=list)
    missed: list[ClockRow] = field(default_factory=list)


def _row(clk: Clock, now: dt.datetime, language: str) -> ClockRow:
    return ClockRow(
        clock_id=clk.pk,
        case_id=clk.case_id,
        reference=clk.case.reference,
        kind=clk.kind,
        label=clock_label(clk.kind, language),
        due_at=clk.due_at,
        ends_on=clk.ends_on,
        state=clk.state,
        overdue=clk.due_at <= now,
    )


def national_clock_view(
    *, user: User, language: str = "nb", now: dt.datetime | None = None
) -> list[AgencyClocks]:
    """For KOM coordinators: clocks about to run out (in their warning window) and missed ones
    (recorded missed, or running past due before the worker's next pass), grouped by the
    responsible agency. Case references only, no personal data. Three queries."""
    if not user.is_coordinator:
        raise NotPermitted("Only coordinators see the national view.")
    now = now or vclock.now()
    lang = lang_of(language)
    clocks = (
        Clock.objects.filter(Q(state=ClockState.RUNNING, warn_at__lte=now) | Q(state=ClockState.MISSED))
        .select_related("case", "responsible_agency")
        .order_by("due_at")
    )
    groups: dict[Any, AgencyClocks] = {}
    for clk in clocks:
        group = groups.setdefault(clk.responsible_agency_id, AgencyClocks(clk.responsible_agency))
        row = _row(clk, now, lang)
        if clk.state == ClockState.MISSED or row.overdue:
            group.missed.append(row)
        else:
            group.about_to_run_out.append(row)
    return sorted(groups.values(), key=lambda g: g.agency.name if g.agency else "")


def children_without_plan(*, user: User) -> QuerySet[Case]:
    """Open children's cases with no individual plan yet (every child must have one)."""
    if not user.is_coordinator:
        raise NotPermitted("Only coordinators see the national view.")
    return (
        Case.objects.filter(is_child=True, individual_plan__isnull=True)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("lead_agency")
        .order_by("opened_at")
    )


def missing_episode_counts(*, user: User) -> list[dict[str, Any]]:
    """Disappearances counted by where from, status, and child or adult. No identities; disclosure
    control (suppressing small cells) is applied where figures are published (statistics)."""
    if not (user.is_coordinator or user.has_role(Role.ANALYST)):
        raise NotPermitted("Only coordinators and analysts see these figures.")
    rows = (
        MissingEpisode.objects.values("missing_from", "status", "was_child")
        .annotate(n=Count("id"))
        .order_by("missing_from", "status", "was_child")
    )
    return [dict(row) for row in rows]


# --- a caseworker's next actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class NextAction:
    kind: str  # "task" | "clock" | "acknowledge"
    due_at: dt.datetime | None
    case_id: UUID | None
    reference: str
    label: str
    object_id: UUID
    overdue: bool


def my_next_actions(*, user: User, language: str = "nb", now: dt.datetime | None = None) -> list[NextAction]:
    """What the user (or their agency) must do next and by when: open tasks, open deadlines their
    agency answers for, notifications waiting for acknowledgement. Soonest first. Three queries."""
    now = now or vclock.now()
    lang = lang_of(language)
    agencies = user.case_agency_ids()
    visible = cases_visible_to(user=user)
    actions: list[NextAction] = []
    tasks = (
        Task.objects.filter(case__in=visible, status=TaskStatus.OPEN)
        .filter(
            Q(responsible_user=user) | Q(responsible_user__isnull=True, responsible_agency_id__in=agencies)
        )
        .select_related("case", "clock")
    )
    for task in tasks:
        due = task.clock.due_at if task.clock else dates.end_of_day(task.due_date)
        actions.append(
            NextAction("task", due, task.case_id, task.case.reference, task.title, task.pk, due <= now)
        )
    clocks = (
        Clock.objects.filter(case__in=visible, state__in=OPEN_CLOCK_STATES, task__isnull=True)
        .filter(Q(responsible_user=user) | Q(responsible_agency_id__in=agencies))
        .select_related("case")
    )
    for clk in clocks:
        actions.append(
            NextAction(
                "clock",
                clk.due_at,
                clk.case_id,
                clk.case.reference,
                clock_label(clk.kind, lang),
                clk.pk,
                clk.due_at <= now,
            )
        )
    waiting = (
        notifications_inbox(user=user, open_only=True)
        .filter(Q(ack_due_at__isnull=False) | Q(ack_clock__isnull=False))
        .select_related("ack_clock")
    )
    for n in waiting:
        ack_by: dt.datetime | None = n.ack_due_at or (n.ack_clock.due_at if n.ack_clock else None)
        actions.append(
            NextAction(
                "acknowledge",
                ack_by,
                n.case_id,
                n.case.reference if n.case else "",
                n.text(lang),
                n.pk,
                bool(ack_by and ack_by <= now),
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(actions, key=lambda a: (a.due_at or far, a.reference))


# --- the case timeline and the case as it stood -----------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str
    label: str
    object_type: str
    object_id: Any
    data: dict[str, Any] = field(default_factory=dict)


def _visible_case(user: User, case: Case) -> Case:
    return get_or_404(cases_visible_to(user=user), case.pk)


def case_response_timeline(*, user: User, case: Case, language: str = "nb") -> list[TimelineEntry]:
    """Clock changes, notifications sent, placements, plan, tasks, meetings, disappearances and legal
    status of one case, newest first, for merging into the case timeline. A fixed number of queries."""
    case = _visible_case(user, case)
    lang = lang_of(language)
    out: list[TimelineEntry] = []
    for ch in ClockChange.objects.filter(clock__case=case).select_related("clock", "by_agency"):
        out.append(
            TimelineEntry(
                ch.at,
                f"clock_{ch.action}",
                clock_label(ch.clock.kind, lang),
                "clock",
                ch.clock_id,
                {
                    "state": ch.state,
                    "due_at": ch.due_at,
                    "reason": ch.reason,
                    "agency": ch.by_agency.name if ch.by_agency else "",
                },
            )
        )
    for n in Notification.objects.filter(case=case).select_related("recipient_agency"):
        out.append(
            TimelineEntry(
                n.created_at,
                f"notification_{n.kind}",
                n.text(lang),
                "notification",
                n.pk,
                {"agency": n.recipient_agency.name, "acknowledged_at": n.acknowledged_at},
            )
        )
    for p in Placement.objects.filter(case=case):
        out.append(
            TimelineEntry(
                p.from_at,
                "placement",
                p.get_kind_display(),
                "placement",
                p.pk,
                {"to_at": p.to_at, "description": p.description},
            )
        )
    plan = IndividualPlan.objects.filter(case=case).first()
    if plan is not None:
        out.append(TimelineEntry(plan.created_at, "plan_created", "individual plan", "plan", plan.pk))
    for t in Task.objects.filter(case=case).select_related("responsible_agency"):
        out.append(
            TimelineEntry(
                t.created_at,
                f"task_{t.origin}",
                t.title,
                "task",
                t.pk,
                {"due_date": t.due_date, "status": t.status, "agency": t.responsible_agency.name},
            )
        )
    for m in Meeting.objects.filter(case=case).prefetch_related("participants", "decisions"):
        out.append(
            TimelineEntry(
                m.held_at,
                "meeting",
                "coordination meeting",
                "meeting",
                m.pk,
                {
                    "participants": [a.name for a in m.participants.all()],
                    "decisions": [d.text for d in m.decisions.all()],
                },
            )
        )
    for e in MissingEpisode.objects.filter(case=case):
        out.append(
            TimelineEntry(
                e.last_seen_at,
                "missing",
                e.get_missing_from_display(),
                "missing_episode",
                e.pk,
                {
                    "status": e.status,
                    "ended_at": e.ended_at,
                    "reported_to_police_at": e.reported_to_police_at,
                },
            )
        )
    for s in LegalStatus.objects.filter(case=case):
        at = dt.datetime(s.from_date.year, s.from_date.month, s.from_date.day, tzinfo=dates.OSLO)
        out.append(
            TimelineEntry(
                at,
                "legal_status",
                s.get_kind_display(),
                "legal_status",
                s.pk,
                {"to_date": s.to_date, "withdraws": s.withdraws_id, "corrects": s.corrects_id},
            )
        )
    return sorted(out, key=lambda e: e.at, reverse=True)


@dataclass
class CaseResponseAsOf:
    at: dt.datetime
    clocks: list[ClockSnapshot]
    legal_status: list[LegalStatus]
    placements: list[Placement]


def case_response_as_of(*, user: User, case: Case, at: dt.datetime) -> CaseResponseAsOf:
    """The case's clocks and legal status as they were recorded at `at` ("what did we know on
    4 October 2005?"), and where the person stayed then (by the stay's from/to dates)."""
    case = _visible_case(user, case)
    placements = list(
        Placement.objects.filter(case=case, from_at__lte=at).filter(Q(to_at__isnull=True) | Q(to_at__gt=at))
    )
    return CaseResponseAsOf(
        at=at,
        clocks=case_clocks_as_of(case, at),
        legal_status=legal_status_current(case=case, on=dates.local_date(at), at=at),
        placements=placements,
    )
