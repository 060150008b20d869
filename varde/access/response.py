"""The coordinated response's reads for the pages and the API. Case data only through varde.access.cases: a user sees a case's
response data only if they may see the case. Lists are built with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, Min, Q, QuerySet

from varde.accounts.models import Agency, Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import open_to_q
from varde.cases.models import Case, CaseStatus
from varde.core import clock as vclock
from varde.core.errors import NotPermitted
from varde.response import dates
from varde.response.clocks import ClockSnapshot, case_clocks_as_of
from varde.response.legal_status import legal_status_current
from varde.response.models import (
    LISTED_STATES,
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
    PoliceCooperation,
    ReturnFollowUp,
    Task,
    VoluntaryReturn,
)
from varde.response.routing import inbox_branches, inbox_filter
from varde.response.rules import clock_label, clock_state_label, lang_of, urgent_kinds

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


def police_cooperation_visible_to(*, user: User) -> QuerySet[PoliceCooperation]:
    return PoliceCooperation.objects.filter(case__in=cases_visible_to(user=user))


def voluntary_returns_visible_to(*, user: User) -> QuerySet[VoluntaryReturn]:
    return VoluntaryReturn.objects.filter(case__in=cases_visible_to(user=user))


def return_follow_ups_visible_to(*, user: User) -> QuerySet[ReturnFollowUp]:
    return ReturnFollowUp.objects.filter(voluntary_return__case__in=cases_visible_to(user=user))


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
    cooperation: list[PoliceCooperation] = field(default_factory=list)
    returns: list[VoluntaryReturn] = field(default_factory=list)  # with their follow-ups prefetched


def case_response_records(*, user: User, case: Case) -> CaseResponseRecords:
    """Deadlines, tasks, meetings, disappearances, legal statuses, placements, cooperation with the
    police and voluntary returns (with their follow-ups) of one case that the user may see, in a fixed
    number of queries."""
    tasks = tasks_visible_to(user=user).filter(case=case)
    return CaseResponseRecords(
        clocks=list(clocks_of_case(user=user, case=case)),
        task_clock_ids=set(tasks.filter(clock__isnull=False).values_list("clock_id", flat=True)),
        tasks=list(tasks.select_related("responsible_agency", "responsible_user")),
        meetings=list(
            meetings_visible_to(user=user)
            .filter(case=case)
            .prefetch_related("participants", "decisions__task__responsible_agency")
        ),
        episodes=list(missing_episodes_visible_to(user=user).filter(case=case)),
        statuses=list(legal_statuses_visible_to(user=user).filter(case=case)),
        placements=list(
            placements_visible_to(user=user).filter(case=case).select_related("recorded_by_agency")
        ),
        cooperation=list(
            police_cooperation_visible_to(user=user).filter(case=case).select_related("recorded_by_agency")
        ),
        returns=list(
            voluntary_returns_visible_to(user=user).filter(case=case).prefetch_related("follow_ups")
        ),
    )


def clock_get_for_user(*, user: User, clock_id: UUID | str) -> Clock:
    return get_or_404(clocks_visible_to(user=user).select_related("case"), clock_id)


def task_get_for_user(*, user: User, task_id: UUID | str) -> Task:
    return get_or_404(tasks_visible_to(user=user).select_related("case"), task_id)


def meeting_get_for_user(*, user: User, meeting_id: UUID | str) -> Meeting:
    return get_or_404(meetings_visible_to(user=user).select_related("case"), meeting_id)


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


INBOX_GROUPS_PER_PAGE = 10
INBOX_SHOWN_PER_GROUP = 5  # at most 50 notifications a page, as the deadline lists


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: a notification kind, one case (by reference), urgent or not, and
    acknowledged or not (None: both)."""

    kind: str = ""
    case: str = ""
    urgent: bool | None = None
    acknowledged: bool | None = False


def inbox_filtered(*, user: User, filter: InboxFilter) -> QuerySet[Notification]:  # noqa: A002
    """The user's inbox narrowed by the filter (unordered; for counting and bulk acknowledging)."""
    qs = Notification.objects.filter(inbox_filter(user)) if user.is_authenticated and user.is_active else None
    if qs is None:
        return Notification.objects.none()
    if filter.kind:
        qs = qs.filter(kind=filter.kind)
    if filter.case:
        qs = qs.filter(case__reference__iexact=filter.case.strip())
    if filter.urgent is not None:
        urgent = Q(kind__in=sorted(urgent_kinds()))
        qs = qs.filter(urgent if filter.urgent else ~urgent)
    if filter.acknowledged is not None:
        qs = qs.filter(acknowledged_at__isnull=not filter.acknowledged)
    return qs


