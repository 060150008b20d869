"""The only way to criminal cases for a user. A criminal case the user may not see answers 404.

Rules:
- the police and prosecution agencies on a criminal case's own participation list see all of it:
  the investigation details (police case number, notes, cross-border cooperation), the perpetrators
  with their names and sentences, the networks with their names;
- a KOM coordinator sees every criminal case without those details: the reference, district, offence
  and section of law, form of exploitation, stages with dates, court and outcome, proceeds, the
  counts (perpetrators, networks, cooperation) and the links to victims' cases (references and roles);
- a victim's caseworker (anyone who may open the victim's case) sees, on that case, that the person is
  aggrieved party or witness in a criminal case at a stage, and the trial's date and court: never the
  suspects, never the criminal case's other details;
- everyone else: 404. Every read of one criminal case, and of a victim's criminal proceedings, is
  audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import is_case_user
from varde.cases.models import Case
from varde.core.errors import NotPermitted
from varde.prosecution.acting import (
    criminal_cases_open_to,
    may_open_criminal_cases,
    participant_agency,
)
from varde.prosecution.figures import prosecution_figures, publish
from varde.prosecution.models import (
    Cooperation,
    CriminalCase,
    CriminalCaseParticipant,
    Network,
    Perpetrator,
    PerpetratorLink,
    StageEntry,
    VictimLink,
    VictimRole,
)
from varde.prosecution.selectors import figure_rows
from varde.statistics.disclosure import check_k
from varde.statistics.selectors import check_may_see

from .cases import cases_visible_to, get_or_404


def may_use_criminal_cases(user: User) -> bool:
    """The criminal-case pages are for police and prosecution caseworkers and KOM coordinators."""
    return may_open_criminal_cases(user) or (is_case_user(user) and user.is_coordinator)


def criminal_cases_listed_for(*, user: User) -> QuerySet[CriminalCase]:
    """Criminal cases the user may see in lists: coordinators every one, police and prosecution those
    their agency takes part in. Each row is annotated with `details` (may the user see the details)."""
    if not is_case_user(user):
        return CriminalCase.objects.none()
    open_ = criminal_cases_open_to(user)
    base = CriminalCase.objects.all() if user.is_coordinator else open_
    return base.annotate(
        details=Exists(open_.filter(pk=OuterRef("pk"))),
        victims=Count("victim_links", distinct=True),
    ).select_related("lead_agency")


@dataclass
class CriminalCaseView:
    """One criminal case as the user may see it. Without `details` the detail fields are empty."""

    case: CriminalCase
    details: bool
    acting_agency: Agency | None
    stages: list[StageEntry]
    participants: list[CriminalCaseParticipant]
    victim_links: list[VictimLink]
    counts: dict[str, int]
    perpetrator_links: list[PerpetratorLink] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    cooperations: list[Cooperation] = field(default_factory=list)


def criminal_case_get(*, user: User, criminal_case_id: UUID | str) -> CriminalCase:
    """The record alone (for a service call after the audited read), 404 when the user may not see it."""
    return get_or_404(criminal_cases_listed_for(user=user), criminal_case_id)


@transaction.atomic
def criminal_case_get_for_user(
    *, user: User, criminal_case_id: UUID | str, action: str = AuditAction.VIEW
) -> CriminalCaseView:
    criminal_case = get_or_404(criminal_cases_listed_for(user=user), criminal_case_id)
    details = bool(criminal_case.details)  # type: ignore[attr-defined]
    agency = participant_agency(user=user, criminal_case=criminal_case) if details else None
    stages = list(criminal_case.stages.select_related("recorded_by_agency"))
    participants = list(criminal_case.participants.select_related("agency"))
    victim_links = list(criminal_case.victim_links.select_related("case"))
    perpetrators = list(
        PerpetratorLink.objects.filter(criminal_case=criminal_case).select_related("perpetrator__network")
    )
    networks = list(Network.objects.filter(case_links__criminal_case=criminal_case))
    cooperations = list(criminal_case.cooperations.all())
    counts = {
        "perpetrators": len(perpetrators),
        "networks": len(networks),
        "cooperations": len(cooperations),
        "victims": len(victim_links),
    }
    view = CriminalCaseView(
        case=criminal_case,
        details=details,
        acting_agency=agency,
        stages=stages,
        participants=participants,
        victim_links=victim_links,
        counts=counts,
    )
    if details:
        view.perpetrator_links = perpetrators
        view.networks = networks
        view.cooperations = cooperations
    else:
        # The coordinator's projection: the record carries no investigation details at all.
        criminal_case.police_case_number = ""
        criminal_case.notes = ""
    audit_record(
        actor=user,
        action=action,
        obj=criminal_case,
        agency=agency or user.primary_agency,
        detail={"details": details},
    )
    return view


def victim_cases_to_link(*, user: User, criminal_case: CriminalCase) -> QuerySet[Case]:
    """Victims' cases the user may link: cases they may open, not yet linked to this criminal case."""
    return (
        cases_visible_to(user=user)
        .exclude(criminal_links__criminal_case=criminal_case)
        .select_related("lead_agency")
        .order_by("-opened_at")
    )


