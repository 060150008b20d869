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
from .models import Clock, CooperationState, LegalStatus, PoliceCooperation
from .rules import RuleError, legal_status_rules, status_spec

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
        "role": spec.get("role", "status"),
        "line": spec.get("line", ""),
        "label": spec["label"][lang],
        "help_system": spec.get("help_system", "none"),
        "help_system_label": legal_status_rules()["help_systems"][spec.get("help_system", "none")][lang],
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


def _live(case: Case) -> list[LegalStatus]:
    """The case's entries that no later entry corrects, oldest first."""
    recorded = list(LegalStatus.objects.filter(case=case).order_by("from_date", "recorded_at", "id"))
    corrected = {e.corrects_id for e in recorded if e.corrects_id}
    return [e for e in recorded if e.pk not in corrected]


def _open_applications(live: list[LegalStatus], line: str) -> list[LegalStatus]:
    """Applications of a line that are neither decided nor withdrawn, oldest first."""
    decided = {e.application_id for e in live if e.application_id}
    withdrawn = {e.withdraws_id for e in live if e.withdraws_id}
    return [
        e
        for e in live
        if status_spec(e.kind).get("role") == "application"
        and status_spec(e.kind).get("line") == line
        and e.pk not in decided
        and e.pk not in withdrawn
    ]


EARLIEST = dt.date(1990, 1, 1)  # nothing Varde records happened before; an earlier year is a typo


def _check_year(day: dt.date, field: str) -> None:
    if day < EARLIEST:
        raise ValidationError({field: _("The date is before 1990: check the year.")})


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _check_authority(spec: dict[str, Any], authority: str) -> str:
    deciders = spec.get("deciders", [])
    if not authority:
        return deciders[0] if spec.get("role") == "decision" and deciders else ""
    if authority not in legal_status_rules()["authorities"]:
        raise ValidationError({"authority": _("Choose the deciding authority from the list.")})
    if deciders and authority not in deciders:
        raise ValidationError({"authority": _("This authority does not decide this kind of matter.")})
    return authority


def _decided_application(
    live: list[LegalStatus], spec: dict[str, Any], from_date: dt.date, application: LegalStatus | None
) -> LegalStatus | None:
    """The application a decision decides: the one named, or the line's oldest open one. A decision on
    a withdrawn or already decided application, or dated before it, is refused."""
    line = spec["line"]
    open_apps = _open_applications(live, line)
    if application is not None:
        if application not in live or status_spec(application.kind).get("line") != line:
            raise ValidationError({"application": _("The application belongs to another case or matter.")})
        if any(e.withdraws_id == application.pk for e in live):
            raise ValidationError({"application": _("The application was withdrawn: it has no outcome.")})
        if application not in open_apps:
            raise ValidationError({"application": _("The application has already been decided.")})
    elif open_apps:
        application = open_apps[0]
    else:
        apps = [
            e
            for e in live
            if status_spec(e.kind).get("role") == "application" and status_spec(e.kind)["line"] == line
        ]
        if apps and any(e.withdraws_id == apps[-1].pk for e in live):
            raise ValidationError({"application": _("The application was withdrawn: it has no outcome.")})
        if apps:
            raise ValidationError({"application": _("The application has already been decided.")})
        return None  # a decision recorded without its application (entered afterwards)
    if from_date < application.from_date:
        raise ValidationError(
            {
                "from_date": _("The decision cannot be dated before its application (%(date)s).")
                % {"date": _fmt(application.from_date)}
            }
        )
    return application