@dataclass(frozen=True)
class InboxItem:
    notification: Notification
    urgent: bool
    focus_after: UUID | None  # where the keyboard focus goes once this one is acknowledged


@dataclass(frozen=True)
class InboxGroup:
    case_id: UUID | None
    reference: str
    count: int
    open: int
    items: list[InboxItem]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass
class InboxPage:
    groups: list[InboxGroup]
    number: int
    pages: int
    total: int  # notifications matching the filter
    filter: InboxFilter

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def inbox_page(*, user: User, filter: InboxFilter | None = None, page: int = 1) -> InboxPage:  # noqa: A002
    """The inbox, notifications about one case grouped (the case with the newest notification first),
    a page of groups at a time. Counts from the database; four queries whatever the inbox holds."""
    f = filter or InboxFilter()
    qs = inbox_filtered(user=user, filter=f)
    summary = qs.aggregate(
        total=Count("pk"),
        groups=Count("case_id", distinct=True),
        loose=Count("pk", filter=Q(case__isnull=True)),
    )
    group_count = summary["groups"] + (1 if summary["loose"] else 0)
    pages = max(1, -(-group_count // INBOX_GROUPS_PER_PAGE))
    number = min(max(1, page), pages)
    start = (number - 1) * INBOX_GROUPS_PER_PAGE
    heads = list(
        qs.values("case_id")
        .annotate(
            newest=Max("created_at"), n=Count("pk"), open=Count("pk", filter=Q(acknowledged_at__isnull=True))
        )
        .order_by("-newest", "case_id")[start : start + INBOX_GROUPS_PER_PAGE]
    )
    case_ids = [h["case_id"] for h in heads if h["case_id"] is not None]
    wanted = (
        Q(case_id__in=case_ids) | Q(case__isnull=True)
        if any(h["case_id"] is None for h in heads)
        else Q(case_id__in=case_ids)
    )
    rows = list(
        qs.filter(wanted)
        .select_related("case", "recipient_agency", "acknowledged_by")
        .order_by("-created_at", "id")
    )
    by_case: dict[Any, list[Notification]] = {}
    for n in rows:
        shown = by_case.setdefault(n.case_id, [])
        if len(shown) < INBOX_SHOWN_PER_GROUP:
            shown.append(n)
    urgent = urgent_kinds()
    ordered = [n for h in heads for n in by_case.get(h["case_id"], [])]
    after: dict[Any, UUID | None] = {}
    for i, n in enumerate(ordered):
        # The next one down the page; the last one hands the focus back up to the one before it.
        neighbour = ordered[i + 1] if i + 1 < len(ordered) else (ordered[i - 1] if i else None)
        after[n.pk] = neighbour.pk if neighbour is not None else None
    groups = [
        InboxGroup(
            case_id=h["case_id"],
            reference=_reference(by_case.get(h["case_id"]) if h["case_id"] else None),
            count=h["n"],
            open=h["open"],
            items=[InboxItem(n, n.kind in urgent, after[n.pk]) for n in by_case.get(h["case_id"], [])],
        )
        for h in heads
    ]
    return InboxPage(groups=groups, number=number, pages=pages, total=summary["total"], filter=f)


@dataclass(frozen=True)
class InboxCounts:
    open: int  # not acknowledged: the number on the menu's badge
    urgent: int  # of those, urgent
    with_deadline: int  # of those, to be acknowledged by a time
    soonest: dt.datetime | None  # the earliest such time


def _waiting_parts(user: User) -> list[QuerySet[Notification]]:
    """The user's notifications not yet acknowledged, in parts that never overlap (routing's inbox
    branches): counted part by part, each is read from an index alone, where the whole inbox as one
    OR condition makes the database visit every row (at 100,000 cases, thousands for an agency)."""
    if not (user.is_authenticated and user.is_active):
        return []
    waiting = Notification.objects.filter(acknowledged_at__isnull=True).order_by()
    return [waiting.filter(branch) for branch in inbox_branches(user)]


def inbox_open_count(*, user: User) -> int:
    """The number on the menu's badge: the user's notifications not yet acknowledged."""
    return sum(part.count() for part in _waiting_parts(user))


def inbox_counts(*, user: User) -> InboxCounts:
    """What waits in the user's inbox, the badge's number among it: two queries for each part of the
    inbox (the user's own, each of their agencies'), whatever it holds."""
    urgent = sorted(urgent_kinds())
    total = InboxCounts(0, 0, 0, None)
    for part in _waiting_parts(user):
        row = part.aggregate(
            open=Count("kind"),
            urgent=Count("kind", filter=Q(kind__in=urgent)),
            with_deadline=Count("kind", filter=Q(ack_due_at__isnull=False) | Q(ack_clock__isnull=False)),
            due=Min("ack_due_at"),
        )
        clock_due = Clock.objects.filter(
            pk__in=part.filter(ack_clock__isnull=False, ack_due_at__isnull=True).values("ack_clock")
        ).aggregate(due=Min("due_at"))["due"]
        times = [t for t in (total.soonest, row["due"], clock_due) if t is not None]
        total = InboxCounts(
            total.open + row["open"],
            total.urgent + row["urgent"],
            total.with_deadline + row["with_deadline"],
            min(times) if times else None,
        )
    return total


def agency_directory(*, user: User) -> list[tuple[Agency, AgencyContact | None]]:
    """The 24-hour directory: every active agency and its on-call contact (agency data only)."""
    if not user.can_work_with_cases and not user.is_system_admin:
        return []
    contacts = {c.agency_id: c for c in AgencyContact.objects.all()}
    return [(a, contacts.get(a.pk)) for a in Agency.objects.filter(is_active=True).order_by("name")]


# --- deadlines: the coordinators' national view and a caseworker's next actions ----------------------

PAGE_SIZE = 50
STATE_FILTERS = ("running", "warning", "missed")


@dataclass(frozen=True)
class ClockFilter:
    """What a deadline list shows: a clock kind, the responsible agency, children's or adults' cases,
    and a state: `running` (running or paused), `warning` (in its warning window), `missed`
    (recorded missed, or past due before the worker's next pass); empty: all three."""

    kind: str = ""
    agency: UUID | None = None
    child: bool | None = None
    state: str = ""
    descending: bool = False


def _state_q(state: str, now: dt.datetime) -> Q:
    if state == "running":
        return Q(state__in=OPEN_CLOCK_STATES)
    if state == "warning":
        return Q(state=ClockState.RUNNING, warn_at__lte=now, due_at__gt=now)
    if state == "missed":
        return Q(state=ClockState.MISSED) | Q(state=ClockState.RUNNING, due_at__lte=now)
    return Q(state__in=LISTED_STATES)


def _display_state(clk: Clock, now: dt.datetime) -> str:
    if clk.state == ClockState.MISSED or (clk.state == ClockState.RUNNING and clk.due_at <= now):
        return "missed"
    if clk.state == ClockState.PAUSED:
        return "paused"
    if clk.warn_at is not None and clk.warn_at <= now:
        return "warning"
    return "running"


@dataclass(frozen=True)
class ClockRow:
    clock_id: UUID
    case_id: UUID
    reference: str
    is_child: bool
    kind: str
    label: str
    responsible: str
    due_at: dt.datetime
    ends_on: dt.date | None
    state: str
    display_state: str
    time_left: dt.timedelta
    overdue: bool
    title: str = ""  # a task's own title, for those who may open the case
    state_label: str = ""  # a period's own word for its state (a reflection period is "granted")


@dataclass
class ClockPage:
    """One page of a deadline list, with the counts of the whole list (from the database)."""

    rows: list[ClockRow]
    number: int
    pages: int
    total: int
    counts: dict[str, int]
    filter: ClockFilter

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def clock_row(clk: Clock, now: dt.datetime, language: str, title: str = "") -> ClockRow:
    return ClockRow(
        clock_id=clk.pk,
        case_id=clk.case_id,
        reference=clk.case.reference,
        is_child=clk.case.is_child,
        kind=clk.kind,
        label=clock_label(clk.kind, language),
        responsible=clk.responsible_agency.name if clk.responsible_agency else "",
        due_at=clk.due_at,
        ends_on=clk.ends_on,
        state=clk.state,
        display_state=_display_state(clk, now),
        time_left=clk.due_at - now,
        overdue=clk.due_at <= now,
        title=title,
        state_label=clock_state_label(clk.kind, clk.state, language),
    )


def _filtered(qs: QuerySet[Clock], f: ClockFilter) -> QuerySet[Clock]:
    """Open and missed clocks of open cases (closed is closed: a closed case has no running clock,
    and what it missed is history), by kind, responsible agency and children's cases."""
    qs = qs.filter(state__in=LISTED_STATES, case_open=True)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.agency is not None:
        qs = qs.filter(responsible_agency_id=f.agency)
    if f.child is not None:
        qs = qs.filter(case__is_child=f.child)
    return qs


def clock_counts(qs: QuerySet[Clock], now: dt.datetime) -> dict[str, int]:
    """How many clocks of the list are in each state, and all together: one query."""
    return qs.aggregate(
        all=Count("pk"),
        running=Count("pk", filter=_state_q("running", now)),
        warning=Count("pk", filter=_state_q("warning", now)),
        missed=Count("pk", filter=_state_q("missed", now)),
    )


def ordered_clocks(qs: QuerySet[Clock], f: ClockFilter, now: dt.datetime) -> QuerySet[Clock]:
    """The list in the filter's state, by time left (soonest first unless descending)."""
    order = ("-due_at", "-id") if f.descending else ("due_at", "id")
    return (
        qs.filter(_state_q(f.state, now))
        .select_related("case", "responsible_agency")
        .only(
            "id",
            "case_id",
            "kind",
            "due_at",
            "ends_on",
            "warn_at",
            "state",
            "responsible_agency_id",
            "case__reference",
            "case__is_child",
            "responsible_agency__name",
        )
        .order_by(*order)
    )


def _page(
    qs: QuerySet[Clock],
    f: ClockFilter,
    *,
    page: int,
    now: dt.datetime,
    language: str,
    titles: bool = False,
) -> ClockPage:
    counts = clock_counts(qs, now)
    total = counts[f.state or "all"]
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, page), pages)
    start = (number - 1) * PAGE_SIZE
    clocks = list(ordered_clocks(qs, f, now)[start : start + PAGE_SIZE])
    task_titles: dict[Any, str] = {}
    if titles and clocks:  # a task's clock shows the task's own title
        task_titles = dict(
            Task.objects.filter(clock_id__in=[c.pk for c in clocks]).values_list("clock_id", "title")
        )
    lang = lang_of(language)
    rows = [clock_row(c, now, lang, task_titles.get(c.pk, "")) for c in clocks]
    return ClockPage(rows=rows, number=number, pages=pages, total=total, counts=counts, filter=f)


