"""Writes of the coordinated response: keyword-only, atomic, audited in the same transaction (ids only).

Consumers (on_presumed_child, on_case_reported, on_agency_invited, ...) are called by the outbox
worker or wired by the lead; they are idempotent, so an event processed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, AgencyKind, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case, CaseParticipation, ParticipationState
from varde.core import clock as vclock
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed

from . import dates
from .access import require_case_agency
from .clocks import clock_cancel_system, clock_meet_system, clock_start, clocks_meet_open
from .models import (
    OPEN_CLOCK_STATES,
    AgencyContact,
    Clock,
    IndividualPlan,
    LegalStatus,
    Meeting,
    MeetingDecision,
    MissingEpisode,
    MissingFrom,
    MissingStatus,
    Notification,
    NotificationKind,
    Placement,
    PlacementKind,
    PlanGoal,
    Task,
    TaskOrigin,
    TaskStatus,
)
from .routing import child_welfare_agencies, inbox_filter, notify
from .rules import clock_spec, legal_status_rules, status_spec

SAFE_PLACEMENT = "safe_placement"
INFORM_CHILD_WELFARE = "inform_child_welfare"


def _origin_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")


# --- consumers of the outbox (system; no actor) ---------------------------------------------------------


@transaction.atomic
def on_presumed_child(*, case: Case, occurred_at: dt.datetime) -> Clock:
    """A case is presumed a child's case: start the 24-hour safe-placement clock (from the moment of
    the presumption) and inform child welfare (its acknowledgement is a clock of its own); tell the
    coordinators. Idempotent: an open placement clock, or one started for the same moment, is reused."""
    case = Case.objects.select_related("lead_agency").get(pk=case.pk)
    origin = f"presumed:{_origin_time(occurred_at)}"
    existing = (
        Clock.objects.filter(case=case, kind=SAFE_PLACEMENT)
        .filter(Q(origin=origin) | Q(state__in=OPEN_CLOCK_STATES))
        .first()
    )
    clk = existing or clock_start(case=case, kind=SAFE_PLACEMENT, start_at=occurred_at, origin=origin)
    if existing is None:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=clk,
            detail={"case": str(case.pk), "clock": SAFE_PLACEMENT, "by": "presumed_child"},
        )
        current = Placement.objects.filter(case=case, to_at__isnull=True).first()
        if current is not None and current.kind in clock_spec(SAFE_PLACEMENT).get(
            "met_by_placement_kinds", []
        ):
            clock_meet_system(clock=clk, actor=None, agency=None, data={"placement": str(current.pk)})
    notify(kind=NotificationKind.PRESUMED_CHILD, case=case, subject=f"clock:{clk.pk}", due_at=clk.due_at)
    return Clock.objects.get(pk=clk.pk)


@transaction.atomic
def on_child_confirmed(*, case: Case, occurred_at: dt.datetime) -> Clock | None:
    """Age verified under 18: the same response as a presumption, unless one is already under way."""
    if Clock.objects.filter(case=case, kind=SAFE_PLACEMENT).exists():
        return None
    return on_presumed_child(case=case, occurred_at=occurred_at)


@transaction.atomic
def on_presumption_lifted(*, case: Case, occurred_at: dt.datetime) -> list[Clock]:
    """The person is no longer presumed a child: the child-only clocks still open are cancelled."""
    cancelled = []
    for clk in Clock.objects.filter(
        case=case, kind__in=[SAFE_PLACEMENT, INFORM_CHILD_WELFARE], state__in=OPEN_CLOCK_STATES
    ):
        done = clock_cancel_system(clock=clk, actor=None, agency=None, reason="presumption_lifted")
        if done is not None:
            cancelled.append(done)
    return cancelled


@transaction.atomic
def on_case_reported(*, case: Case) -> list[Notification]:
    return notify(kind=NotificationKind.CASE_REPORTED, case=case, subject=f"case:{case.pk}")


@transaction.atomic
def on_agency_invited(*, participation: CaseParticipation) -> list[Notification]:
    return notify(
        kind=NotificationKind.AGENCY_INVITED,
        case=participation.case,
        subject=f"participation:{participation.pk}:{participation.version}",
        invited=participation.agency,
    )


# --- notifications and the 24-hour directory ------------------------------------------------------------


@transaction.atomic
def notification_acknowledge(*, actor: User, notification: Notification) -> Notification:
    """Acknowledge a notification addressed to the actor (or their agency and role); a clock waiting
    for the acknowledgement (child welfare informed) is met."""
    if not Notification.objects.filter(inbox_filter(actor), pk=notification.pk).exists():
        raise Http404("Not found")
    now = vclock.now()
    updated = Notification.objects.filter(pk=notification.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, updated_at=now
    )
    if not updated:
        raise TransitionNotAllowed(_("The notification is already acknowledged."))
    notification = Notification.objects.get(pk=notification.pk)
    if notification.ack_clock is not None:
        clock_meet_system(
            clock=notification.ack_clock,
            actor=actor,
            agency=notification.recipient_agency,
            data={"notification": str(notification.pk)},
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=notification,
        agency=notification.recipient_agency,
        detail={"acknowledged": True, "case": str(notification.case_id) if notification.case_id else ""},
    )
    return Notification.objects.get(pk=notification.pk)


def _can_edit_contact(actor: User, agency: Agency) -> bool:
    return actor.is_system_admin or actor.is_coordinator or agency.pk in actor.admin_agency_ids()


@transaction.atomic
def agency_contact_set(
    *,
    actor: User,
    agency: Agency,
    on_call_phone: str,
    email: str,
    hours: str,
    always_open: bool,
    version: int | None = None,
) -> AgencyContact:
    """Set an agency's 24-hour contact (agency admins for their agency, coordinators, system admins)."""
    if not _can_edit_contact(actor, agency):
        raise NotPermitted(
            _("Only the agency's administrators or a coordinator can change its 24-hour contact.")
        )
    values = {
        "on_call_phone": on_call_phone.strip(),
        "email": email.strip(),
        "hours": hours.strip(),
        "always_open": always_open,
        "updated_by": actor,
    }
    contact = AgencyContact.objects.filter(agency=agency).first()
    if contact is None:
        contact = AgencyContact(agency=agency, **values)
        contact.full_clean()
        try:
            with transaction.atomic():  # a savepoint: the request's transaction stays usable
                contact.save()
        except IntegrityError:  # someone saved the agency's first contact at the same moment
            raise EditConflict(AgencyContact.objects.get(agency=agency)) from None
    else:
        check = AgencyContact(pk=contact.pk, agency=agency, **values)
        check.full_clean(validate_unique=False)
        updated = AgencyContact.objects.filter(pk=contact.pk, version=version or contact.version).update(
            version=(version or contact.version) + 1, updated_at=vclock.now(), **values
        )
        if not updated:
            raise EditConflict(contact)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=contact, agency=agency, detail={"agency": agency.code}
    )
    return AgencyContact.objects.get(agency=agency)


