"""The start page: a case user's cases, latest referrals and open invitations; others see what they can do."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from varde.access.alerts import security_alerts_for
from varde.access.break_glass import notices_for
from varde.access.cases import cases_listed_newest_first, invitations_newest_first, referrals_latest_for
from varde.access.predicates import (
    can_administer,
    can_work_with_cases,
    is_analyst,
    is_auditor,
    is_coordinator,
    is_system_admin,
)
from varde.accounts.models import Role
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.search import count_capped
from varde.cases.selectors import names_where_open
from varde.web.types import AuthedRequest

CASE_LIMIT = 50
REFERRAL_LIMIT = 10
NOTICE_LIMIT = 20


@require_GET
@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    notices = list(notices_for(user=user)[:NOTICE_LIMIT])
    if not can_work_with_cases(user):
        alerts = list(security_alerts_for(user=user)[:NOTICE_LIMIT])
        return render(
            request,
            "web/dashboard_other.html",
            {
                "role_labels": [Role(r).label for r in sorted(user.roles())],
                "is_analyst": is_analyst(user),
                "is_auditor": is_auditor(user),
                "is_admin": can_administer(user),
                "is_system_admin": is_system_admin(user),
                "notices": notices,
                "alerts": alerts,
            },
        )

    listed = cases_listed_newest_first(user=user)
    total, exact = count_capped(listed)
    cases = list(listed[:CASE_LIMIT])
    names_where_open(cases)  # names only for the cases the user may open; none on the national list
    referrals = list(referrals_latest_for(user=user)[:REFERRAL_LIMIT])
    invitations = list(invitations_newest_first(user=user))
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
            "total_exact": exact,
            "limited": total > len(cases),
            "referrals": referrals,
            "invitations": invitations,
            "notices": notices,
            "is_coordinator": is_coordinator(user),
        },
    )
