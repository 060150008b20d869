"""Who may do what, as small predicates of the user: the only place where pages and the API ask about
roles. Each rule is in its predicate's docstring; a page or endpoint calls the predicate and never
tests a role itself.

Roles come from active memberships of active agencies (`User.roles()`); an inactive user has none.
"""

from __future__ import annotations

from typing import Any

from varde.access.cases import cases_visible_to
from varde.accounts.models import Agency, Role, User
from varde.accounts.selectors import agencies_active
from varde.cases.models import Case
from varde.coordination.roles import may_read_plans
from varde.interchange.approval import can_approve, can_request
from varde.interchange.models import ExportRequest
from varde.statistics.report import may_edit_texts
from varde.statistics.selectors import may_see_published


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_work_with_cases(user: User) -> bool:
    """Caseworkers and coordinators work with cases (for the agencies they have that role in);
    analysts, auditors, administrators and ministry users open no case data."""
    return _active(user) and user.can_work_with_cases


def can_report(user: User) -> bool:
    """Reporting a possible victim is case work: caseworkers and coordinators."""
    return can_work_with_cases(user)


def reporting_agencies_for(user: User) -> list[Agency]:
    """The agencies the user may report for: caseworkers their own agencies; coordinators also any
    active agency they received the report from (their own first)."""
    own = user.case_agencies()
    if is_coordinator(user):
        return own + [a for a in agencies_active() if a not in own]
    return own


def is_coordinator(user: User) -> bool:
    """A KOM coordinator: the national picture (every case listed, break-the-glass, the national
    deadlines, linkage review)."""
    return _active(user) and user.is_coordinator


def can_read_plans(user: User) -> bool:
    """KOM's national work beyond one's own groups and issues (the action plans, measures, status
    reports, project portfolio, ministry reports): KOM coordinators and ministry users."""
    return _active(user) and may_read_plans(user)


def is_system_admin(user: User) -> bool:
    """A system administrator: creates agencies and grants any role."""
    return _active(user) and user.is_system_admin


def is_analyst(user: User) -> bool:
    """An analyst: national figures only, never a person."""
    return _active(user) and user.has_role(Role.ANALYST)


def is_auditor(user: User) -> bool:
    """An auditor: reads who looked at what."""
    return _active(user) and user.has_role(Role.AUDITOR)


def can_administer(user: User) -> bool:
    """Agency administration: a system administrator (every agency) or an agency administrator
    (their own agencies)."""
    return _active(user) and bool(user.is_system_admin or user.admin_agency_ids())


def can_use_directory(user: User) -> bool:
    """The 24-hour directory of agencies: for those who work with cases, and coordinators."""
    return can_work_with_cases(user) or is_coordinator(user)


def can_request_export(user: User) -> bool:
    """Asking for an export of identified data: those who work with cases."""
    return _active(user) and can_request(user)


def can_use_exports(user: User) -> bool:
    """The exports page: those who may ask for an export, and agency administrators (who approve
    their own members' requests)."""
    return can_request_export(user) or (_active(user) and bool(user.admin_agency_ids()))


def can_approve_export(user: User, export: ExportRequest) -> bool:
    """Approving an export request: never one's own; coordinators any, an agency administrator those
    of the members of their agencies (varde.interchange.approval.can_approve)."""
    return _active(user) and can_approve(actor=user, request=export)


def can_read_statistics(user: User) -> bool:
    """The annual report and the national figures (published, suppressed cells only): coordinators
    and analysts."""
    return _active(user) and may_see_published(user)


def can_write_annual_report(user: User) -> bool:
    """Writing the annual report's trends, challenges and research needs: coordinators (an analyst
    reads the report but does not write it)."""
    return _active(user) and may_edit_texts(user)


def can_see_case(user: User, case: Case) -> bool:
    """Whether the user may (still) open the case: after a write that may have taken their agency's
    access away (varde.access.cases.cases_visible_to has the rule)."""
    return cases_visible_to(user=user).filter(pk=case.pk).exists()
