"""A safe voluntary return and reintegration: the plan (IOM or another organisation, country, date,
escort, reception at home), the return itself, and the follow-ups after it (by default at 3, 6 and 12
months: the lengths are data, varde/response/rules/clocks.json "return_followup").

A child's return needs the guardian consulted and child welfare's assessment of the child's best
interests; a person recorded as missing cannot be returned before being found. Closing a case as
"returned home" needs the return recorded (`closure_check`, registered with varde.cases.services).

Writes are keyword-only, atomic and audited in the same transaction (ids and codes only);
plans and returns are edited under optimistic locking (the row's version).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case, ClosureReason
from varde.core import clock as vclock
from varde.core.errors import EditConflict
from varde.persons.codes import is_country

from . import dates
from .clocks import clock_meet_system, clock_start
from .models import (
    Clock,
    FollowUpOutcome,
    MissingEpisode,
    MissingStatus,
    ReturnFollowUp,
    ReturnOrganisation,
    ReturnState,
    Risk,
    Situation,
    VoluntaryReturn,
)
from .rules import clock_spec

FOLLOW_UP_CLOCK = "return_followup"
SITUATION_FIELDS = ("housing", "income", "education_work", "health")


def follow_up_stages() -> list[int]:
    """The months after a return at which the person is followed up (3, 6 and 12 by default)."""
    return [int(m) for m in clock_spec(FOLLOW_UP_CLOCK)["length"]["months_each"]]


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _opened_on(case: Case) -> dt.date:
    return dates.local_date(case.opened_at)


def _clean_plan(case: Case, fields: dict[str, Any]) -> dict[str, Any]:
    organisation = fields.get("organisation") or ""
    if organisation not in ReturnOrganisation.values:
        raise ValidationError({"organisation": _("Choose the organisation that assists the return.")})
    name = (fields.get("organisation_name") or "").strip()
    if organisation == ReturnOrganisation.OTHER and not name:
        raise ValidationError({"organisation_name": _("Name the organisation that assists the return.")})
    country = (fields.get("country") or "").strip().upper()
    if not is_country(country):
        raise ValidationError({"country": _("Choose the country of return from the list.")})
    planned_on = fields.get("planned_on")
    if not isinstance(planned_on, dt.date):
        raise ValidationError({"planned_on": _("Give the planned date of the return.")})
    if planned_on < _opened_on(case):
        raise ValidationError(
            {
                "planned_on": _("The return cannot be before the case opened (%(date)s).")
                % {"date": _fmt(_opened_on(case))}
            }
        )
    return {
        "organisation": organisation,
        "organisation_name": name if organisation == ReturnOrganisation.OTHER else "",
        "country": country,
        "planned_on": planned_on,
        "escort": bool(fields.get("escort")),
        "reception": (fields.get("reception") or "").strip(),
        "guardian_consulted": fields.get("guardian_consulted"),
        "best_interests_assessed": fields.get("best_interests_assessed"),
        "note": (fields.get("note") or "").strip(),
    }


@transaction.atomic
def return_plan(
    *,
    actor: User,
    case: Case,
    organisation: str,
    country: str,
    planned_on: dt.date,
    organisation_name: str = "",
    escort: bool = False,
    reception: str = "",
    guardian_consulted: bool | None = None,
    best_interests_assessed: bool | None = None,
    note: str = "",
) -> VoluntaryReturn:
    """Plan a voluntary return. One plan at a time: cancel the open one before planning another."""
    agency = case_agency_required(actor, case)
    clean = _clean_plan(case, locals())
    if VoluntaryReturn.objects.filter(case=case, state=ReturnState.PLANNED).exists():
        raise ValidationError(
            {"planned_on": _("A return is already planned for this case: change that plan.")}
        )
    ret = VoluntaryReturn.objects.create(
        case=case,
        person=case.person,
        was_child=case.is_child,
        recorded_by=actor,
        recorded_by_agency=agency,
        **clean,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=ret,
        agency=agency,
        detail={"case": str(case.pk), "organisation": ret.organisation, "country": ret.country},
    )
    return ret


def _locked(ret: VoluntaryReturn, version: int) -> VoluntaryReturn:
    current = VoluntaryReturn.objects.select_for_update().get(pk=ret.pk)
    if current.version != version:
        raise EditConflict(current)
    return current


@transaction.atomic
def return_plan_change(*, actor: User, ret: VoluntaryReturn, version: int, **fields: Any) -> VoluntaryReturn:
    """Change a planned return (the organisation, country, date, escort, reception, checks)."""
    agency = case_agency_required(actor, ret.case)
    current = _locked(ret, version)
    if current.state != ReturnState.PLANNED:
        raise ValidationError({"state": _("Only a planned return can be changed.")})
    merged = {f: getattr(current, f) for f in _clean_plan(ret.case, _plan_fields(current))}
    merged.update({k: v for k, v in fields.items() if k in merged})
    clean = _clean_plan(ret.case, merged)
    VoluntaryReturn.objects.filter(pk=current.pk).update(
        **clean, version=current.version + 1, updated_at=vclock.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        agency=agency,
        detail={"case": str(ret.case_id), "fields": sorted(k for k in fields if k in merged)},
    )
    return VoluntaryReturn.objects.get(pk=current.pk)


def _plan_fields(ret: VoluntaryReturn) -> dict[str, Any]:
    return {
        "organisation": ret.organisation,
        "organisation_name": ret.organisation_name,
        "country": ret.country,
        "planned_on": ret.planned_on,
        "escort": ret.escort,
        "reception": ret.reception,
        "guardian_consulted": ret.guardian_consulted,
        "best_interests_assessed": ret.best_interests_assessed,
        "note": ret.note,
    }


@transaction.atomic
def return_cancel(*, actor: User, ret: VoluntaryReturn, version: int, reason: str) -> VoluntaryReturn:
    agency = case_agency_required(actor, ret.case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the return is cancelled.")})
    current = _locked(ret, version)
    if current.state != ReturnState.PLANNED:
        raise ValidationError({"state": _("Only a planned return can be cancelled.")})
    VoluntaryReturn.objects.filter(pk=current.pk).update(
        state=ReturnState.CANCELLED,
        note="\n".join(x for x in (current.note, reason.strip()) if x),
        version=current.version + 1,
        updated_at=vclock.now(),
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=current, agency=agency, detail={"state": "cancelled"}
    )
    return VoluntaryReturn.objects.get(pk=current.pk)


def _return_checks(ret: VoluntaryReturn, case: Case, returned_on: dt.date) -> None:
    """What a caseworker checks before a person leaves: a date that makes sense, the person found if
    they were missing, and for a child the guardian and child welfare's assessment."""
    if returned_on > vclock.today():
        raise ValidationError(
            {"returned_on": _("The return cannot be in the future: record it when it has happened.")}
        )
    if returned_on < _opened_on(case):
        raise ValidationError(
            {
                "returned_on": _("The return cannot be before the case opened (%(date)s).")
                % {"date": _fmt(_opened_on(case))}
            }
        )
    if MissingEpisode.objects.filter(case=case, status=MissingStatus.MISSING).exists():
        raise ValidationError(
            {
                "returned_on": _(
                    "The person is recorded as missing: record them found before recording a return."
                )
            }
        )
    child = case.is_child or ret.was_child
    if child and ret.guardian_consulted is not True:
        raise ValidationError(
            {"guardian_consulted": _("A child's return needs the guardian consulted first.")}
        )
    if child and ret.best_interests_assessed is not True:
        raise ValidationError(
            {
                "best_interests_assessed": _(
                    "A child's return needs child welfare's assessment of the child's best interests."
                )
            }
        )


