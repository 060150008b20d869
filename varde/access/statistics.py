"""The only way to national figures for a user: coordinators see internal and published figures,
analysts published (disclosure-controlled) figures only, the operator's CLI (no user) both; anyone
else is refused. The read is audited with the year and the threshold."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.statistics.disclosure import check_k
from varde.statistics.figures import as_json
from varde.statistics.selectors import check_may_see, figures_for_year


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
    check_may_see(user, published)
    threshold = check_k(k) if published else None
    result = as_json(figures_for_year(year), k=threshold, extended=extended)
    audit_record(
        actor=user,
        action=action,
        obj=("statistics.national", str(year)),
        detail={"year": year, "published": published, "k": threshold},
    )
    return result
