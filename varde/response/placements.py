"""Placements and the child's safe place within 24 hours: the outbox consumers that start and meet
the presumed child's clocks, and the placements a caseworker records.

Writes are keyword-only, atomic and audited in the same transaction (ids only); the outbox consumers
are idempotent, so an event processed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case, CaseStatus
from varde.core import clock as vclock
from varde.core.errors import EditConflict

from .clocks import (
    clock_cancel_system,
    clock_meet_system,
    clock_start,
    clocks_cancel_for_closure,
    clocks_meet_open,
    clocks_restore_after_reopening,
)
from .models import (
    OPEN_CLOCK_STATES,
    Clock,
    NotificationKind,
    Placement,
    PlacementKind,
)
from .routing import notify
from .rules import child_safe_place_kinds

SAFE_PLACEMENT = "safe_placement"
INFORM_CHILD_WELFARE = "inform_child_welfare"


def _origin_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")


# --- consumers of the outbox (system; no actor) ---------------------------------------------------------


@transaction.atomic
def on_presumed_child(*, case: Case, occurred_at: dt.datetime) -> Clock | None:
    """A case is presumed a child's case: start the 24-hour safe-placement clock (from the moment of
    the presumption) and inform child welfare (its acknowledgement is a clock of its own); tell the
    coordinators. Idempotent: an open placement clock, or one started for the same moment, is reused.
    A closed case starts nothing and sends nothing (returns None): closed is closed."""
    case = Case.objects.select_related("lead_agency").get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        return None
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
        current = current_safe_place(case)
        if current is not None:
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


def on_case_closed(*, case: Case) -> list[Clock]:
    """Closing cancels every running clock of the case, the closure named as the reason."""
    return clocks_cancel_for_closure(case=case)


def on_case_reopened(*, case: Case, at: dt.datetime) -> list[Clock]:
    """A re-opened case gets back the clocks its closure cancelled that have not run out; a child
    without a safe place under child welfare needs one within 24 hours of the re-opening."""
    restored = clocks_restore_after_reopening(case=case, at=at)
    case = Case.objects.get(pk=case.pk)
    if case.is_child and current_safe_place(case) is None:
        clk = on_presumed_child(case=case, occurred_at=at)
        if clk is not None and clk not in restored:
            restored.append(clk)
    return restored


def current_safe_place(case: Case) -> Placement | None:
    """The case's current stay, if it is a safe place for a child (care under child welfare)."""
    current = Placement.objects.filter(case=case, to_at__isnull=True).first()
    if current is not None and current.kind in child_safe_place_kinds():
        return current
    return None


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
    agency = case_agency_required(actor, case)
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
    if case.is_child and kind in child_safe_place_kinds():
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
    agency = case_agency_required(actor, placement.case)
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
