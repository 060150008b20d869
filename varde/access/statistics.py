"""The only way to national figures for a user: coordinators see internal and published figures,
analysts published (disclosure-controlled) figures only, the operator's CLI (no user) both; anyone
else is refused. The read is audited with the year and the threshold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.statistics.disclosure import check_k, primary
from varde.statistics.figures import as_json
from varde.statistics.hidden import DEFAULT_SELECTION
from varde.statistics.periods import Period
from varde.statistics.selectors import check_may_see, figures_for_period, hidden_for_period


@transaction.atomic
def statistics_get_for_user(
    *,
    user: User | None,
    year: int | None = None,
    published: bool,
    k: int | None = None,
    action: AuditAction = AuditAction.VIEW,
    extended: bool = False,
    period: Period | None = None,
) -> dict[str, Any]:
    """The figures of a year (or of any `period`) in the issue's JSON shape, suppressed with threshold
    k when published."""
    if period is None:
        if year is None:
            raise ValueError("a year or a period")
        period = Period.of_year(year)
    check_may_see(user, published)
    threshold = check_k(k) if published else None
    result = as_json(figures_for_period(period), k=threshold, extended=extended)
    detail: dict[str, Any] = {"published": published, "k": threshold}
    if period.year is not None:
        detail["year"] = period.year
    else:
        detail.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    audit_record(actor=user, action=action, obj=("statistics.national", period.label()), detail=detail)
    return result


@transaction.atomic
def hidden_numbers_get_for_user(
    *,
    user: User | None,
    start: dt.date,
    end: dt.date,
    published: bool,
    k: int | None = None,
    selection: str = DEFAULT_SELECTION,
    action: AuditAction = AuditAction.VIEW,
) -> dict[str, Any]:
    """The hidden-numbers estimate for a period ({"observed", "estimate", "interval", "lists", "model",
    "warning"}). Published: the observed persons and each list's size below k are null (primary
    suppression; the overlap table itself is never given out). Same rule of who may see as the
    national figures; audited with the period and the threshold, never a figure."""
    check_may_see(user, published)
    threshold = check_k(k) if published else None
    result = hidden_for_period(start=start, end=end, selection=selection).as_json()
    if threshold is not None:
        result["observed"] = None if primary(result["observed"], threshold) else result["observed"]
        result["lists"] = {name: None if primary(n, threshold) else n for name, n in result["lists"].items()}
    audit_record(
        actor=user,
        action=action,
        obj=("statistics.hidden", f"{start.isoformat()}/{end.isoformat()}"),
        detail={"from": start.isoformat(), "to": end.isoformat(), "published": published, "k": threshold},
    )
    return result
