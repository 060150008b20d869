"""The legal-clock engine: start, pause, resume, extend, meet, cancel; history and as-of views.

Every change writes a ClockChange row holding the clock's state after the change, so
`clock_as_of(clock, at)` can show a clock exactly as it was recorded at any past moment.
Changes are compare-and-set on (state, version): a stale edit raises EditConflict, and two
workers can never both mark the same clock missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case, CaseStatus
from varde.core import clock as vclock
from varde.core.errors import EditConflict, TransitionNotAllowed

from . import dates
from .agencies import child_welfare_agencies
from .models import OPEN_CLOCK_STATES, Clock, ClockAction, ClockChange, ClockExtension, ClockPause, ClockState
from .rules import after_closure_kinds, clock_rules, clock_spec


def _delta(spec: dict[str, Any]) -> dt.timedelta:
    return dt.timedelta(hours=spec.get("hours", 0), days=spec.get("days", 0))


def compute_due(
    kind: str,
    start_at: dt.datetime,
    *,
    stage: int | None = None,
    until: dt.date | None = None,
    end_of: dt.date | None = None,
) -> tuple[dt.datetime, dt.date | None]:
    """(due instant, last day or None) of a clock of `kind` started at `start_at`, per the rules."""
    length = clock_spec(kind)["length"]
    start_day = dates.local_date(start_at)
    if "hours" in length or "days" in length:
        return start_at + _delta(length), None
    if "months" in length:
        ends_on, due = dates.months_period(start_day, int(length["months"]))
        return due, ends_on
    if "months_each" in length:
        if stage not in length["months_each"]:
            raise ValidationError({"stage": _("Choose one of the stages of this deadline.")})
        ends_on, due = dates.months_period(start_day, int(stage))  # type: ignore[arg-type]
        return due, ends_on
    if "until" in length:
        if until is None and "default_months" in length:
            until = dates.add_months(start_day, int(length["default_months"]))
        if until is None:
            raise ValidationError({"due_date": _("Give the date the deadline runs out.")})
        return dates.end_of_day(until), until
    if "months_before_end" in length:
        if end_of is None:
            raise ValidationError({"due_date": _("Give the date the permit ends.")})
        ends_on = dates.add_months(end_of, -int(length["months_before_end"]))
        return dates.end_of_day(ends_on), ends_on
    raise ValidationError({"kind": "unsupported clock length"})  # pragma: no cover - rules are validated


def compute_warn_at(kind: str, start_at: dt.datetime, due_at: dt.datetime) -> dt.datetime | None:
    warn = clock_spec(kind).get("warn_before")
    if not warn:
        return None
    return max(start_at, due_at - _delta(warn))


def responsible_for(kind: str, case: Case, *, agency: Agency | None = None) -> Agency | None:
    """Who answers for a clock of this kind, per the rule: child welfare, the lead, the task's or the
    reporter's agency (given as `agency`)."""
    rule = clock_spec(kind)["responsible"]
    if rule == "child_welfare":
        found = child_welfare_agencies(case)
        return found[0] if found else case.lead_agency
    if rule in ("task", "reporter") and agency is not None:
        return agency
    return case.lead_agency


