"""The only way to anonymous notifications (issue 22). A notification the user may not see answers 404.

Rules:
- the members of an agency who work with cases there (caseworkers, coordinators) see the agency's
  own notifications, and record new ones for it;
- KOM coordinators see every agency's (the national picture), but withdraw only their own agency's;
- nobody else (analysts, auditors, administrators, ministry users) sees any: analysts get them as
  counts in the national figures only;
- every list read is audited with the ids shown, every single read with the id; never a code of
  the notification (they are codes only, but the audit trail needs no more than the id).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db.models import QuerySet

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import is_case_user
from varde.identification.anonymous import may_record_for
from varde.identification.models import AnonymousNotification

from .cases import get_or_404

OBJECT_TYPE = AnonymousNotification._meta.label_lower


def may_use_anonymous_notifications(user: User) -> bool:
    """The pages and endpoints of anonymous notifications: users who work with cases."""
    return is_case_user(user)


def anonymous_agencies_for(user: User) -> list[Agency]:
    """The agencies the user may record a notification for: their own case agencies (active ones)."""
    if not is_case_user(user):
        return []
    return [agency for agency in user.case_agencies() if may_record_for(user, agency)]


def anonymous_notifications_visible_to(*, user: User) -> QuerySet[AnonymousNotification]:
    """Coordinators every notification; a case user their own agencies'; anyone else none."""
    if not is_case_user(user):
        return AnonymousNotification.objects.none()
    if user.is_coordinator:
        return AnonymousNotification.objects.all()
    return AnonymousNotification.objects.filter(agency_id__in=user.case_agency_ids())


def anonymous_notifications_newest_first(*, user: User) -> QuerySet[AnonymousNotification]:
    """The user's list: the latest date first (then the latest recorded), with the agency."""
    return (
        anonymous_notifications_visible_to(user=user)
        .select_related("agency")
        .order_by("-noticed_on", "-recorded_at", "id")
    )


def anonymous_notifications_list_audit(
    *, user: User, notifications: Sequence[AnonymousNotification], page: str
) -> None:
    """Audit one page of a list: where it was read ("web", "api") and the ids shown."""
    audit_record(
        actor=user,
        action=AuditAction.LIST,
        obj=(OBJECT_TYPE, ""),
        detail={"page": page, "notifications": [str(n.pk) for n in notifications]},
    )


def anonymous_notification_get_for_user(
    *, user: User, notification_id: UUID | str, action: str = AuditAction.VIEW
) -> AnonymousNotification:
    """One notification the user may see (404 otherwise), the read audited."""
    notification = get_or_404(
        anonymous_notifications_visible_to(user=user).select_related("agency"), notification_id
    )
    audit_record(actor=user, action=action, obj=notification)
    return notification


def is_own_agency(user: User, notification: AnonymousNotification) -> bool:
    """The notification is of one of the user's case agencies: they may withdraw it (a coordinator
    sees every agency's, but withdraws only their own agency's)."""
    return notification.agency_id in user.case_agency_ids()


def may_withdraw(user: User, notification: AnonymousNotification) -> bool:
    """Its own agency's case users withdraw a notification that is not withdrawn yet."""
    return notification.withdrawn_at is None and is_own_agency(user, notification)
