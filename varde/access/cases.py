"""The only way to cases, referrals and persons. A record the user may not see answers 404.

Rules:
- a caseworker sees a case while one of their agencies takes part in it (participation ACTIVE);
- a coordinator (KOM) has the national view of case *lists* (`cases_listed_for`: reference, status,
  agencies, child flag; no names), and opens a case's personal data like a caseworker (their agency
  takes part) or through break-the-glass: a written reason, audited, for VARDE_BREAK_GLASS_HOURS,
  told to the case's lead agency and the auditors (`varde.access.break_glass`);
- analysts, auditors, agency and system administrators see no case data through these selectors;
- an agency that is only *invited* sees the invitation (reference and inviting agency), not the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import BooleanField, ExpressionWrapper, Model, QuerySet, Value
from django.http import Http404

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import acting_agency as acting_agency
from varde.cases.acting import can_manage_participants as can_manage_participants
from varde.cases.acting import cases_open_to, is_case_user, open_to_q
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


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    """Cases whose personal data the user may open: their agencies take part, or (coordinators) an
    unexpired break-the-glass of their own."""
    return cases_open_to(user)


def cases_listed_for(*, user: User) -> QuerySet[Case]:
    """Cases the user may see *in lists* (reference, status, agencies, child flag; never names):
    coordinators every case, everyone else the cases they may open. Each row is annotated with
    `personal_access`, whether the user may open its personal data."""
    if not is_case_user(user):
        return Case.objects.none()
    if not user.is_coordinator:  # the list is the cases the user may open
        return cases_visible_to(user=user).annotate(personal_access=Value(True, output_field=BooleanField()))
    # One indexed look-up a listed row (`open_to_q`), never the whole set of cases the user may open
    # gathered for each page of the national list.
    opened = ExpressionWrapper(open_to_q(user, "pk"), output_field=BooleanField())
    return Case.objects.annotate(personal_access=opened)


def cases_listed_newest_first(*, user: User) -> QuerySet[Case]:
    """The user's case list (`cases_listed_for`), newest first, with the lead agency."""
    return cases_listed_for(user=user).select_related("lead_agency").order_by("-opened_at", "id")


def case_listed_get(*, user: User, case_id: UUID | str) -> Case:
    """One case as the lists show it (no personal data), e.g. for the break-the-glass form."""
    return get_or_404(cases_listed_for(user=user).select_related("lead_agency"), case_id)


def case_get_for_user(*, user: User, case_id: UUID | str, action: str = AuditAction.VIEW) -> Case:
    case = get_or_404(cases_visible_to(user=user).select_related("person", "lead_agency"), case_id)
    audit_record(actor=user, action=action, obj=case, agency=acting_agency(user=user, case=case))
    return case


def case_get_unaudited(*, user: User, case_id: UUID | str) -> Case:
    """A case the user may see, for a page that shows none of its data and saves nothing (the
    indicator rule's preview): 404 as everywhere, but no read to audit."""
    return get_or_404(cases_visible_to(user=user).select_related("person", "lead_agency"), case_id)


def case_ids_openable(*, user: User, case_ids: Iterable[UUID | str]) -> set[UUID]:
    """Which of the given cases (a page of a list) the user may open now: ids only. Checks each of
    them by its own participations (one indexed look-up a case) rather than gathering every case
    the user may open."""
    ids = list(case_ids)
    if not ids:
        return set()
    return set(Case.objects.filter(open_to_q(user, "pk"), pk__in=ids).values_list("pk", flat=True))


def cases_of_person_visible_to(*, user: User, person: Person) -> QuerySet[Case]:
    """The cases about a person that the user may see, newest first, with their lead agency."""
    return (
        cases_visible_to(user=user).filter(person=person).select_related("lead_agency").order_by("-opened_at")
    )


def persons_visible_to(*, user: User) -> QuerySet[Person]:
    return Person.objects.filter(cases__in=cases_visible_to(user=user)).distinct()


def person_get_for_user(*, user: User, person_id: UUID | str, action: str = AuditAction.VIEW) -> Person:
    person = get_or_404(persons_visible_to(user=user), person_id)
    audit_record(actor=user, action=action, obj=person)
    return person


def referrals_visible_to(*, user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(case__in=cases_visible_to(user=user))


def referrals_latest_for(*, user: User) -> QuerySet[Referral]:
    """The referrals the user may see, latest first, with their case and reporting agency."""
    return (
        referrals_visible_to(user=user)
        .select_related("case", "reporting_agency")
        .order_by("-referral_date", "-created_at")
    )


def invitations_for(*, user: User) -> QuerySet[CaseParticipation]:
    """Open invitations addressed to the user's agencies (shows no personal data)."""
    if not is_case_user(user):
        return CaseParticipation.objects.none()
    return CaseParticipation.objects.filter(
        agency_id__in=user.case_agency_ids(), state=ParticipationState.INVITED
    ).select_related("case", "agency", "case__lead_agency")


def invitations_newest_first(*, user: User) -> QuerySet[CaseParticipation]:
    return invitations_for(user=user).order_by("-invited_at", "id")


def invitation_get_for_user(*, user: User, participation_id: UUID | str) -> CaseParticipation:
    return get_or_404(invitations_for(user=user), participation_id)
