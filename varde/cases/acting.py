"""Who may act in a case, from the facts of the cases layer: memberships, participations and
break-the-glass grants. Services refuse an actor with these; the access layer (`varde.access`)
builds its selectors on the same facts, so the two can never disagree.

Rules:
- a case is open to a user while one of their case agencies takes part in it (participation ACTIVE),
  or, for a coordinator, while a break-the-glass grant of their own on it has not expired;
- the acting agency is a participating agency of the user's, else (coordinators) their own
  coordinating agency, else their first case agency;
- the lead agency's caseworkers and coordinators manage participants and the case's status.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, Role, User
from varde.accounts.second_factor import second_factor_missing
from varde.audit.models import BreakGlassAccess
from varde.core.errors import NotPermitted

from .models import Case, CaseParticipation, ParticipationState


def is_case_user(user: User) -> bool:
    """A signed-in, active user with a case role whose request has passed the one-time code step
    (users loaded outside a request, e.g. by the CLI, carry no second-factor state)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.can_work_with_cases
        and not second_factor_missing(user)
    )


def participating_case_ids(user: User) -> QuerySet[CaseParticipation, Any]:
    return CaseParticipation.objects.filter(
        agency_id__in=user.case_agency_ids(), state=ParticipationState.ACTIVE
    ).values("case_id")


def cases_open_to(user: User) -> QuerySet[Case]:
    """Cases whose personal data the user may open: their agencies take part, or (coordinators) an
    unexpired break-the-glass of their own."""
    if not is_case_user(user):
        return Case.objects.none()
    scope = Q(pk__in=participating_case_ids(user))
    if user.is_coordinator:
        scope |= Q(pk__in=BreakGlassAccess.objects.active().filter(coordinator_id=user.pk).values("case_id"))
    return Case.objects.filter(scope)


def open_to_q(user: User, case_field: str) -> Q:
    """The rule of `cases_open_to` as a condition on another model's case (`case_field`, e.g.
    "case_id" on a clock): one indexed EXISTS a row, which the database checks for the rows a list
    reads instead of first gathering every case the user may open (the national lists at 100,000
    cases). The same facts, so the two cannot disagree."""
    if not is_case_user(user):
        return Q(pk__in=[])
    scope = Q(
        Exists(
            CaseParticipation.objects.filter(
                case_id=OuterRef(case_field),
                agency_id__in=user.case_agency_ids(),
                state=ParticipationState.ACTIVE,
            )
        )
    )
    if user.is_coordinator:
        scope |= Q(
            Exists(
                BreakGlassAccess.objects.active().filter(coordinator_id=user.pk, case_id=OuterRef(case_field))
            )
        )
    return scope


def open_case_ids(user: User) -> QuerySet[Any, Any]:
    """The rule of `cases_open_to` as one set of case ids (participations, then break-the-glass grants:
    UNION ALL), for a condition `pk__in=` the database can start from: a coordinator's search by name
    looks only among the cases KOM has opened, not down the whole national list. The same facts."""
    if not is_case_user(user):
        return CaseParticipation.objects.none().values("case_id")
    ids = participating_case_ids(user).order_by()
    if user.is_coordinator:
        grants = BreakGlassAccess.objects.active().filter(coordinator_id=user.pk).order_by().values("case_id")
        ids = ids.union(grants, all=True)
    return ids


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


def can_manage_participants(*, user: User, case: Case) -> bool:
    """The lead agency's caseworkers and coordinators invite and revoke."""
    return user.is_coordinator or case.lead_agency_id in user.case_agency_ids()


def case_agency_required(actor: User, case: Case) -> Agency:
    """The actor must see the case (else 404, as everywhere) and act for an agency in it."""
    if not cases_open_to(actor).filter(pk=case.pk).exists():
        raise Http404("Not found")
    agency = acting_agency(user=actor, case=case)
    if agency is None:  # pragma: no cover - a visible case always has an acting agency
        raise NotPermitted(_("You do not act for an agency in this case."))
    return agency
