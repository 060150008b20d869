"""Security alerts (varde.audit.alerts): who sees them. Auditors see every alert of the last
ALERT_DAYS; nobody else sees any (an alert names a user whose behaviour is being looked at)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from varde.access.predicates import is_auditor
from varde.accounts.models import User
from varde.audit.models import SecurityAlert
from varde.core import clock

ALERT_DAYS = 30


def security_alerts_for(*, user: User) -> QuerySet[SecurityAlert]:
    if not is_auditor(user):
        return SecurityAlert.objects.none()
    return SecurityAlert.objects.filter(at__gte=clock.now() - dt.timedelta(days=ALERT_DAYS)).order_by("-at")
