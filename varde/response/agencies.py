"""Which agencies answer for a case: the coordinators, child welfare and the police where the case is.
Used by the routing rules (who is told) and by the clocks (who answers for a deadline)."""

from __future__ import annotations

from typing import Any

from varde.accounts.models import Agency, AgencyKind
from varde.cases.models import Case, ParticipationState

CHILD_WELFARE_ORDER = (AgencyKind.CHILD_WELFARE_MUNICIPAL, AgencyKind.CHILD_WELFARE_STATE)


def _active(**filters: Any) -> list[Agency]:
    return list(Agency.objects.filter(is_active=True, **filters).order_by("name"))


def _participating(case: Case, kinds: tuple[str, ...] | frozenset[str]) -> list[Agency]:
    return _active(kind__in=kinds, participations__case=case, participations__state=ParticipationState.ACTIVE)


def case_municipality(case: Case) -> str:
    return next(
        (m for m in case.referrals.order_by("created_at").values_list("municipality", flat=True) if m), ""
    )


def coordinator_agencies() -> list[Agency]:
    return _active(kind=AgencyKind.KOM)


def child_welfare_agencies(case: Case) -> list[Agency]:
    """Child welfare taking part; else the municipal service where the case is; else state child welfare."""
    taking_part = _participating(case, CHILD_WELFARE_ORDER)
    if taking_part:
        return taking_part
    municipality = case_municipality(case)
    if municipality:
        local = _active(kind=AgencyKind.CHILD_WELFARE_MUNICIPAL, municipality=municipality)
        if local:
            return local
    return _active(kind=AgencyKind.CHILD_WELFARE_STATE)


def police_agencies(case: Case) -> list[Agency]:
    taking_part = _participating(case, (AgencyKind.POLICE_DISTRICT,))
    if taking_part:
        return taking_part
    municipality = case_municipality(case)
    local = _active(kind=AgencyKind.POLICE_DISTRICT, municipality=municipality) if municipality else []
    return local or _active(kind=AgencyKind.POLICE_DISTRICT)