@transaction.atomic
def return_record(
    *, actor: User, ret: VoluntaryReturn, returned_on: dt.date, version: int
) -> VoluntaryReturn:
    """The return has happened: the follow-up clocks start (3, 6 and 12 months after it by default)."""
    case = ret.case
    agency = case_agency_required(actor, case)
    current = _locked(ret, version)
    if current.state != ReturnState.PLANNED:
        raise ValidationError({"state": _("Only a planned return can be recorded as done.")})
    _return_checks(current, case, returned_on)
    VoluntaryReturn.objects.filter(pk=current.pk).update(
        state=ReturnState.RETURNED,
        returned_on=returned_on,
        version=current.version + 1,
        updated_at=vclock.now(),
    )
    start = dt.datetime(returned_on.year, returned_on.month, returned_on.day, tzinfo=dates.OSLO).astimezone(
        dt.UTC
    )
    clocks = [
        clock_start(
            case=case,
            kind=FOLLOW_UP_CLOCK,
            start_at=start,
            actor=actor,
            agency=agency,
            stage=stage,
            origin=f"return:{current.pk}:{stage}",
        )
        for stage in follow_up_stages()
    ]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        agency=agency,
        detail={
            "state": "returned",
            "returned_on": returned_on.isoformat(),
            "clocks": [str(c.pk) for c in clocks],
        },
    )
    return VoluntaryReturn.objects.get(pk=current.pk)


