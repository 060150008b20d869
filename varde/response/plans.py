"""Individual plans, their goals and tasks, and coordination meetings with their decisions.

Writes are keyword-only, atomic and audited in the same transaction (ids only); the outbox consumers
are idempotent, so an event processed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, AgencyKind, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case, ParticipationState
from varde.core import clock as vclock
from varde.core.errors import EditConflict

from . import dates
from .clocks import clock_cancel_system, clock_meet_system, clock_start
from .models import (
    IndividualPlan,
    Meeting,
    MeetingDecision,
    MissingEpisode,
    PlanGoal,
    Task,
    TaskOrigin,
    TaskStatus,
)

# --- individual plans, tasks, meetings ----------------------------------------------------------------


def _check_responsible(case: Case, agency: Agency, user: User | None, also: Collection[Agency] = ()) -> None:
    """A task goes to an agency taking part in the case, or (a meeting's decision) in the meeting."""
    taking_part = case.participations.filter(agency=agency, state=ParticipationState.ACTIVE).exists()
    if not (taking_part or agency.kind == AgencyKind.KOM or agency in also):
        raise ValidationError(
            {"responsible_agency": _("The responsible agency must take part in the case or the meeting.")}
        )
    if user is not None and agency.pk not in user.case_agency_ids():
        raise ValidationError(
            {"responsible_user": _("The responsible person must work for the responsible agency.")}
        )


def task_create_for(
    *,
    actor: User,
    agency: Agency,
    case: Case,
    origin: str,
    title: str,
    responsible_agency: Agency,
    due_date: dt.date,
    responsible_user: User | None = None,
    plan: IndividualPlan | None = None,
    meeting: Meeting | None = None,
    episode: MissingEpisode | None = None,
    clock_kind: str = "plan_task",
    also: Collection[Agency] = (),
) -> Task:
    if not title.strip():
        raise ValidationError({"title": _("Say what is to be done.")})
    _check_responsible(case, responsible_agency, responsible_user, also)
    task = Task.objects.create(
        case=case,
        origin=origin,
        plan=plan,
        meeting=meeting,
        missing_episode=episode,
        title=title.strip(),
        responsible_agency=responsible_agency,
        responsible_user=responsible_user,
        due_date=due_date,
        created_by=actor,
    )
    own_date = clock_kind == "plan_task"  # the task's own due date; other kinds follow their rule
    clk = clock_start(
        case=case,
        kind=clock_kind,
        actor=actor,
        agency=agency,
        origin=f"task:{task.pk}",
        until=due_date if own_date else None,
        responsible_agency=responsible_agency,
        responsible_user=responsible_user,
    )
    if not own_date:
        Task.objects.filter(pk=task.pk).update(due_date=dates.last_day_before(clk.due_at))
    Task.objects.filter(pk=task.pk).update(clock=clk)
    return Task.objects.get(pk=task.pk)


@transaction.atomic
def plan_create(*, actor: User, case: Case) -> IndividualPlan:
    """An individual plan (required for every child's case, optional for adults) and its review clock."""
    agency = case_agency_required(actor, case)
    if IndividualPlan.objects.filter(case=case).exists():
        raise ValidationError({"case": _("The case already has an individual plan.")})
    plan = IndividualPlan.objects.create(case=case, required=case.is_child, created_by=actor)
    review = clock_start(
        case=case, kind="plan_review", actor=actor, agency=agency, origin=f"plan:{plan.pk}:0"
    )
    IndividualPlan.objects.filter(pk=plan.pk).update(review_clock=review)
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=plan, agency=agency, detail={"case": str(case.pk)}
    )
    return IndividualPlan.objects.get(pk=plan.pk)


@transaction.atomic
def plan_goal_add(*, actor: User, plan: IndividualPlan, text: str) -> PlanGoal:
    agency = case_agency_required(actor, plan.case)
    if not text.strip():
        raise ValidationError({"text": _("Describe the goal.")})
    goal = PlanGoal.objects.create(plan=plan, text=text.strip(), created_by=actor)
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=goal, agency=agency, detail={"plan": str(plan.pk)}
    )
    return goal


@transaction.atomic
def plan_review(*, actor: User, plan: IndividualPlan, version: int) -> IndividualPlan:
    """Record a review: the review clock is met and the next one starts."""
    agency = case_agency_required(actor, plan.case)
    now = vclock.now()
    updated = IndividualPlan.objects.filter(pk=plan.pk, version=version).update(
        last_reviewed_at=now, version=version + 1, updated_at=now
    )
    if not updated:
        raise EditConflict(plan)
    if plan.review_clock is not None:
        clock_meet_system(clock=plan.review_clock, actor=actor, agency=agency)
    review = clock_start(
        case=plan.case, kind="plan_review", actor=actor, agency=agency, origin=f"plan:{plan.pk}:{version}"
    )
    IndividualPlan.objects.filter(pk=plan.pk).update(review_clock=review)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        agency=agency,
        detail={"case": str(plan.case_id), "reviewed": True},
    )
    return IndividualPlan.objects.get(pk=plan.pk)


