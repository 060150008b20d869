"""The start page: a case user's cases, latest referrals and open invitations; others see what they can do."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from varde.access.break_glass import notices_for
from varde.access.cases import cases_listed_for, invitations_for, referrals_visible_to
from varde.accounts.models import Role
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.web.types import AuthedRequest

CASE_LIMIT = 50
REFERRAL_LIMIT = 10
NOTICE_LIMIT = 20


@require_GET
@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    notices = list(notices_for(user=user)[:NOTICE_LIMIT])
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
                "notices": notices,
            },
        )

    listed = cases_listed_for(user=user)
    total = listed.count()
    cases = list(listed.select_related("lead_agency").order_by("-opened_at")[:CASE_LIMIT])
    # Names only for the cases the user may open; the national list shows none (no person loaded).
    prefetch_related_objects([c for c in cases if getattr(c, "personal_access", False)], "person__names")
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
            "notices": notices,
            "is_coordinator": user.is_coordinator,
        },
    )
