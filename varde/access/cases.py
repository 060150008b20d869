"""The only way to cases, referrals and persons. A record the user may not see answers 404.

Rules:
- a caseworker sees a case while one of their agencies takes part in it (participation ACTIVE);
- a coordinator (KOM) has the national view of case *lists* (`cases_listed_for`: reference, status,
  agencies, child flag; no names), and opens a case's personal data like a caseworker (their agency
  takes part) or through break-the-glass: a written reason, audited, for VARDE_BREAK_GLASS_HOURS,
  told to the case's lead agency and the auditors (`varde.audit.break_glass`);
- analysts, auditors, agency and system administrators see no case data through these selectors;
- an agency that is only *invited* sees the invitation (reference and inviting agency), not the case.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from varde.accounts.models import Agency, Role, User
from varde.accounts.second_factor import second_factor_missing
from varde.audit.models import AuditAction, BreakGlassAccess
from varde.audit.services import audit_record
from varde.cases.models import Case, CaseParticipation, ParticipationState, Referral
from varde.persons.models import Person

M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M], pk: UUID | str) -> M:
    """Fetch by primary key from an access-limited queryset; anything not there, or malformed, is 404."""
    try:
        key = pk if isinstance(pk, UUID) else UUID(str(pk))
        return queryset.get(pk=key)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Not found") from None


def _is_case_user(user: User) -> bool:
    """A signed-in, active user with a case role whose request has passed the one-time code step
    (users loaded outside a request, e.g. by the CLI, carry no second-factor state)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.can_work_with_cases
        and not second_factor_missing(user)
    )


def _participating_case_ids(user: User) -> QuerySet[CaseParticipation, Any]:
    return CaseParticipation.objects.filter(
        agency_id__in=user.case_agency_ids(), state=ParticipationState.ACTIVE
    ).values("case_id")


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    """Cases whose personal data the user may open: their agencies take part, or (coordinators) an
    unexpired break-the-glass of their own."""
    if not _is_case_user(user):
        return Case.objects.none()
    scope = Q(pk__in=_participating_case_ids(user))
    if user.is_coordinator:
        scope |= Q(pk__in=BreakGlassAccess.objects.active().filter(coordinator_id=user.pk).values("case_id"))
    return Case.objects.filter(scope)


def cases_listed_for(*, user: User) -> QuerySet[Case]:
    """Cases the user may see *in lists* (reference, status, agencies, child flag; never names):
    coordinators every case, everyone else the cases they may open. Each row is annotated with
    `personal_access`, whether the user may open its personal data."""
    if not _is_case_user(user):
        return Case.objects.none()
    visible = cases_visible_to(user=user)
    base = Case.objects.all() if user.is_coordinator else visible
    return base.annotate(personal_access=Exists(visible.filter(pk=OuterRef("pk"))))


def case_listed_get(*, user: User, case_id: UUID | str) -> Case:
    """One case as the lists show it (no personal data), e.g. for the break-the-glass form."""
    return get_or_404(cases_listed_for(user=user).select_related("lead_agency"), case_id)


def case_get_for_user(*, user: User, case_id: UUID | str, action: str = AuditAction.VIEW) -> Case:
    case = get_or_404(cases_visible_to(user=user).select_related("person", "lead_agency"), case_id)
    audit_record(actor=user, action=action, obj=case, agency=acting_agency(user=user, case=case))
    return case


def persons_visible_to(*, user: User) -> QuerySet[Person]:
    return Person.objects.filter(cases__in=cases_visible_to(user=user)).distinct()


def person_get_for_user(*, user: User, person_id: UUID | str, action: str = AuditAction.VIEW) -> Person:
    person = get_or_404(persons_visible_to(user=user), person_id)
    audit_record(actor=user, action=action, obj=person)
    return person


def referrals_visible_to(*, user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(case__in=cases_visible_to(user=user))


def acting_agency(*, user: User, case: Case) -> Agency | None:
    """The agency on whose behalf the user acts in this case: a participating agency of theirs,
    else (coordinators) their own coordinating agency, else their first case agency."""
    agencies = user.case_agencies()
    active = set(
        case.participations.filter(
            state=ParticipationState.ACTIVE, agency_id__in=[a.pk for a in agencies]
        ).values_list("agency_id", flat=True)
    )
    for agency in agencies:
        if agency.pk in active:
            return agency
    if user.is_coordinator:
        for m in user.active_memberships:
            if m.role == Role.COORDINATOR:
                return m.agency
    return agencies[0] if agencies else None


def invitations_for(*, user: User) -> QuerySet[CaseParticipation]:
    """Open invitations addressed to the user's agencies (shows no personal data)."""
    if not _is_case_user(user):
        return CaseParticipation.objects.none()
    return CaseParticipation.objects.filter(
        agency_id__in=user.case_agency_ids(), state=ParticipationState.INVITED
    ).select_related("case", "agency", "case__lead_agency")


def invitation_get_for_user(*, user: User, participation_id: UUID | str) -> CaseParticipation:
    return get_or_404(invitations_for(user=user), participation_id)


def can_manage_participants(*, user: User, case: Case) -> bool:
    """The lead agency's caseworkers and coordinators invite and revoke."""
    return user.is_coordinator or case.lead_agency_id in user.case_agency_ids()
