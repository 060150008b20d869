"""Legal status (reflection period, permits, asylum, ...) with the rights and the responsible
authority that follow, and the voluntary return with its follow-up clocks.

Writes are keyword-only, atomic and audited in the same transaction (ids only); the outbox consumers
are idempotent, so an event processed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case
from varde.core import clock as vclock

from . import dates
from .clocks import clock_start, clocks_meet_open
from .models import (
    Clock,
    LegalStatus,
)
from .rules import clock_spec, legal_status_rules, status_spec

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
    agency = case_agency_required(actor, case)
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
    agency = case_agency_required(actor, case)
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