@transaction.atomic
def task_add(
    *,
    actor: User,
    case: Case,
    title: str,
    responsible_agency: Agency,
    due_date: dt.date,
    responsible_user: User | None = None,
    plan: IndividualPlan | None = None,
) -> Task:
    agency = case_agency_required(actor, case)
    if plan is not None and plan.case_id != case.pk:
        raise ValidationError({"plan": _("The plan belongs to another case.")})
    if due_date < vclock.today():
        raise ValidationError({"due_date": _("The due date has passed.")})
    task = task_create_for(
        actor=actor,
        agency=agency,
        case=case,
        origin=TaskOrigin.PLAN,
        title=title,
        responsible_agency=responsible_agency,
        responsible_user=responsible_user,
        due_date=due_date,
        plan=plan,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=task,
        agency=agency,
        detail={"case": str(case.pk), "responsible": responsible_agency.code},
    )
    return task


@transaction.atomic
def task_set_status(*, actor: User, task: Task, status: str, version: int) -> Task:
    """Done meets the task's clock; cancelled cancels it."""
    agency = case_agency_required(actor, task.case)
    if status not in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise ValidationError({"status": _("A task can be marked done or cancelled.")})
    now = vclock.now()
    updated = Task.objects.filter(pk=task.pk, version=version, status=TaskStatus.OPEN).update(
        status=status, done_at=now, done_by=actor, version=version + 1, updated_at=now
    )
    if not updated:
        raise EditConflict(task)
    if task.clock is not None:
        if status == TaskStatus.DONE:
            clock_meet_system(clock=task.clock, actor=actor, agency=agency, data={"task": str(task.pk)})
        else:
            clock_cancel_system(clock=task.clock, actor=actor, agency=agency, reason="task_cancelled")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=task,
        agency=agency,
        detail={"case": str(task.case_id), "status": status},
    )
    return Task.objects.get(pk=task.pk)


@dataclass
class DecisionInput:
    """A meeting decision; with a task title, responsible agency and due date it becomes a task."""

    text: str
    task_title: str = ""
    responsible_agency: Agency | None = None
    responsible_user: User | None = None
    due_date: dt.date | None = None


@dataclass
class MeetingResult:
    meeting: Meeting
    tasks: list[Task] = field(default_factory=list)


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    case: Case,
    held_at: dt.datetime,
    participants: list[Agency],
    decisions: list[DecisionInput],
) -> MeetingResult:
    """A coordination meeting: who takes part, what was decided, and who does what by when. A meeting
    may be planned ahead (its time in the future): its decisions are recorded once it is held
    (meeting_decisions_add). A decision's task may go to any agency taking part in the meeting."""
    agency = case_agency_required(actor, case)
    if not participants:
        raise ValidationError({"participants": _("Name the agencies that take part.")})
    if held_at > vclock.now() and decisions:
        raise ValidationError(
            {"decisions": _("A planned meeting has no decisions yet: record them once it is held.")}
        )
    meeting = Meeting.objects.create(case=case, held_at=held_at, called_by=actor, called_by_agency=agency)
    meeting.participants.set(participants)
    result = MeetingResult(meeting)
    result.tasks = _decide(
        actor=actor, agency=agency, meeting=meeting, decisions=decisions, participants=participants
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        agency=agency,
        detail={
            "case": str(case.pk),
            "participants": sorted(a.code for a in participants),
            "planned": held_at > vclock.now(),
            "tasks": [str(t.pk) for t in result.tasks],
        },
    )
    return result


def _decide(
    *,
    actor: User,
    agency: Agency,
    meeting: Meeting,
    decisions: list[DecisionInput],
    participants: list[Agency],
) -> list[Task]:
    tasks = []
    for decision in decisions:
        if not decision.text.strip():
            raise ValidationError({"decisions": _("A decision cannot be empty.")})
        task = None
        if decision.task_title:
            if decision.responsible_agency is None or decision.due_date is None:
                raise ValidationError({"decisions": _("A task needs a responsible agency and a due date.")})
            task = task_create_for(
                actor=actor,
                agency=agency,
                case=meeting.case,
                origin=TaskOrigin.MEETING,
                title=decision.task_title,
                responsible_agency=decision.responsible_agency,
                responsible_user=decision.responsible_user,
                due_date=decision.due_date,
                meeting=meeting,
                also=participants,
            )
            tasks.append(task)
        MeetingDecision.objects.create(meeting=meeting, text=decision.text.strip(), task=task)
    return tasks


@transaction.atomic
def meeting_decisions_add(*, actor: User, meeting: Meeting, decisions: list[DecisionInput]) -> MeetingResult:
    """Record the decisions of a meeting once it has been held (a planned one, or more of a held one)."""
    agency = case_agency_required(actor, meeting.case)
    if meeting.held_at > vclock.now():
        raise ValidationError({"decisions": _("The meeting has not been held yet.")})
    if not decisions:
        raise ValidationError({"decisions": _("Write at least one decision.")})
    participants = list(meeting.participants.all())
    result = MeetingResult(meeting)
    result.tasks = _decide(
        actor=actor, agency=agency, meeting=meeting, decisions=decisions, participants=participants
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        agency=agency,
        detail={
            "case": str(meeting.case_id),
            "decisions": len(decisions),
            "tasks": [str(t.pk) for t in result.tasks],
        },
    )
    return result
