"""The project group and the reference group: members with their 24-hour readiness contact, meetings
with agenda, attendance, minutes, decisions and follow-up tasks; joint seminars; local coordination
units and the reports sent to them. KOM's coordinators record all of it; a task's responsible member
may mark it done.

Follow-up tasks carry their own due date: the response package's clocks belong to cases, and a
group's task is not about a case. Open tasks past their date are shown as overdue
(`FollowUpTask.objects.filter(state=open, due_on__lt=today)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed

from .models import (
    Decision,
    FollowUpTask,
    Group,
    GroupKind,
    GroupMember,
    LocalUnit,
    Meeting,
    ReportDispatch,
    Seminar,
    SeminarParticipant,
    TaskState,
)
from .roles import is_coordinator

MAX_TEXT = 20_000


def _check_coordinator(actor: User) -> None:
    if not is_coordinator(actor):
        raise NotPermitted(_("Only KOM's coordinators record this."))


def _required(errors: dict[str, list[str]], name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append(_("This field is required."))
    return value


def _check_email(errors: dict[str, list[str]], email: str) -> None:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["readiness_email"] = [_("Enter a valid e-mail address.")]


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- groups and members -------------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: User, kind: str, name: str, description: str = "") -> Group:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name)
    if kind not in GroupKind.values:
        errors["kind"] = [_("Choose a kind.")]
    _raise(errors)
    group = Group.objects.create(kind=kind, name=name[:200], description=(description or "").strip())
    audit_record(actor=actor, action=AuditAction.CREATE, obj=group)
    return group


@transaction.atomic
def group_update(*, actor: User, group: Group, version: int, name: str, description: str = "") -> Group:
    """Rename a group or change its description (its kind stays: a project group is not a reference
    group). A stale version is a conflict."""
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name)
    if len(description or "") > MAX_TEXT:
        errors["description"] = [_("Keep it under %(n)s characters.") % {"n": MAX_TEXT}]
    _raise(errors)
    updated = Group.objects.filter(pk=group.pk, version=version).update(
        name=name[:200], description=(description or "").strip(), version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(group)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=group)
    return Group.objects.get(pk=group.pk)


@transaction.atomic
def group_member_add(
    *,
    actor: User,
    group: Group,
    agency: Agency,
    name: str,
    user: User | None = None,
    readiness_phone: str = "",
    readiness_email: str = "",
) -> GroupMember:
    """A representative of an agency; with `user`, they sign in and see the group's minutes. The
    24-hour readiness contact is the phone (or e-mail) agreed for them."""
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name or (user.full_name if user else ""))
    if user is not None and not user.memberships.filter(agency=agency, is_active=True).exists():
        errors["user"] = [_("The user does not work at this agency.")]
    if user is not None and GroupMember.objects.filter(group=group, user=user, is_active=True).exists():
        errors["user"] = [_("The user is already a member of this group.")]
    _check_email(errors, readiness_email)
    _raise(errors)
    member = GroupMember.objects.create(
        group=group,
        agency=agency,
        user=user,
        name=name[:200],
        readiness_phone=(readiness_phone or "").strip()[:40],
        readiness_email=(readiness_email or "").strip(),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=member, detail={"group": str(group.pk)})
    return member


@transaction.atomic
def group_member_update(
    *,
    actor: User,
    member: GroupMember,
    version: int,
    readiness_phone: str,
    readiness_email: str,
    is_active: bool,
) -> GroupMember:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    _check_email(errors, readiness_email)
    _raise(errors)
    updated = GroupMember.objects.filter(pk=member.pk, version=version).update(
        readiness_phone=(readiness_phone or "").strip()[:40],
        readiness_email=(readiness_email or "").strip(),
        is_active=is_active,
        version=version + 1,
        updated_at=clock.now(),
    )
    if not updated:
        raise EditConflict(member)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=member)
    return GroupMember.objects.get(pk=member.pk)


# --- meetings, decisions, tasks ---------------------------------------------------------------------------


def _members_of(group: Group, ids: Iterable[UUID | str]) -> list[GroupMember]:
    wanted = {str(i) for i in ids}
    found = list(GroupMember.objects.filter(group=group, pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"attendees": [_("Only the group's members attend its meetings.")]})
    return found


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    group: Group,
    held_on: dt.date,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    attendee_ids: Iterable[UUID | str] = (),
) -> Meeting:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = [_("This field is required.")]
    elif held_on > clock.today() + dt.timedelta(days=366):
        errors["held_on"] = [_("The date is more than a year ahead.")]
    if len(agenda or "") > MAX_TEXT or len(minutes or "") > MAX_TEXT:
        errors["minutes"] = [_("Keep it under %(n)s characters.") % {"n": MAX_TEXT}]
    _raise(errors)
    attendees = _members_of(group, attendee_ids)
    meeting = Meeting.objects.create(
        group=group,
        held_on=held_on,
        place=(place or "").strip()[:200],
        agenda=(agenda or "").strip(),
        minutes=(minutes or "").strip(),
        recorded_by=actor,
    )
    meeting.attendees.set(attendees)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=meeting, detail={"group": str(group.pk)})
    return meeting


@dataclass(frozen=True)
class TaskInput:
    title: str
    responsible: GroupMember | None
    due_on: dt.date | None


@dataclass(frozen=True)
class DecisionInput:
    text: str
    tasks: tuple[TaskInput, ...] = ()


@transaction.atomic
def meeting_record_with_decisions(
    *,
    actor: User,
    group: Group,
    held_on: dt.date,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    attendee_ids: Iterable[UUID | str] = (),
    decisions: Iterable[DecisionInput] = (),
) -> Meeting:
    """A meeting with its decisions and their follow-up tasks, all or nothing. An error in the n-th
    decision is reported under `decisions.<n>.<field>` (counted from 0)."""
    meeting = meeting_record(
        actor=actor,
        group=group,
        held_on=held_on,
        place=place,
        agenda=agenda,
        minutes=minutes,
        attendee_ids=attendee_ids,
    )
    for n, item in enumerate(decisions):
        try:
            decision = decision_add(actor=actor, meeting=meeting, text=item.text)
            for task in item.tasks:
                task_add(
                    actor=actor, decision=decision, title=task.title, responsible=task.responsible,
                    due_on=task.due_on,
                )  # fmt: skip
        except ValidationError as error:
            raise ValidationError(
                {f"decisions.{n}.{field}": messages for field, messages in error.message_dict.items()}
            ) from None
    return meeting


@transaction.atomic
def meeting_update_minutes(
    *,
    actor: User,
    meeting: Meeting,
    version: int,
    agenda: str,
    minutes: str,
    attendee_ids: Iterable[UUID | str],
) -> Meeting:
    _check_coordinator(actor)
    if len(agenda or "") > MAX_TEXT or len(minutes or "") > MAX_TEXT:
        raise ValidationError({"minutes": [_("Keep it under %(n)s characters.") % {"n": MAX_TEXT}]})
    attendees = _members_of(meeting.group, attendee_ids)
    updated = Meeting.objects.filter(pk=meeting.pk, version=version).update(
        agenda=(agenda or "").strip(),
        minutes=(minutes or "").strip(),
        version=version + 1,
        updated_at=clock.now(),
    )
    if not updated:
        raise EditConflict(meeting)
    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting.attendees.set(attendees)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=meeting)
    return meeting


@transaction.atomic
def decision_add(*, actor: User, meeting: Meeting, text: str) -> Decision:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    text = _required(errors, "decision", text)
    _raise(errors)
    decision = Decision.objects.create(meeting=meeting, text=text[:MAX_TEXT])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=decision, detail={"meeting": str(meeting.pk)})
    return decision


@transaction.atomic
def task_add(
    *, actor: User, decision: Decision, title: str, responsible: GroupMember | None, due_on: dt.date | None
) -> FollowUpTask:
    """A follow-up of the decision: a member of the meeting's group is responsible, by a date."""
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    title = _required(errors, "task", title)
    if responsible is None:
        errors["responsible"] = [_("Choose who is responsible.")]
    elif responsible.group_id != decision.meeting.group_id or not responsible.is_active:
        errors["responsible"] = [_("The responsible person must be an active member of the group.")]
    if due_on is None:
        errors["due_on"] = [_("This field is required.")]
    _raise(errors)
    assert responsible is not None and due_on is not None
    task = FollowUpTask.objects.create(
        decision=decision, title=title[:300], responsible=responsible, due_on=due_on
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=task, detail={"decision": str(decision.pk)})
    return task


