"""Disappearances: the missing episode, the report to the police, the return and its interview.

Writes are keyword-only, atomic and audited in the same transaction (ids only); the outbox consumers
are idempotent, so an event processed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case, ParticipationState
from varde.core import clock as vclock
from varde.core.errors import EditConflict
from varde.persons.codes import is_country

from .agencies import child_welfare_agencies
from .clocks import clock_cancel_system, clock_meet_system, clock_start
from .models import (
    MissingEpisode,
    MissingFrom,
    MissingStatus,
    NotificationKind,
    TaskOrigin,
)
from .plans import task_create_for
from .routing import notify
from .rules import clock_spec

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
    agency = case_agency_required(actor, case)
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
    agency = case_agency_required(actor, episode.case)
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
    *, actor: User, episode: MissingEpisode, status: str, at: dt.datetime, version: int, country: str = ""
) -> MissingEpisode:
    """Found, returned or located abroad (in which country: an ISO 3166 code). A person who is back
    gets a return-interview task."""
    agency = case_agency_required(actor, episode.case)
    if status not in (MissingStatus.FOUND, MissingStatus.RETURNED, MissingStatus.LOCATED_ABROAD):
        raise ValidationError({"status": _("Choose found, returned or located abroad.")})
    country = country.strip().upper()
    if status == MissingStatus.LOCATED_ABROAD:
        if not is_country(country) or country == "NO":
            raise ValidationError({"country": _("Say in which country abroad the person was located.")})
    else:
        country = ""
    if at < episode.last_seen_at or at > vclock.now():
        raise ValidationError(
            {"at": _("The date must be after the person was last seen, and not in the future.")}
        )
    updated = MissingEpisode.objects.filter(
        pk=episode.pk, version=version, status=MissingStatus.MISSING
    ).update(
        status=status, ended_at=at, located_country=country, version=version + 1, updated_at=vclock.now()
    )
    if not updated:
        raise EditConflict(episode)
    case = episode.case
    if episode.police_report_clock is not None:
        clock_cancel_system(
            clock=episode.police_report_clock, actor=actor, agency=agency, reason="episode_closed"
        )
    if status in (MissingStatus.FOUND, MissingStatus.RETURNED):
        task_create_for(
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
        detail={"case": str(case.pk), "status": status, "country": country},
    )
    return MissingEpisode.objects.get(pk=episode.pk)