def _snapshot(
    clock: Clock,
    *,
    action: str,
    at: dt.datetime,
    by: User | None,
    by_agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ClockChange:
    return ClockChange.objects.create(
        clock=clock,
        at=at,
        action=action,
        state=clock.state,
        due_at=clock.due_at,
        ends_on=clock.ends_on,
        paused_at=clock.paused_at,
        reason=reason,
        by=by,
        by_agency=by_agency,
        data=data or {},
    )


def clock_start(
    *,
    case: Case,
    kind: str,
    start_at: dt.datetime | None = None,
    actor: User | None = None,
    agency: Agency | None = None,
    origin: str = "",
    stage: int | None = None,
    until: dt.date | None = None,
    end_of: dt.date | None = None,
    responsible_agency: Agency | None = None,
    responsible_user: User | None = None,
) -> Clock:
    """Start a clock (internal: called by the services and consumers that own the reason for it).

    Idempotent on `origin`: starting the same clock twice returns the first one."""
    if origin:
        existing = Clock.objects.filter(case=case, kind=kind, origin=origin).first()
        if existing is not None:
            return existing
    spec = clock_spec(kind)
    start_at = start_at or vclock.now()
    due_at, ends_on = compute_due(kind, start_at, stage=stage, until=until, end_of=end_of)
    responsible = responsible_agency or responsible_for(kind, case, agency=agency)
    try:
        with transaction.atomic():
            clk = Clock.objects.create(
                case=case,
                kind=kind,
                stage=stage,
                rule_version=clock_rules()["version"],
                rule_source=str(spec["source"]["en"])[:500],
                origin=origin,
                started_at=start_at,
                due_at=due_at,
                ends_on=ends_on,
                warn_at=compute_warn_at(kind, start_at, due_at),
                state=ClockState.RUNNING,
                responsible_agency=responsible,
                responsible_user=responsible_user,
                case_open=case.status != CaseStatus.CLOSED or bool(spec.get("after_closure")),
            )
    except IntegrityError:  # the same origin started by someone else at the same moment
        return Clock.objects.get(case=case, kind=kind, origin=origin)
    _snapshot(
        clk,
        action=ClockAction.STARTED,
        at=vclock.now(),
        by=actor,
        by_agency=agency,
        data={"rule_version": clk.rule_version},
    )
    return clk


def _cas(clk: Clock, *, version: int, states: frozenset[str] | set[str], **fields: Any) -> Clock:
    now = vclock.now()
    updated = Clock.objects.filter(pk=clk.pk, version=version, state__in=states).update(
        version=version + 1, updated_at=now, **fields
    )
    if not updated:
        current = Clock.objects.filter(pk=clk.pk).values_list("state", "version").first()
        if current and current[1] == version:
            raise TransitionNotAllowed(_("The deadline cannot be changed in its current state."))
        raise EditConflict(clk)
    return Clock.objects.get(pk=clk.pk)


def _closing(clk: Clock, *, state: str, version: int, at: dt.datetime, states: set[str]) -> Clock:
    fields: dict[str, Any] = {"state": state, "closed_at": at}
    if state == ClockState.MET:
        fields["met_late"] = at > clk.due_at or clk.state == ClockState.MISSED
    return _cas(clk, version=version, states=states, **fields)


def clock_meet_system(
    *,
    clock: Clock,
    actor: User | None,
    agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Clock | None:
    """Meet a clock because something happened (a placement, a status, a task done). Retries on a
    concurrent change; returns None if the clock is already met or cancelled."""
    for _attempt in range(5):
        clk = Clock.objects.get(pk=clock.pk)
        if clk.state not in (*OPEN_CLOCK_STATES, ClockState.MISSED):
            return None
        try:
            clk = _closing(
                clk,
                state=ClockState.MET,
                version=clk.version,
                at=vclock.now(),
                states={*OPEN_CLOCK_STATES, ClockState.MISSED},
            )
        except (EditConflict, TransitionNotAllowed):
            continue
        _snapshot(
            clk, action=ClockAction.MET, at=vclock.now(), by=actor, by_agency=agency, reason=reason, data=data
        )
        return clk
    raise EditConflict(clock)  # pragma: no cover - five concurrent changes in a row


def clocks_meet_open(
    *,
    case: Case,
    kinds: list[str] | tuple[str, ...],
    actor: User | None,
    agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> list[Clock]:
    """Meet the case's open (and missed: met late) clocks of these kinds."""
    met = []
    for clk in Clock.objects.filter(
        case=case, kind__in=kinds, state__in=[*OPEN_CLOCK_STATES, ClockState.MISSED]
    ):
        done = clock_meet_system(clock=clk, actor=actor, agency=agency, reason=reason, data=data)
        if done is not None:
            met.append(done)
    return met


def clock_cancel_system(
    *, clock: Clock, actor: User | None, agency: Agency | None, reason: str
) -> Clock | None:
    for _attempt in range(5):
        clk = Clock.objects.get(pk=clock.pk)
        if clk.state not in OPEN_CLOCK_STATES:
            return None
        try:
            clk = _closing(
                clk,
                state=ClockState.CANCELLED,
                version=clk.version,
                at=vclock.now(),
                states=set(OPEN_CLOCK_STATES),
            )
        except (EditConflict, TransitionNotAllowed):
            continue
        _snapshot(
            clk, action=ClockAction.CANCELLED, at=vclock.now(), by=actor, by_agency=agency, reason=reason
        )
        return clk
    raise EditConflict(clock)  # pragma: no cover


CASE_CLOSED = "case_closed"
CASE_REOPENED = "case_reopened"


def clocks_cancel_for_closure(*, case: Case) -> list[Clock]:
    """Closed is closed: every open clock of the case is cancelled, the closure named as the reason
    (missed clocks stay missed: that is history), except the kinds that go on after closure (the
    follow-ups after a voluntary return)."""
    cancelled = []
    going_on = after_closure_kinds()
    for clk in Clock.objects.filter(case=case, state__in=OPEN_CLOCK_STATES).exclude(kind__in=going_on):
        done = clock_cancel_system(clock=clk, actor=None, agency=None, reason=CASE_CLOSED)
        if done is not None:
            cancelled.append(done)
    return cancelled


def clocks_restore_after_reopening(*, case: Case, at: dt.datetime) -> list[Clock]:
    """A re-opened case gets back the clocks its closure cancelled whose time has not run out: the same
    clock runs again with its own start and due (a reflection period runs whether the case is open or
    not), so the task, plan, notice or disappearance it belongs to still finds it. A clock someone
    cancelled for another reason stays cancelled."""
    restored = []
    candidates = Clock.objects.filter(
        case=case,
        state=ClockState.CANCELLED,
        due_at__gt=at,
        history__action=ClockAction.CANCELLED,
        history__reason=CASE_CLOSED,
    ).distinct()
    for clk in candidates:
        last = clk.history.order_by("-at", "-id").first()
        if last is None or last.action != ClockAction.CANCELLED or last.reason != CASE_CLOSED:
            continue
        try:
            clk = _cas(
                clk,
                version=clk.version,
                states={ClockState.CANCELLED},
                state=ClockState.RUNNING,
                closed_at=None,
            )
        except (EditConflict, TransitionNotAllowed):
            continue
        _snapshot(clk, action=ClockAction.RESUMED, at=at, by=None, by_agency=None, reason=CASE_REOPENED)
        restored.append(clk)
    return restored


# --- services for people (access-checked, audited) ---------------------------------------------------


def _need_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    return reason.strip()


def _audit(actor: User, clk: Clock, agency: Agency | None, change: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=clk,
        agency=agency,
        detail={"case": str(clk.case_id), "clock": clk.kind, "change": change},
    )


@transaction.atomic
def clock_pause(*, actor: User, clock: Clock, reason: str, version: int) -> Clock:
    agency = case_agency_required(actor, clock.case)
    reason = _need_reason(reason)
    if not clock_spec(clock.kind).get("pausable"):
        raise TransitionNotAllowed(_("This deadline cannot be paused."))
    now = vclock.now()
    clk = _cas(clock, version=version, states={ClockState.RUNNING}, state=ClockState.PAUSED, paused_at=now)
    ClockPause.objects.create(clock=clk, paused_at=now, paused_by=actor, reason=reason)
    _snapshot(clk, action=ClockAction.PAUSED, at=now, by=actor, by_agency=agency, reason=reason)
    _audit(actor, clk, agency, "paused")
    return clk


def _shift(clk: Clock, new_due: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """Fields for a clock whose due time moves to `new_due` (warning re-armed if it moved past it)."""
    fields: dict[str, Any] = {"due_at": new_due}
    if clk.ends_on is not None:
        fields["ends_on"] = dates.last_day_before(new_due)
    warn_at = compute_warn_at(clk.kind, clk.started_at, new_due)
    fields["warn_at"] = warn_at
    if warn_at is not None and warn_at > now:
        fields["warned_at"] = None
    return fields


@transaction.atomic
def clock_resume(*, actor: User, clock: Clock, version: int) -> Clock:
    """Resume a paused clock: the due time moves on by as long as the clock was paused."""
    agency = case_agency_required(actor, clock.case)
    if clock.state != ClockState.PAUSED or clock.paused_at is None:
        raise TransitionNotAllowed(_("Only a paused deadline can be resumed."))
    now = vclock.now()
    paused_for = now - clock.paused_at
    clk = _cas(
        clock,
        version=version,
        states={ClockState.PAUSED},
        state=ClockState.RUNNING,
        paused_at=None,
        **_shift(clock, clock.due_at + paused_for, now),
    )
    ClockPause.objects.filter(clock=clk, resumed_at__isnull=True).update(resumed_at=now, resumed_by=actor)
    _snapshot(
        clk,
        action=ClockAction.RESUMED,
        at=now,
        by=actor,
        by_agency=agency,
        data={"paused_seconds": int(paused_for.total_seconds())},
    )
    _audit(actor, clk, agency, "resumed")
    return clk


@transaction.atomic
def clock_extend(
    *,
    actor: User,
    clock: Clock,
    reason: str,
    version: int,
    hours: int = 0,
    days: int = 0,
    months: int = 0,
) -> Clock:
    """Grant more time: the new due time, the reason and who granted it are kept."""
    agency = case_agency_required(actor, clock.case)
    reason = _need_reason(reason)
    if not clock_spec(clock.kind).get("extendable"):
        raise TransitionNotAllowed(_("This deadline is set by law and cannot be extended."))
    if min(hours, days, months) < 0 or not (hours or days or months):
        raise ValidationError({"days": _("Give a positive extension.")})
    if clock.state not in OPEN_CLOCK_STATES:
        raise TransitionNotAllowed(_("Only a running or paused deadline can be extended."))
    now = vclock.now()
    new_due = clock.due_at + dt.timedelta(hours=hours, days=days)
    if months:
        if clock.ends_on is not None:
            new_due = dates.end_of_day(dates.add_months(dates.last_day_before(new_due), months))
        else:
            local = new_due.astimezone(dates.OSLO)
            day = dates.add_months(local.date(), months)
            new_due = local.replace(year=day.year, month=day.month, day=day.day).astimezone(dt.UTC)
    clk = _cas(clock, version=version, states=set(OPEN_CLOCK_STATES), **_shift(clock, new_due, now))
    ext = ClockExtension.objects.create(
        clock=clk,
        at=now,
        from_due_at=clock.due_at,
        to_due_at=new_due,
        reason=reason,
        granted_by=actor,
        granted_by_agency=agency,
    )
    _snapshot(
        clk,
        action=ClockAction.EXTENDED,
        at=now,
        by=actor,
        by_agency=agency,
        reason=reason,
        data={"extension": ext.pk},
    )
    _audit(actor, clk, agency, "extended")
    return clk


@transaction.atomic
def clock_meet(*, actor: User, clock: Clock, version: int, reason: str = "") -> Clock:
    """Record that what the clock asked for was done (late if after the due time)."""
    agency = case_agency_required(actor, clock.case)
    now = vclock.now()
    clk = _closing(
        clock, state=ClockState.MET, version=version, at=now, states={*OPEN_CLOCK_STATES, ClockState.MISSED}
    )
    _snapshot(clk, action=ClockAction.MET, at=now, by=actor, by_agency=agency, reason=reason.strip())
    _audit(actor, clk, agency, "met")
    return clk


@transaction.atomic
def clock_cancel(*, actor: User, clock: Clock, reason: str, version: int) -> Clock:
    agency = case_agency_required(actor, clock.case)
    reason = _need_reason(reason)
    now = vclock.now()
    clk = _closing(clock, state=ClockState.CANCELLED, version=version, at=now, states=set(OPEN_CLOCK_STATES))
    _snapshot(clk, action=ClockAction.CANCELLED, at=now, by=actor, by_agency=agency, reason=reason)
    _audit(actor, clk, agency, "cancelled")
    return clk


# --- worker transitions (system; exactly once by compare-and-set) -----------------------------------


def clocks_due(*, now: dt.datetime) -> QuerySet[Clock]:
    return Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=now).order_by("due_at")


def clocks_to_warn(*, now: dt.datetime) -> QuerySet[Clock]:
    return Clock.objects.filter(
        state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now, due_at__gt=now
    ).order_by("warn_at")


def clock_fire_missed(*, clock_id: Any, now: dt.datetime) -> Clock | None:
    """Mark one clock missed if it is still running and past due. Runs inside the caller's transaction;
    returns the clock only for the one caller whose UPDATE matched (the claim)."""
    updated = Clock.objects.filter(pk=clock_id, state=ClockState.RUNNING, due_at__lte=now).update(
        state=ClockState.MISSED, closed_at=now, version=F("version") + 1, updated_at=now
    )
    if not updated:
        return None
    clk = Clock.objects.select_related("case", "case__lead_agency", "responsible_agency").get(pk=clock_id)
    _snapshot(clk, action=ClockAction.MISSED, at=now, by=None, by_agency=None)
    return clk


def clock_fire_warning(*, clock_id: Any, now: dt.datetime) -> Clock | None:
    updated = Clock.objects.filter(
        Q(pk=clock_id, state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
    ).update(warned_at=now)
    if not updated:
        return None
    clk = Clock.objects.select_related("case", "case__lead_agency", "responsible_agency").get(pk=clock_id)
    _snapshot(clk, action=ClockAction.WARNED, at=now, by=None, by_agency=None)
    return clk


def _fired(clock_ids: list[Any], now: dt.datetime, action: str) -> list[Clock]:
    """The clocks just claimed, with what their notices need, and one history row each."""
    clocks = list(
        Clock.objects.select_related("case", "case__lead_agency", "responsible_agency")
        .filter(pk__in=clock_ids)
        .order_by("due_at", "id")
    )
    ClockChange.objects.bulk_create(
        [
            ClockChange(
                clock=clk,
                at=now,
                action=action,
                state=clk.state,
                due_at=clk.due_at,
                ends_on=clk.ends_on,
                paused_at=clk.paused_at,
                data={},
            )
            for clk in clocks
        ]
    )
    return clocks


def clocks_fire_missed(*, clock_ids: list[Any], now: dt.datetime) -> list[Clock] | None:
    """`clock_fire_missed` for many clocks in one compare-and-set: the clocks if the UPDATE matched
    every one of them (the caller holds their rows), else None and nothing is claimed by it that the
    caller's rollback would not undo (the caller rolls back and fires them one by one)."""
    updated = Clock.objects.filter(pk__in=clock_ids, state=ClockState.RUNNING, due_at__lte=now).update(
        state=ClockState.MISSED, closed_at=now, version=F("version") + 1, updated_at=now
    )
    if updated != len(set(clock_ids)):
        return None
    return _fired(clock_ids, now, ClockAction.MISSED)


def clocks_fire_warning(*, clock_ids: list[Any], now: dt.datetime) -> list[Clock] | None:
    """`clock_fire_warning` for many clocks in one compare-and-set (see clocks_fire_missed)."""
    updated = Clock.objects.filter(
        pk__in=clock_ids, state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now, due_at__gt=now
    ).update(warned_at=now)
    if updated != len(set(clock_ids)):
        return None
    return _fired(clock_ids, now, ClockAction.WARNED)


# --- for the operator -------------------------------------------------------------------------------

OPERATOR_STATES = ("running", "warning", "missed", "all")


def clocks_for_operator(
    *, state: str = "running", case_reference: str = "", now: dt.datetime
) -> QuerySet[Clock]:
    """Clocks by state for `varde clocks`: running (running or paused), warning (in the warning
    window), missed (recorded missed, or running past due: the worker has not been by), or all of
    any state; of one case (by reference) or of every case. Soonest due first."""
    qs = Clock.objects.select_related("case").order_by("due_at", "id")
    if case_reference:
        qs = qs.filter(case__reference__iexact=case_reference.strip())
    if state == "running":
        return qs.filter(state__in=OPEN_CLOCK_STATES)
    if state == "warning":
        return qs.filter(state=ClockState.RUNNING, warn_at__lte=now, due_at__gt=now)
    if state == "missed":
        return qs.filter(Q(state=ClockState.MISSED) | Q(state=ClockState.RUNNING, due_at__lte=now))
    if state == "all":
        return qs
    raise ValueError(f"unknown state {state[:20]!r}")


# --- as of a past moment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockSnapshot:
    clock_id: Any
    case_id: Any
    kind: str
    stage: int | None
    as_of: dt.datetime
    state: str
    due_at: dt.datetime
    ends_on: dt.date | None
    paused_at: dt.datetime | None
    last_action: str
    changed_at: dt.datetime

    @property
    def overdue(self) -> bool:
        """Running past its due time at that moment (the worker had not yet recorded it missed)."""
        return self.state == ClockState.RUNNING and self.due_at <= self.as_of


def _from_change(clk: Clock, change: ClockChange, at: dt.datetime) -> ClockSnapshot:
    return ClockSnapshot(
        clock_id=clk.pk,
        case_id=clk.case_id,
        kind=clk.kind,
        stage=clk.stage,
        as_of=at,
        state=change.state,
        due_at=change.due_at,
        ends_on=change.ends_on,
        paused_at=change.paused_at,
        last_action=change.action,
        changed_at=change.at,
    )


def clock_as_of(clock: Clock, at: dt.datetime) -> ClockSnapshot | None:
    """The clock as it was recorded at `at`; None if it had not been started by then."""
    change = clock.history.filter(at__lte=at).order_by("-at", "-id").first()
    return _from_change(clock, change, at) if change else None


def case_clocks_as_of(case: Case, at: dt.datetime) -> list[ClockSnapshot]:
    """Every clock of the case as it stood at `at` (one query for the clocks, one for the history)."""
    clocks = {c.pk: c for c in Clock.objects.filter(case=case, history__at__lte=at).distinct()}
    latest: dict[Any, ClockChange] = {}
    for change in ClockChange.objects.filter(clock_id__in=clocks, at__lte=at).order_by("at", "id"):
        latest[change.clock_id] = change
    snaps = [_from_change(clocks[cid], change, at) for cid, change in latest.items()]
    return sorted(snaps, key=lambda s: (s.due_at, str(s.clock_id)))
