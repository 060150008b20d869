from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from varde.access.predicates import can_administer, can_work_with_cases, is_coordinator, is_system_admin
from varde.access.prosecution import may_use_criminal_cases
from varde.access.response import inbox_open_count
from varde.response.health import worker_health


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_work_with_cases": can_work_with_cases(user),
        "nav_is_admin": can_administer(user),
        "nav_is_system_admin": is_system_admin(user),
        "nav_is_coordinator": is_coordinator(user),
        "nav_criminal_cases": lambda: may_use_criminal_cases(user),
        # Called by the template only where it is shown: one COUNT query, the same the inbox and
        # "my next actions" count.
        "nav_inbox_open": lambda: inbox_open_count(user=user),
        # Coordinators' pages: the worker that watches the deadlines, when it has not beaten lately.
        "nav_worker": lambda: worker_health(),
    }