# --- placements ------------------------------------------------------------------------------------------


@transaction.atomic
def placement_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    from_at: dt.datetime,
    description: str = "",
    provider_agency: Agency | None = None,
) -> Placement:
    """Record where the person stays from `from_at`. The previous stay ends then. For a child's case a
    safe place (per the rule) meets the 24-hour clock."""
    agency = require_case_agency(actor, case)
    if kind not in PlacementKind.values:
        raise ValidationError({"kind": _("Choose a kind of place.")})
    if from_at > vclock.now():
        raise ValidationError({"from_at": _("A stay cannot start in the future.")})
    for previous in Placement.objects.filter(case=case, to_at__isnull=True, from_at__lte=from_at):
        Placement.objects.filter(pk=previous.pk, version=previous.version).update(
            to_at=from_at, version=previous.version + 1, updated_at=vclock.now()
        )
    placement = Placement.objects.create(
        case=case,
        kind=kind,
        provider_agency=provider_agency,
        description=description.strip(),
        from_at=from_at,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    if case.is_child and kind in clock_spec(SAFE_PLACEMENT).get("met_by_placement_kinds", []):
        clocks_meet_open(
            case=case,
            kinds=[SAFE_PLACEMENT],
            actor=actor,
            agency=agency,
            data={"placement": str(placement.pk)},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=placement,
        agency=agency,
        detail={"case": str(case.pk), "kind": kind},
    )
    return placement


@transaction.atomic
def placement_end(*, actor: User, placement: Placement, to_at: dt.datetime, version: int) -> Placement:
    agency = require_case_agency(actor, placement.case)
    if to_at < placement.from_at:
        raise ValidationError({"to_at": _("A stay cannot end before it starts.")})
    updated = Placement.objects.filter(pk=placement.pk, version=version, to_at__isnull=True).update(
        to_at=to_at, version=version + 1, updated_at=vclock.now()
    )
    if not updated:
        raise EditConflict(placement)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=placement,
        agency=agency,
        detail={"case": str(placement.case_id), "ended": True},
    )
    return Placement.objects.get(pk=placement.pk)


# --- individual plans, tasks, meetings ----------------------------------------------------------------