def voluntary_return_record(
    *,
    actor: User,
    case: Case,
    returned_on: dt.date,
    country: str,
    organisation: str = ReturnOrganisation.IOM,
    **plan: Any,
) -> VoluntaryReturn:
    """Plan and record a return that has already happened, in one step (the CLI and the demo)."""
    with transaction.atomic():
        ret = return_plan(
            actor=actor, case=case, organisation=organisation, country=country, planned_on=returned_on, **plan
        )
        return return_record(actor=actor, ret=ret, returned_on=returned_on, version=ret.version)


def follow_up_clock(ret: VoluntaryReturn, stage: int) -> Clock | None:
    return Clock.objects.filter(
        case_id=ret.case_id, kind=FOLLOW_UP_CLOCK, origin=f"return:{ret.pk}:{stage}"
    ).first()


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    ret: VoluntaryReturn,
    stage: int,
    on_date: dt.date,
    outcome: str,
    housing: str = Situation.UNKNOWN,
    income: str = Situation.UNKNOWN,
    education_work: str = Situation.UNKNOWN,
    health: str = Situation.UNKNOWN,
    re_trafficking_risk: str = Risk.UNKNOWN,
    note: str = "",
) -> ReturnFollowUp:
    """The outcome of one follow-up after the return; it meets that stage's deadline."""
    agency = case_agency_required(actor, ret.case)
    ret = VoluntaryReturn.objects.select_for_update().get(pk=ret.pk)
    if ret.state != ReturnState.RETURNED or ret.returned_on is None:
        raise ValidationError({"stage": _("Record the return before its follow-ups.")})
    if stage not in follow_up_stages():
        raise ValidationError({"stage": _("Choose one of the follow-ups from the list.")})
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": _("Say whether the person was reached.")})
    situations = {"housing": housing, "income": income, "education_work": education_work, "health": health}
    for name, value in situations.items():
        if value not in Situation.values:
            raise ValidationError({name: _("Choose a value from the list.")})
    if re_trafficking_risk not in Risk.values:
        raise ValidationError({"re_trafficking_risk": _("Choose a value from the list.")})
    if on_date < ret.returned_on:
        raise ValidationError(
            {
                "on_date": _("A follow-up cannot be before the return (%(date)s).")
                % {"date": _fmt(ret.returned_on)}
            }
        )
    if on_date > vclock.today():
        raise ValidationError({"on_date": _("The date cannot be in the future.")})
    if ReturnFollowUp.objects.filter(voluntary_return=ret, stage=stage).exists():
        raise ValidationError({"stage": _("This follow-up is already recorded.")})
    clk = follow_up_clock(ret, stage)
    follow_up = ReturnFollowUp.objects.create(
        voluntary_return=ret,
        stage=stage,
        clock=clk,
        on_date=on_date,
        outcome=outcome,
        re_trafficking_risk=re_trafficking_risk,
        note=note.strip(),
        recorded_at=vclock.now(),
        recorded_by=actor,
        recorded_by_agency=agency,
        **situations,
    )
    if clk is not None:
        clock_meet_system(clock=clk, actor=actor, agency=agency, reason="", data={"follow_up": follow_up.pk})
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=follow_up,
        agency=agency,
        detail={"case": str(ret.case_id), "return": str(ret.pk), "stage": stage, "outcome": outcome},
    )
    return follow_up


def closure_check(case: Case, closure_reason: str) -> None:
    """Closing a case as "returned home" needs the return recorded (registered in varde.cases.services)."""
    if closure_reason != ClosureReason.RETURNED_HOME:
        return
    if not VoluntaryReturn.objects.filter(case=case, state=ReturnState.RETURNED).exists():
        raise ValidationError(
            {
                "closure_reason": _(
                    "Record the voluntary return first (organisation, country, date): the follow-ups after it start from that record."
                )
            }
        )
