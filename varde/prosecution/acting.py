"""Who may act in a criminal case, from the facts of this package: the agencies taking part in it.
Services refuse an actor with these; varde.access.prosecution builds its selectors on the same facts.

Rules:
- criminal cases are opened by caseworkers of a police district, a national police unit (Kripos),
  the prosecution authority or the police immigration service (the criminal agencies);
- a criminal case is open (investigation details included) to the users of the agencies on its own
  participation list, and to nobody else;
- a KOM coordinator sees every criminal case without its details (varde.access.prosecution), and may
  not act in one unless their agency takes part (403, NotPermitted); anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, AgencyKind, User
from varde.cases.acting import is_case_user
from varde.core.errors import NotPermitted
from varde.statistics.police_districts import police_district

from .models import CriminalCase, CriminalCaseParticipant

CRIMINAL_AGENCY_KINDS = frozenset(
    {
        AgencyKind.POLICE_DISTRICT,
        AgencyKind.POLICE_NATIONAL,  # Kripos: investigates with the districts, has no district of its own
        AgencyKind.PROSECUTION,
        AgencyKind.POLICE_IMMIGRATION,
    }
)


def criminal_agencies(user: User) -> list[Agency]:
    """The user's case agencies that work criminal cases (police, prosecution), by name."""
    if not is_case_user(user):
        return []
    return [a for a in user.case_agencies() if a.kind in CRIMINAL_AGENCY_KINDS]


def may_open_criminal_cases(user: User) -> bool:
    return bool(criminal_agencies(user))


def participating_criminal_case_ids(user: User) -> QuerySet[CriminalCaseParticipant, Any]:
    return CriminalCaseParticipant.objects.filter(agency_id__in=user.case_agency_ids()).values(
        "criminal_case_id"
    )


def criminal_cases_open_to(user: User) -> QuerySet[CriminalCase]:
    """Criminal cases whose investigation details the user may see: their agency takes part."""
    if not is_case_user(user):
        return CriminalCase.objects.none()
    return CriminalCase.objects.filter(pk__in=participating_criminal_case_ids(user))


def participant_agency(*, user: User, criminal_case: CriminalCase) -> Agency | None:
    """The user's agency taking part in the criminal case (the first by name), if any."""
    if not is_case_user(user):
        return None
    ids = set(
        criminal_case.participants.filter(agency_id__in=user.case_agency_ids()).values_list(
            "agency_id", flat=True
        )
    )
    for agency in user.case_agencies():
        if agency.pk in ids:
            return agency
    return None


def participant_agency_required(actor: User, criminal_case: CriminalCase) -> Agency:
    """The actor must act for an agency taking part in the criminal case: a coordinator (who sees the
    case without its details) is refused (403), anyone else does not see it (404)."""
    agency = participant_agency(user=actor, criminal_case=criminal_case)
    if agency is not None:
        return agency
    if is_case_user(actor) and actor.is_coordinator:
        raise NotPermitted(_("Only the police and prosecution taking part in the criminal case may do this."))
    raise Http404("Not found")


def agency_district(agency: Agency) -> str:
    """The police district of a police district's agency (from its municipality), else ""."""
    if agency.kind != AgencyKind.POLICE_DISTRICT:
        return ""
    return police_district(agency.municipality)


def districts_taking_part(criminal_case: CriminalCase) -> set[str]:
    """The case's own district and the districts of the police agencies taking part."""
    agencies = Agency.objects.filter(criminal_participations__criminal_case=criminal_case)
    return {criminal_case.police_district} | {d for d in map(agency_district, agencies) if d}
