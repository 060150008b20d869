"""Agency administration: who may manage which agencies and memberships (the only way in to them).

Rules:
- a system administrator manages every agency and may create agencies and grant any role;
- an agency administrator manages the memberships of their own agencies only, and may grant the roles
  of ordinary agency work (caseworker, agency administrator; in KOM also coordinator, analyst, auditor);
- anyone else sees no agency administration (404).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from varde.access.cases import get_or_404
from varde.accounts.grants import grantable_roles as grantable_roles
from varde.accounts.models import Agency, Membership, User


def can_administer(user: User) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_system_admin or user.admin_agency_ids())
    )


def agencies_administered_by(*, user: User) -> QuerySet[Agency]:
    if not can_administer(user):
        return Agency.objects.none()
    if user.is_system_admin:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=user.admin_agency_ids(), is_active=True)


def agency_get_for_admin(*, user: User, agency_id: UUID | str) -> Agency:
    return get_or_404(agencies_administered_by(user=user), agency_id)


def memberships_of_agency(*, user: User, agency: Agency) -> QuerySet[Membership]:
    """Members of an agency the user administers (call agency_get_for_admin first)."""
    return (
        Membership.objects.filter(agency__in=agencies_administered_by(user=user), agency=agency)
        .select_related("user")
        .order_by("-is_active", "user__username", "role")
    )


def membership_get_for_admin(*, user: User, membership_id: UUID | str) -> Membership:
    qs = Membership.objects.filter(agency__in=agencies_administered_by(user=user)).select_related(
        "user", "agency"
    )
    return get_or_404(qs, membership_id)


def agencies_with_member_counts(*, user: User) -> QuerySet[Agency]:
    return agencies_administered_by(user=user).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(is_active=True).only("id", "agency_id"))
    )