def may_complete_task(user: User, task: FollowUpTask) -> bool:
    return is_coordinator(user) or (
        task.responsible.user_id is not None and task.responsible.user_id == user.pk
    )


@transaction.atomic
def task_done(*, actor: User, task: FollowUpTask, version: int) -> FollowUpTask:
    if not may_complete_task(actor, task):
        raise NotPermitted(_("The responsible member or KOM marks a task done."))
    updated = FollowUpTask.objects.filter(pk=task.pk, version=version, state=TaskState.OPEN).update(
        state=TaskState.DONE, done_at=clock.now(), done_by=actor, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        current = FollowUpTask.objects.get(pk=task.pk)
        if current.version == version:
            raise TransitionNotAllowed(_("The task is already done."))
        raise EditConflict(task)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=task, detail={"state": "done"})
    return FollowUpTask.objects.get(pk=task.pk)


def overdue_tasks(*, today: dt.date | None = None) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.filter(state=TaskState.OPEN, due_on__lt=today or clock.today())


# --- seminars ------------------------------------------------------------------------------------------------


@transaction.atomic
def seminar_create(
    *,
    actor: User,
    title: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    place: str = "",
    programme: str = "",
    groups: Iterable[Group] = (),
) -> Seminar:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    title = _required(errors, "title", title)
    if starts_on is None:
        errors["starts_on"] = [_("This field is required.")]
    if ends_on is None:
        errors["ends_on"] = [_("This field is required.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The last day is before the first.")]
    _raise(errors)
    assert starts_on is not None and ends_on is not None
    seminar = Seminar.objects.create(
        title=title[:300], starts_on=starts_on, ends_on=ends_on, place=(place or "").strip()[:200],
        programme=(programme or "").strip(),
    )  # fmt: skip
    seminar.groups.set(list(groups))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=seminar)
    return seminar


