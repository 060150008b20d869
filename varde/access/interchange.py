"""The only way to export requests and to the interchange export of case data.

Rules:
- a user sees their own export requests, and (agency administrators) the requests waiting for approval
  from caseworkers and coordinators of the agencies they administer; anything else is 404;
- an export writes only the referrals of cases the user may open (`varde.access.cases`), through an
  approved request of their own (`varde.interchange.approval`).
"""

from __future__ import annotations

from typing import TextIO

from django.db.models import Q, QuerySet

from varde.accounts.models import User
from varde.interchange import services
from varde.interchange.models import ExportRequest

from .cases import get_or_404, referrals_visible_to


def requests_for(*, user: User) -> QuerySet[ExportRequest]:
    """The user's own requests and those waiting for their approval."""
    qs = ExportRequest.objects.select_related("requested_by", "approved_by")
    if user.is_coordinator:
        return qs.filter(Q(requested_by=user) | Q(approved_at__isnull=True, used_at__isnull=True))
    waiting = Q(
        approved_at__isnull=True,
        requested_by__memberships__agency_id__in=user.admin_agency_ids(),
        requested_by__memberships__is_active=True,
        requested_by__memberships__role__in=["caseworker", "coordinator"],
    )
    return qs.filter(Q(requested_by=user) | waiting).distinct()


def request_get_for_user(*, user: User, request_id: object) -> ExportRequest:
    return get_or_404(requests_for(user=user), str(request_id))


def export_rows(*, user: User, out: TextIO, request: ExportRequest | None) -> int:
    """The interchange CSV of the referrals the user may see (see varde.interchange.services.export_rows)."""
    return services.export_rows(
        user=user, referrals=referrals_visible_to(user=user), out=out, request=request
    )
