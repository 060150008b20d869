"""Which roles an administrator may grant, from the facts of the accounts layer (the access layer
re-exports it as a predicate; the membership services refuse with it)."""

from __future__ import annotations

from .models import Agency, AgencyKind, Role, User

# Roles an agency administrator may grant in their own agency (system administrators grant any role).
AGENCY_ADMIN_GRANTABLE = frozenset({Role.CASEWORKER, Role.AGENCY_ADMIN})
KOM_EXTRA_GRANTABLE = frozenset({Role.COORDINATOR, Role.ANALYST, Role.AUDITOR})
MINISTRY_EXTRA_GRANTABLE = frozenset({Role.MINISTRY})


def grantable_roles(*, actor: User, agency: Agency) -> list[str]:
    if actor.is_system_admin:
        return [r.value for r in Role]
    if agency.pk not in actor.admin_agency_ids():
        return []
    roles = set(AGENCY_ADMIN_GRANTABLE)
    if agency.kind == AgencyKind.KOM:
        roles |= KOM_EXTRA_GRANTABLE
    if agency.kind == AgencyKind.MINISTRY:
        roles |= MINISTRY_EXTRA_GRANTABLE
    return [r.value for r in Role if r in roles]
