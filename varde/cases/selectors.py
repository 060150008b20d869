"""Reads of a case already fetched through the access layer (varde.access.cases decides who may see
it and audits the read; these only load what the page or the API shows of it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from varde.accounts.models import Agency

from .models import Case, CaseEvent, CaseParticipation, Consent, ParticipationState, Referral, StatusChange


def case_current(*, case: Case) -> Case:
    """The case as it is now (after a write, or someone else's), with its person and lead agency."""
    return Case.objects.select_related("person", "lead_agency").get(pk=case.pk)


def case_with_detail(*, case: Case) -> Case:
    """Everything the case's detail shows, loaded in a fixed number of queries (no N+1)."""
    prefetch_related_objects(
        [case],
        "lead_agency",
        "person__names",
        "person__documents",
        "person__phones",
        Prefetch("referrals", queryset=Referral.objects.select_related("reporting_agency", "reported_by")),
        Prefetch("participations", queryset=CaseParticipation.objects.select_related("agency")),
        Prefetch("consents", queryset=Consent.objects.select_related("agency")),
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("by", "by_agency")),
    )
    return case


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    """The case's timeline events, newest first, with who recorded them and the agencies named."""
    return case.events.select_related("by", "by_agency", "about_agency").order_by("-at", "-id")


@dataclass(frozen=True)
class TimelineItem:
    """One line of a case's timeline: an event, a referral or a status change."""

    at: dt.datetime
    type: str  # "event", "referral" or "status"
    obj: Any


def case_timeline(*, case: Case) -> list[TimelineItem]:
    """Events, referrals and status history, newest first (ties in the order events, referrals,
    status changes). Referral and status events are shown from their own records (richer), so their
    CaseEvent rows are not repeated."""
    events = case_events(case=case).exclude(kind__in=[CaseEvent.Kind.REFERRAL, CaseEvent.Kind.STATUS])
    items = [TimelineItem(e.at, "event", e) for e in events]
    items += [
        TimelineItem(r.created_at, "referral", r)
        for r in case.referrals.select_related("reporting_agency", "reported_by")
    ]
    items += [TimelineItem(c.at, "status", c) for c in case.status_changes.select_related("by", "by_agency")]
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def participations_of(*, case: Case) -> QuerySet[CaseParticipation]:
    """The agencies taking part in (or invited to, or gone from) the case, lead first."""
    return case.participations.select_related("agency", "invited_by")


def consents_of(*, case: Case) -> QuerySet[Consent]:
    return case.consents.select_related("agency")


def participation_current(*, participation: CaseParticipation) -> CaseParticipation:
    """A participation as it is now, with its case, agency and the case's lead agency."""
    return CaseParticipation.objects.select_related("case", "agency", "case__lead_agency").get(
        pk=participation.pk
    )


def inviting_agencies(participations: list[CaseParticipation]) -> dict[UUID, Agency | None]:
    """Which agency sent each invitation, from the cases' timelines, in one query."""
    if not participations:
        return {}
    events = (
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.INVITED,
            case_id__in={p.case_id for p in participations},
            about_agency_id__in={p.agency_id for p in participations},
        )
        .select_related("by_agency")
        .order_by("at", "id")
    )
    latest = {(e.case_id, e.about_agency_id): e.by_agency for e in events}
    return {p.pk: latest.get((p.case_id, p.agency_id)) for p in participations}


def case_is_child(*, case: Case) -> bool:
    """Whether the case is a child's case now (the stored flag, after a write that may change it)."""
    return Case.objects.filter(pk=case.pk).values_list("is_child", flat=True).get()


def agencies_taking_part(*, case: Case) -> QuerySet[Agency]:
    """The agencies whose participation in the case is active, by name."""
    return Agency.objects.filter(
        participations__case=case, participations__state=ParticipationState.ACTIVE
    ).order_by("name")


def agencies_invitable(*, case: Case) -> QuerySet[Agency]:
    """Active agencies that neither take part in the case nor are invited to it."""
    taken = [
        p.agency_id
        for p in case.participations.all()
        if p.state in (ParticipationState.ACTIVE, ParticipationState.INVITED)
    ]
    return Agency.objects.filter(is_active=True).exclude(pk__in=taken)


def names_where_open(cases: list[Case]) -> list[Case]:
    """Load the person's names only for the listed cases the user may open (`personal_access`, set by
    varde.access.cases.cases_listed_for); the national list loads no person at all."""
    prefetch_related_objects([c for c in cases if getattr(c, "personal_access", False)], "person__names")
    return cases
