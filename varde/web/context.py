from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from varde.access.prosecution import may_use_criminal_cases
from varde.access.response import notifications_inbox


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_work_with_cases": user.can_work_with_cases,
        "nav_is_admin": bool(user.admin_agency_ids()) or user.is_system_admin,
        "nav_is_system_admin": user.is_system_admin,
        "nav_is_coordinator": user.is_coordinator,
        "nav_criminal_cases": lambda: may_use_criminal_cases(user),
        # Called by the template only where it is shown: one COUNT query.
        "nav_inbox_open": lambda: notifications_inbox(user=user, open_only=True).count(),
    }
