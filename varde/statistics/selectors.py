"""The one way to national statistics: who may see which figures, and the audit event for each read.

Coordinators see the internal (unsuppressed) figures or the published ones; analysts see published
figures only; nobody else sees any. The scripted CLI without --user acts as the server operator (as
`varde backup` does): audited with no actor. Every read is audited with the year, whether the figures
were published and the threshold; never a figure, never a person key.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from varde.accounts.models import Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core.errors import NotPermitted

from .disclosure import check_k
from .extract import pseudonymised_extract
from .figures import NationalFigures, as_json, national_figures

OPERATOR = None  # the CLI run by whoever operates the server


def may_see_internal(user: User | None) -> bool:
    return user is OPERATOR or bool(user and user.is_active and user.is_coordinator)


def may_see_published(user: User | None) -> bool:
    return may_see_internal(user) or bool(user and user.is_active and user.has_role(Role.ANALYST))


def _check(user: User | None, published: bool) -> None:
    if not may_see_published(user):
        raise NotPermitted("only coordinators and analysts see national statistics")
    if not published and not may_see_internal(user):
        raise NotPermitted("analysts see published (suppressed) figures only")


def figures_for_year(year: int) -> NationalFigures:
    """Internal figures, unaudited: for callers that check access and audit themselves."""
    return national_figures(pseudonymised_extract(), year)


@transaction.atomic
def statistics_get_for_user(
    *,
    user: User | None,
    year: int,
    published: bool,
    k: int | None = None,
    action: AuditAction = AuditAction.VIEW,
    extended: bool = False,
) -> dict[str, Any]:
    """The year's figures in the issue's JSON shape, suppressed with threshold k when published."""
    _check(user, published)
    threshold = check_k(k) if published else None
    result = as_json(figures_for_year(year), k=threshold, extended=extended)
    audit_record(
        actor=user,
        action=action,
        obj=("statistics.national", str(year)),
        detail={"year": year, "published": published, "k": threshold},
    )
    return result