def _check_responsible(case: Case, agency: Agency, user: User | None) -> None:
    taking_part = case.participations.filter(agency=agency, state=ParticipationState.ACTIVE).exists()
    if not (taking_part or agency.kind == AgencyKind.KOM):
        raise ValidationError({"responsible_agency": _("The responsible agency must take part in the case.")})
    if user is not None and agency.pk not in user.case_agency_ids():
        raise ValidationError(
            {"responsible_user": _("The responsible person must work for the responsible agency.")}
        )


def _task_create(
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
) -> Task:
    if not title.strip():
        raise ValidationError({"title": _("Say what is to be done.")})
    _check_responsible(case, responsible_agency, responsible_user)
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
    agency = require_case_agency(actor, case)
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
    agency = require_case_agency(actor, plan.case)
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
    agency = require_case_agency(actor, plan.case)
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
    agency = require_case_agency(actor, case)
    if plan is not None and plan.case_id != case.pk:
        raise ValidationError({"plan": _("The plan belongs to another case.")})
    if due_date < vclock.today():
        raise ValidationError({"due_date": _("The due date has passed.")})
    task = _task_create(
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
    agency = require_case_agency(actor, task.case)
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
    """A coordination meeting: who took part, what was decided, and who does what by when."""
    agency = require_case_agency(actor, case)
    if not participants:
        raise ValidationError({"participants": _("Name the agencies that took part.")})
    meeting = Meeting.objects.create(case=case, held_at=held_at, called_by=actor, called_by_agency=agency)
    meeting.participants.set(participants)
    result = MeetingResult(meeting)
    for decision in decisions:
        if not decision.text.strip():
            raise ValidationError({"decisions": _("A decision cannot be empty.")})
        task = None
        if decision.task_title:
            if decision.responsible_agency is None or decision.due_date is None:
                raise ValidationError({"decisions": _("A task needs a responsible agency and a due date.")})
            task = _task_create(
                actor=actor,
                agency=agency,
                case=case,
                origin=TaskOrigin.MEETING,
                title=decision.task_title,
                responsible_agency=decision.responsible_agency,
                responsible_user=decision.responsible_user,
                due_date=decision.due_date,
                meeting=meeting,
            )
            result.tasks.append(task)
        MeetingDecision.objects.create(meeting=meeting, text=decision.text.strip(), task=task)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        agency=agency,
        detail={
            "case": str(case.pk),
            "participants": sorted(a.code for a in participants),
            "tasks": [str(t.pk) for t in result.tasks],
        },
    )
    return result


# --- disappearances --------------------------------------------------------------------------------------