def _granted_permit(live: list[LegalStatus], grant: str, on: dt.date) -> LegalStatus | None:
    """The latest grant of this kind of permit on or before `on`."""
    grants = [e for e in live if status_spec(e.kind).get("grant") == grant and e.from_date <= on]
    return grants[-1] if grants else None


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
    authority: str = "",
    reason: str = "",
    application: LegalStatus | None = None,
) -> LegalStatusChange:
    """Add an application, a decision or a status to the legal-status timeline (never edits one).

    A decision decides its line's open application (the oldest, or the one named) and cannot be dated
    before it nor given to a withdrawn one; a renewal needs a granted permit; applying for a reflection
    period withdraws a pending asylum application; a grant starts its clock; later statuses meet
    earlier clocks."""
    agency = case_agency_required(actor, case)
    try:
        spec = status_spec(kind)
    except RuleError:
        raise ValidationError({"kind": _("Choose a status from the list.")}) from None
    _check_year(from_date, "from_date")
    if to_date is not None and to_date < from_date:
        raise ValidationError({"to_date": _("The end cannot be before the start.")})
    if to_date is not None and to_date > vclock.today() + dt.timedelta(days=366 * 10):
        raise ValidationError({"to_date": _("The end is more than ten years ahead: check the year.")})
    if from_date > vclock.today() + dt.timedelta(days=366):
        raise ValidationError({"from_date": _("The date is more than a year ahead: check the year.")})
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
    if spec.get("child_only") and not case.is_child:
        raise ValidationError({"kind": _("A limited permit until 18 is for an unaccompanied minor's case.")})
    authority = _check_authority(spec, authority)
    live = [e for e in _live(case) if corrects is None or e.pk != corrects.pk]
    role = spec.get("role")
    decided = None
    if role == "decision":
        decided = _decided_application(live, spec, from_date, application)
    elif application is not None:
        raise ValidationError({"application": _("Only a decision decides an application.")})
    renews = None
    if spec.get("requires_grant"):
        renews = _granted_permit(live, spec["requires_grant"], from_date)
        if renews is None:
            raise ValidationError(
                {
                    "kind": _(
                        "No temporary permit has been granted in this case by that date: there is nothing to renew."
                    )
                }
            )
    if spec.get("appeals") and not any(e.kind == spec["appeals"] and e.from_date <= from_date for e in live):
        raise ValidationError({"kind": _("There is no rejection to appeal by that date.")})
    if role == "application" and corrects is None:
        pending = _open_applications(live, spec["line"])
        if pending and not spec.get("appeals"):
            raise ValidationError(
                {
                    "kind": _("An application of this kind is already waiting for a decision (%(date)s).")
                    % {"date": _fmt(pending[0].from_date)}
                }
            )
    before = legal_status_current(case=case, on=from_date)
    withdrew = None
    for withdrawn_kind in spec.get("withdraws", []):
        withdrew = next(
            (
                e
                for e in _open_applications(live, status_spec(withdrawn_kind)["line"])
                if e.kind == withdrawn_kind
            ),
            None,
        )
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
        authority=authority,
        reason=reason.strip(),
        application=decided,
        renews=renews,
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
            "application": decided.pk if decided else None,
            "renews": renews.pk if renews else None,
        },
    )
    return change


@dataclass(frozen=True)
class Matter:
    """An application with what became of it, for the case page and the API."""

    application: LegalStatus | None
    decision: LegalStatus | None
    withdrawn_by: LegalStatus | None

    @property
    def state(self) -> str:
        if self.decision is not None:
            return str(status_spec(self.decision.kind).get("outcome", "decided"))
        if self.withdrawn_by is not None:
            return "withdrawn"
        return "pending"


def legal_matters(entries: list[LegalStatus]) -> list[Matter]:
    """Pair each application of a case with its decision (or withdrawal); decisions and statuses
    recorded without an application stand alone. `entries` is the case's timeline, oldest first."""
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    live = [e for e in entries if e.pk not in corrected]
    decision_of = {e.application_id: e for e in live if e.application_id}
    withdrawn_by = {e.withdraws_id: e for e in live if e.withdraws_id}
    matters = []
    for e in live:
        role = status_spec(e.kind).get("role")
        if role == "application":
            matters.append(Matter(e, decision_of.get(e.pk), withdrawn_by.get(e.pk)))
        elif e.application_id is None:
            matters.append(Matter(None, e, None))
    return matters


# --- cooperation with the police -------------------------------------------------------------------------


@transaction.atomic
def police_cooperation_record(
    *,
    actor: User,
    case: Case,
    state: str,
    on_date: dt.date,
    note: str = "",
    corrects: PoliceCooperation | None = None,
) -> PoliceCooperation:
    """Where the person stands with the police as of a date (any participant with write access may
    record it: shelters and NGOs often hear it first). Never edits an entry."""
    agency = case_agency_required(actor, case)
    if state not in CooperationState.values:
        raise ValidationError({"state": _("Choose where the cooperation stands from the list.")})
    if on_date > vclock.today():
        raise ValidationError({"on_date": _("The date cannot be in the future.")})
    _check_year(on_date, "on_date")
    if corrects is not None and corrects.case_id != case.pk:
        raise ValidationError({"corrects": _("The corrected entry belongs to another case.")})
    entry = PoliceCooperation.objects.create(
        case=case,
        person=case.person,
        state=state,
        on_date=on_date,
        note=note.strip(),
        corrects=corrects,
        recorded_at=vclock.now(),
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        agency=agency,
        detail={"case": str(case.pk), "state": state, "corrects": corrects.pk if corrects else None},
    )
    return entry


def police_cooperation_current(entries: list[PoliceCooperation], on: dt.date) -> PoliceCooperation | None:
    """The latest uncorrected entry dated on or before `on` (entries of one case or person)."""
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    live = sorted(
        (e for e in entries if e.pk not in corrected and e.on_date <= on),
        key=lambda e: (e.on_date, e.recorded_at, e.pk),
    )
    return live[-1] if live else None
