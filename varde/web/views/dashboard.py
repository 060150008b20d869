"""The start page: a case user's cases, latest referrals and open invitations; others see what they can do."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from varde.access.cases import cases_visible_to, invitations_for, referrals_visible_to
from varde.accounts.models import Role
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.web.types import AuthedRequest

CASE_LIMIT = 50
REFERRAL_LIMIT = 10


@require_GET
@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not user.can_work_with_cases:
        roles = sorted(user.roles())
        return render(
            request,
            "web/dashboard_other.html",
            {
                "role_labels": [Role(r).label for r in roles],
                "is_analyst": Role.ANALYST in roles,
                "is_auditor": Role.AUDITOR in roles,
                "is_admin": Role.AGENCY_ADMIN in roles or Role.SYSTEM_ADMIN in roles,
                "is_system_admin": Role.SYSTEM_ADMIN in roles,
            },
        )

    visible = cases_visible_to(user=user)
    total = visible.count()
    cases = list(
        visible.select_related("person", "lead_agency")
        .prefetch_related("person__names")
        .order_by("-opened_at")[:CASE_LIMIT]
    )
    referrals = list(
        referrals_visible_to(user=user)
        .select_related("case", "reporting_agency")
        .order_by("-referral_date", "-created_at")[:REFERRAL_LIMIT]
    )
    invitations = list(invitations_for(user=user).order_by("-invited_at"))
    shown = sorted({str(c.pk) for c in cases} | {str(r.case_id) for r in referrals})
    audit_record(
        actor=user,
        action=AuditAction.LIST,
        obj=("cases.case", ""),
        detail={"page": "dashboard", "cases": shown},
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "cases": cases,
            "total": total,
            "limited": total > len(cases),
            "referrals": referrals,
            "invitations": invitations,
        },
    )