@transaction.atomic
def seminar_participant_add(
    *, actor: User, seminar: Seminar, agency: Agency, name: str
) -> SeminarParticipant:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name)
    _raise(errors)
    participant = SeminarParticipant.objects.create(seminar=seminar, agency=agency, name=name[:200])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=seminar, detail={"participant_agency": agency.code}
    )
    return participant


# --- local coordination units ----------------------------------------------------------------------------


@transaction.atomic
def local_unit_create(
    *,
    actor: User,
    name: str,
    municipality: str = "",
    police_district: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    agencies: Iterable[Agency] = (),
    members: Iterable[User] = (),
) -> LocalUnit:
    _check_coordinator(actor)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name)
    municipality = (municipality or "").strip()
    if municipality and not (municipality.isdigit() and len(municipality) == 4):
        errors["municipality"] = [_("A municipality number has four digits.")]
    if not municipality and not (police_district or "").strip():
        errors["municipality"] = [_("Give the municipality or the police district.")]
    _raise(errors)
    unit = LocalUnit.objects.create(
        name=name[:200],
        municipality=municipality,
        police_district=(police_district or "").strip()[:100],
        contact_name=(contact_name or "").strip()[:200],
        contact_phone=(contact_phone or "").strip()[:40],
        contact_email=(contact_email or "").strip(),
    )
    unit.agencies.set(list(agencies))
    unit.members.set(list(members))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=unit)
    return unit


@transaction.atomic
def local_unit_member_add(*, actor: User, unit: LocalUnit, user: User) -> LocalUnit:
    _check_coordinator(actor)
    unit.members.add(user)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=unit, detail={"member": str(user.pk)})
    return unit


@transaction.atomic
def report_dispatch(*, actor: User, unit: LocalUnit, year: int) -> ReportDispatch:
    """Send the year's report to the commission to a local unit: its members may then read it."""
    _check_coordinator(actor)
    try:
        with transaction.atomic():
            dispatch = ReportDispatch.objects.create(unit=unit, year=year, sent_at=clock.now(), by=actor)
    except IntegrityError:
        raise TransitionNotAllowed(_("That year's report was already sent to this unit.")) from None
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=unit, detail={"report_year": year})
    return dispatch


def group_overview(group: Group) -> dict[str, Any]:
    """Members, meetings (newest first) with decisions and tasks, in a fixed number of queries."""
    members = list(group.members.select_related("agency", "user"))
    meetings = list(
        group.meetings.prefetch_related("attendees", "decisions__tasks__responsible").order_by("-held_on")
    )
    return {"members": members, "meetings": meetings}