@transaction.atomic
def missing_episode_record(
    *,
    actor: User,
    case: Case,
    missing_from: str,
    last_seen_at: dt.datetime,
    reported_to_police_at: dt.datetime | None = None,
) -> MissingEpisode:
    """A disappearance: police and child welfare (for a child) are told at once, and a clock runs
    for the report to the police (met at once if it is already reported)."""
    agency = require_case_agency(actor, case)
    if missing_from not in MissingFrom.values:
        raise ValidationError({"missing_from": _("Say where the person went missing from.")})
    now = vclock.now()
    if last_seen_at > now:
        raise ValidationError({"last_seen_at": _("The person cannot be last seen in the future.")})
    if MissingEpisode.objects.filter(case=case, status=MissingStatus.MISSING).exists():
        raise ValidationError({"case": _("The person is already recorded as missing.")})
    episode = MissingEpisode.objects.create(
        case=case,
        missing_from=missing_from,
        last_seen_at=last_seen_at,
        reported_to_police_at=reported_to_police_at,
        was_child=case.is_child,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    clk = clock_start(
        case=case,
        kind="police_report",
        actor=actor,
        agency=agency,
        origin=f"missing:{episode.pk}",
        start_at=now,
    )
    MissingEpisode.objects.filter(pk=episode.pk).update(police_report_clock=clk)
    if reported_to_police_at is not None:
        clock_meet_system(clock=clk, actor=actor, agency=agency, data={"episode": str(episode.pk)})
    notify(
        kind=NotificationKind.DISAPPEARANCE,
        case=case,
        subject=f"missing:{episode.pk}",
        due_at=clk.due_at,
        place_kind=missing_from,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        agency=agency,
        detail={"case": str(case.pk), "missing_from": missing_from},
    )
    return MissingEpisode.objects.get(pk=episode.pk)


@transaction.atomic
def missing_episode_reported_to_police(
    *, actor: User, episode: MissingEpisode, reported_at: dt.datetime, version: int
) -> MissingEpisode:
    agency = require_case_agency(actor, episode.case)
    if reported_at > vclock.now():
        raise ValidationError({"reported_at": _("The report cannot be in the future.")})
    updated = MissingEpisode.objects.filter(pk=episode.pk, version=version).update(
        reported_to_police_at=reported_at, version=version + 1, updated_at=vclock.now()
    )
    if not updated:
        raise EditConflict(episode)
    if episode.police_report_clock is not None:
        clock_meet_system(
            clock=episode.police_report_clock, actor=actor, agency=agency, data={"episode": str(episode.pk)}
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=episode,
        agency=agency,
        detail={"case": str(episode.case_id), "reported_to_police": True},
    )
    return MissingEpisode.objects.get(pk=episode.pk)


def _return_interview_agency(case: Case) -> Agency:
    if case.is_child:
        taking_part = [
            a
            for a in child_welfare_agencies(case)
            if case.participations.filter(agency=a, state=ParticipationState.ACTIVE).exists()
        ]
        if taking_part:
            return taking_part[0]
    return case.lead_agency


@transaction.atomic
def missing_episode_close(
    *, actor: User, episode: MissingEpisode, status: str, at: dt.datetime, version: int
) -> MissingEpisode:
    """Found, returned or located abroad. A person who is back gets a return-interview task."""
    agency = require_case_agency(actor, episode.case)
    if status not in (MissingStatus.FOUND, MissingStatus.RETURNED, MissingStatus.LOCATED_ABROAD):
        raise ValidationError({"status": _("Choose found, returned or located abroad.")})
    if at < episode.last_seen_at or at > vclock.now():
        raise ValidationError(
            {"at": _("The date must be after the person was last seen, and not in the future.")}
        )
    updated = MissingEpisode.objects.filter(
        pk=episode.pk, version=version, status=MissingStatus.MISSING
    ).update(status=status, ended_at=at, version=version + 1, updated_at=vclock.now())
    if not updated:
        raise EditConflict(episode)
    case = episode.case
    if episode.police_report_clock is not None:
        clock_cancel_system(
            clock=episode.police_report_clock, actor=actor, agency=agency, reason="episode_closed"
        )
    if status in (MissingStatus.FOUND, MissingStatus.RETURNED):
        _task_create(
            actor=actor,
            agency=agency,
            case=case,
            origin=TaskOrigin.RETURN_INTERVIEW,
            title=str(clock_spec("return_interview")["label"]["nb"]),
            responsible_agency=_return_interview_agency(case),
            due_date=vclock.today(),
            episode=episode,
            clock_kind="return_interview",
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=episode,
        agency=agency,
        detail={"case": str(case.pk), "status": status},
    )
    return MissingEpisode.objects.get(pk=episode.pk)


# --- legal status ---------------------------------------------------------------------------------------


CRITERIA_KEY = "criteria"


@dataclass
class LegalStatusChange:
    entry: LegalStatus
    withdrew: LegalStatus | None
    before: dict[str, Any] | None
    after: dict[str, Any]
    clocks_started: list[Clock] = field(default_factory=list)
    clocks_met: list[Clock] = field(default_factory=list)


def rights_and_authority(status: str | LegalStatus, language: str = "nb") -> dict[str, Any]:
    """How rights and the responsible authority look under a legal status (text from the rules, nb/en)."""
    kind = status.kind if isinstance(status, LegalStatus) else status
    spec = status_spec(kind)
    lang = "en" if language.startswith("en") else "nb"
    return {
        "status": kind,
        "label": spec["label"][lang],
        "authority": spec["authority"][lang],
        "rights": list(spec["rights"][lang]),
        "source": spec["source"],
        "rule_version": legal_status_rules()["version"],
    }


def legal_status_current(
    *, case: Case, on: dt.date | None = None, at: dt.datetime | None = None
) -> list[LegalStatus]:
    """Entries in force on `on` as recorded by `at` (default: now): not corrected, not withdrawn,
    started, and not ended (by their own end date or by a later status of the same line)."""
    on = on or vclock.today()
    at = at or vclock.now()
    recorded = list(
        LegalStatus.objects.filter(case=case, recorded_at__lte=at).order_by("from_date", "recorded_at", "id")
    )
    corrected = {e.corrects_id for e in recorded if e.corrects_id}
    withdrawn = {e.withdraws_id: e.from_date for e in recorded if e.withdraws_id}
    live = [e for e in recorded if e.pk not in corrected]
    current = []
    for entry in live:
        if entry.from_date > on:
            continue
        if entry.to_date is not None and entry.to_date < on:
            continue
        if entry.pk in withdrawn and withdrawn[entry.pk] <= on:
            continue
        later = [
            e
            for e in live
            if e.from_date <= on
            and e is not entry
            and (e.from_date, e.recorded_at) > (entry.from_date, entry.recorded_at)
        ]
        if later:
            continue
        current.append(entry)
    return current


@transaction.atomic
def legal_status_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    from_date: dt.date,
    to_date: dt.date | None = None,
    criteria: dict[str, bool] | None = None,
    note: str = "",
    corrects: LegalStatus | None = None,
) -> LegalStatusChange:
    """Add an entry to the legal-status timeline (never edits one). Applying for a reflection period
    withdraws a pending asylum application; a grant starts its clock; later statuses meet earlier clocks."""
    agency = require_case_agency(actor, case)
    spec = status_spec(kind)
    if to_date is not None and to_date < from_date:
        raise ValidationError({"to_date": _("The end cannot be before the start.")})
    if corrects is not None and corrects.case_id != case.pk:
        raise ValidationError({"corrects": _("The corrected entry belongs to another case.")})
    clean_criteria: dict[str, bool] = {}
    if spec.get("criteria"):
        criteria = criteria or {}
        missing = [c for c in spec["criteria"] if not isinstance(criteria.get(c), bool)]
        if missing:
            raise ValidationError({CRITERIA_KEY: _("Record each of the four criteria as met or not met.")})
        clean_criteria = {c: bool(criteria[c]) for c in spec["criteria"]}
    elif criteria:
        raise ValidationError({CRITERIA_KEY: _("This status has no criteria to record.")})
    before = legal_status_current(case=case, on=from_date)
    withdrew = None
    for withdrawn_kind in spec.get("withdraws", []):
        withdrew = next((e for e in before if e.kind == withdrawn_kind), None)
        if withdrew is not None:
            break
    now = vclock.now()
    entry = LegalStatus.objects.create(
        case=case,
        person=case.person,
        kind=kind,
        from_date=from_date,
        to_date=to_date,
        criteria=clean_criteria,
        withdraws=withdrew,
        corrects=corrects,
        note=note.strip(),
        rule_version=legal_status_rules()["version"],
        recorded_at=now,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    change = LegalStatusChange(
        entry=entry,
        withdrew=withdrew,
        before=rights_and_authority(before[-1]) if before else None,
        after=rights_and_authority(entry),
    )
    start = dt.datetime(from_date.year, from_date.month, from_date.day, tzinfo=dates.OSLO).astimezone(dt.UTC)
    if spec.get("meets_clocks"):
        change.clocks_met = clocks_meet_open(
            case=case, kinds=spec["meets_clocks"], actor=actor, agency=agency, data={"legal_status": entry.pk}
        )
    started = spec.get("starts_clock")
    if started:
        clk = clock_start(
            case=case,
            kind=started,
            start_at=start,
            actor=actor,
            agency=agency,
            origin=f"status:{entry.pk}",
            until=to_date,
        )
        change.clocks_started.append(clk)
        if started == "temporary_residence":
            change.clocks_started.append(
                clock_start(
                    case=case,
                    kind="temporary_residence_renewal",
                    start_at=start,
                    actor=actor,
                    agency=agency,
                    origin=f"status:{entry.pk}:renewal",
                    end_of=clk.ends_on,
                )
            )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        agency=agency,
        detail={
            "case": str(case.pk),
            "kind": kind,
            "withdraws": withdrew.pk if withdrew else None,
            "corrects": corrects.pk if corrects else None,
        },
    )
    return change


# --- voluntary return -----------------------------------------------------------------------------------


@transaction.atomic
def voluntary_return_record(*, actor: User, case: Case, returned_on: dt.date) -> list[Clock]:
    """Follow-up after a voluntary return, at each stage of the rule (3, 6 and 12 months)."""
    agency = require_case_agency(actor, case)
    if returned_on > vclock.today():
        raise ValidationError({"returned_on": _("The return cannot be in the future.")})
    start = dt.datetime(returned_on.year, returned_on.month, returned_on.day, tzinfo=dates.OSLO).astimezone(
        dt.UTC
    )
    clocks = [
        clock_start(
            case=case,
            kind="return_followup",
            start_at=start,
            actor=actor,
            agency=agency,
            stage=int(stage),
            origin=f"return:{returned_on.isoformat()}:{stage}",
        )
        for stage in clock_spec("return_followup")["length"]["months_each"]
    ]
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        agency=agency,
        detail={"voluntary_return": returned_on.isoformat(), "clocks": [str(c.pk) for c in clocks]},
    )
    return clocks
