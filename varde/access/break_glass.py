"""Break-the-glass: a coordinator opens a case outside their agency's participation.

It takes a written reason (at least MIN_REASON characters), a fresh password + code (checked by the
caller: the page's re-authentication step, the API's body), lasts VARDE_BREAK_GLASS_HOURS, is audited,
and is shown to the case's lead agency and to the auditors (`notices_for`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from varde.accounts.models import Role, User
from varde.audit.models import AuditAction, BreakGlassAccess
from varde.audit.services import audit_record
from varde.cases.models import Case
from varde.core import clock
from varde.core.errors import NotPermitted

MIN_REASON = 20
NOTICE_DAYS = 90


@transaction.atomic
def break_glass_open(*, actor: User, case: Case, reason: str) -> BreakGlassAccess:
    if not actor.is_coordinator:
        raise NotPermitted(_("Only coordinators may break the glass."))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {
                "reason": _("Write why you must open this case (at least %(n)d characters).")
                % {"n": MIN_REASON}
            }
        )
    now = clock.now()
    agency = next((m.agency for m in actor.active_memberships if m.role == Role.COORDINATOR), None)
    access = BreakGlassAccess.objects.create(
        case=case,
        coordinator=actor,
        coordinator_agency=agency,
        reason=reason,
        at=now,
        expires_at=now + dt.timedelta(hours=settings.VARDE_BREAK_GLASS_HOURS),
    )
    audit_record(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        obj=case,
        agency=agency,
        detail={
            "break_glass": str(access.pk),
            "lead_agency": str(case.lead_agency_id),
            "expires_at": access.expires_at.isoformat(),
        },
    )
    return access


def notices_for(*, user: User) -> QuerySet[BreakGlassAccess]:
    """Break-the-glass openings the user is told about: auditors all of them, caseworkers and
    coordinators those of cases their agency leads. Recent ones only (NOTICE_DAYS)."""
    if not (user.is_authenticated and user.is_active):
        return BreakGlassAccess.objects.none()
    since = clock.now() - dt.timedelta(days=NOTICE_DAYS)
    qs = BreakGlassAccess.objects.filter(at__gte=since).select_related(
        "case", "case__lead_agency", "coordinator", "coordinator_agency"
    )
    if user.has_role(Role.AUDITOR):
        return qs
    lead_ids = user.case_agency_ids()
    if not lead_ids:
        return BreakGlassAccess.objects.none()
    return qs.filter(case__lead_agency_id__in=lead_ids)