def national_clocks_queryset(*, user: User, filter: ClockFilter) -> QuerySet[Clock]:  # noqa: A002
    """For KOM coordinators: every running, paused and missed clock of every open case in the
    country (case references only, no personal data)."""
    if not user.is_coordinator:
        raise NotPermitted("Only coordinators see the national view.")
    return _filtered(Clock.objects.all(), filter)


def national_clocks(
    *,
    user: User,
    filter: ClockFilter | None = None,  # noqa: A002
    page: int = 1,
    language: str = "nb",
    now: dt.datetime | None = None,
) -> ClockPage:
    """The national deadline view: a page of at most PAGE_SIZE clocks by time left, with the counts
    of the whole filtered list from the database. Three queries, whatever the number of clocks."""
    f = filter or ClockFilter()
    qs = national_clocks_queryset(user=user, filter=f)
    return _page(qs, f, page=page, now=now or vclock.now(), language=language)


def my_clocks_queryset(*, user: User, filter: ClockFilter) -> QuerySet[Clock]:  # noqa: A002
    """The deadlines the user or one of their agencies answers for, on cases the user may open."""
    agencies = user.case_agency_ids()
    if filter.agency is not None:
        agencies = agencies & {filter.agency}
    mine = Q(responsible_user=user) | Q(responsible_agency_id__in=agencies)
    qs = Clock.objects.filter(mine, open_to_q(user, "case_id"))
    return _filtered(qs, replace(filter, agency=None))


def my_clocks(
    *,
    user: User,
    filter: ClockFilter | None = None,  # noqa: A002
    page: int = 1,
    language: str = "nb",
    now: dt.datetime | None = None,
) -> ClockPage:
    """My next actions: the national view's list for the user's own agencies (tasks by their title)."""
    f = filter or ClockFilter()
    qs = my_clocks_queryset(user=user, filter=f)
    return _page(qs, f, page=page, now=now or vclock.now(), language=language, titles=True)


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


def _reference(notifications: list[Notification] | None) -> str:
    case = notifications[0].case if notifications else None
    return case.reference if case is not None else ""