def networks_of_case(*, criminal_case: CriminalCase) -> QuerySet[Network]:
    """The networks linked to a criminal case the caller has read with its details (for a choice of
    network on the case's page or in the API)."""
    return Network.objects.filter(case_links__criminal_case=criminal_case).order_by("name")


def networks_open_to(*, user: User) -> QuerySet[Network]:
    """Networks the user may link: linked to a criminal case their agency takes part in."""
    return Network.objects.filter(case_links__criminal_case__in=criminal_cases_open_to(user)).distinct()


def perpetrators_open_to(*, user: User) -> QuerySet[Perpetrator]:
    """Perpetrators the user may link: in a criminal case their agency takes part in."""
    return Perpetrator.objects.filter(case_links__criminal_case__in=criminal_cases_open_to(user)).distinct()


def agencies_to_take_part(*, criminal_case: CriminalCase) -> QuerySet[Agency]:
    from varde.prosecution.acting import CRIMINAL_AGENCY_KINDS

    return Agency.objects.filter(is_active=True, kind__in=CRIMINAL_AGENCY_KINDS).exclude(
        criminal_participations__criminal_case=criminal_case
    )


def perpetrator_link_get_for_user(*, user: User, link_id: UUID | str) -> PerpetratorLink:
    """A perpetrator in a criminal case the user's agency takes part in; else 404."""
    qs = PerpetratorLink.objects.filter(criminal_case__in=criminal_cases_open_to(user)).select_related(
        "criminal_case", "perpetrator"
    )
    return get_or_404(qs, link_id)


def victim_link_get_for_user(*, user: User, link_id: UUID | str) -> VictimLink:
    qs = VictimLink.objects.filter(criminal_case__in=criminal_cases_open_to(user)).select_related(
        "criminal_case", "case"
    )
    return get_or_404(qs, link_id)


# --- the victim's side ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proceeding:
    """What a victim's caseworker sees of a criminal case: never the suspects, never the details."""

    reference: str
    role: str
    role_label: str
    stage: str
    stage_label: str
    stage_on: dt.date
    trial_on: dt.date | None
    trial_court: str
    police_district: str


@transaction.atomic
def criminal_proceedings_for_case(*, user: User, case: Case) -> list[Proceeding]:
    """The criminal cases the person of a victim's case is linked to, as their caseworker sees them. The
    victim's case must already be one the user may open (fetched through case_get_for_user); the read
    is audited (ids only)."""
    if not cases_visible_to(user=user).filter(pk=case.pk).exists():
        raise NotPermitted("the case is not visible")  # pragma: no cover - callers fetch the case first
    links = list(
        VictimLink.objects.filter(case=case)
        .exclude(role=VictimRole.NOT_INVOLVED)
        .select_related("criminal_case")
        .order_by("created_at")
    )
    rows = [
        Proceeding(
            reference=link.criminal_case.reference,
            role=link.role,
            role_label=str(link.get_role_display()),
            stage=link.criminal_case.stage,
            stage_label=str(link.criminal_case.get_stage_display()),
            stage_on=link.criminal_case.stage_on,
            trial_on=link.criminal_case.trial_on,
            trial_court=link.criminal_case.trial_court,
            police_district=link.criminal_case.police_district,
        )
        for link in links
    ]
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=("prosecution.proceedings", str(case.pk)),
        detail={"criminal_cases": [str(link.criminal_case_id) for link in links]},
    )
    return rows


# --- figures ------------------------------------------------------------------------------------------------


@transaction.atomic
def prosecution_figures_for_user(
    *,
    user: User | None,
    first_year: int,
    last_year: int,
    published: bool,
    k: int | None = None,
    action: str = AuditAction.VIEW,
) -> dict[str, Any]:
    """The criminal-case figures for a span of years: coordinators (and the operator, user None) see
    internal and published figures, analysts published ones only; anyone else is refused. Audited."""
    check_may_see(user, published)
    threshold = check_k(k) if published else None
    cases, persons = figure_rows()
    figures = prosecution_figures(cases, persons, first_year, last_year)
    result = publish(figures, threshold) if threshold is not None else {**figures, "published": False}
    audit_record(
        actor=user,
        action=action,
        obj=("prosecution.figures", f"{first_year}-{last_year}"),
        detail={"from": first_year, "to": last_year, "published": published, "k": threshold},
    )
    return result
