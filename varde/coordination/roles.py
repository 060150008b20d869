"""Who may do what in KOM's national work, from the facts of the accounts layer (the services refuse
with these; varde.access.coordination builds its selectors on the same facts, so the two agree).

- a KOM coordinator: everything here;
- a ministry user (Role.MINISTRY at the agency linked to a ministry): reads the plans, the portfolio
  and the reports to the commission; writes and approves the status reports of its ministry's measures;
- a group member (a GroupMember row with their user): the group, its meetings and minutes;
- any user with an active membership: reports an issue to KOM and reads the answer.
"""

from __future__ import annotations

from uuid import UUID

from varde.accounts.models import Role, User

from .models import GroupMember, Ministry


def is_coordinator(user: User) -> bool:
    return bool(user.is_active and user.is_coordinator)


def ministry_agency_ids(user: User) -> set[UUID]:
    if not user.is_active:
        return set()
    return {m.agency_id for m in user.active_memberships if m.role == Role.MINISTRY}


def ministries_of(user: User) -> list[Ministry]:
    """The ministries the user works for as a ministry user."""
    agencies = ministry_agency_ids(user)
    if not agencies:
        return []
    return list(Ministry.objects.filter(agency_id__in=agencies))


def is_ministry_user(user: User) -> bool:
    return bool(ministries_of(user))


def may_read_plans(user: User) -> bool:
    """The plans, measures, status reports, portfolio and the commission report."""
    return is_coordinator(user) or is_ministry_user(user)


def may_report_for(user: User, ministry: Ministry) -> bool:
    """Write (and approve) the status reports of this ministry's measures."""
    return is_coordinator(user) or ministry.agency_id in ministry_agency_ids(user)


def member_group_ids(user: User) -> set[UUID]:
    if not user.is_active:
        return set()
    return set(GroupMember.objects.filter(user=user, is_active=True).values_list("group_id", flat=True))


def may_report_issue(user: User) -> bool:
    return bool(user.is_active and user.active_memberships)
