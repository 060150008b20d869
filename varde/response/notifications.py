"""Notifications and the 24-hour directory: who is told what when a case is reported or an agency
invited (routing rules are data), acknowledging, and each agency's 24-hour contact.

Writes are keyword-only, atomic and audited in the same transaction (ids only); the outbox consumers
are idempotent, so an event processed twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case, CaseParticipation
from varde.core import clock as vclock
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed

from .clocks import clock_meet_system
from .models import (
    AgencyContact,
    Notification,
    NotificationKind,
)
from .routing import inbox_filter, notify

# --- consumers of the outbox (system; no actor) ---------------------------------------------------------


@transaction.atomic
def on_case_reported(*, case: Case) -> list[Notification]:
    return notify(kind=NotificationKind.CASE_REPORTED, case=case, subject=f"case:{case.pk}")


@transaction.atomic
def on_agency_invited(*, participation: CaseParticipation) -> list[Notification]:
    return notify(
        kind=NotificationKind.AGENCY_INVITED,
        case=participation.case,
        subject=f"participation:{participation.pk}:{participation.version}",
        invited=participation.agency,
    )


# --- notifications and the 24-hour directory ------------------------------------------------------------


@transaction.atomic
def notification_acknowledge(*, actor: User, notification: Notification) -> Notification:
    """Acknowledge a notification addressed to the actor (or their agency and role); a clock waiting
    for the acknowledgement (child welfare informed) is met."""
    if not Notification.objects.filter(inbox_filter(actor), pk=notification.pk).exists():
        raise Http404("Not found")
    now = vclock.now()
    updated = Notification.objects.filter(pk=notification.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, updated_at=now
    )
    if not updated:
        raise TransitionNotAllowed(_("The notification is already acknowledged."))
    notification = Notification.objects.get(pk=notification.pk)
    if notification.ack_clock is not None:
        clock_meet_system(
            clock=notification.ack_clock,
            actor=actor,
            agency=notification.recipient_agency,
            data={"notification": str(notification.pk)},
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=notification,
        agency=notification.recipient_agency,
        detail={"acknowledged": True, "case": str(notification.case_id) if notification.case_id else ""},
    )
    return Notification.objects.get(pk=notification.pk)


BULK_LIMIT = 5000


@transaction.atomic
def notifications_acknowledge(
    *, actor: User, notifications: QuerySet[Notification], how: dict[str, Any]
) -> int:
    """Acknowledge many notifications at once: a selection, or every one a filter shows. Only those
    addressed to the actor (or their agency and role) and not yet acknowledged are touched; clocks
    waiting for an acknowledgement (child welfare informed) are met. One audit event names how
    they were chosen (`how`: codes only) and which were acknowledged. Returns how many."""
    mine = Notification.objects.filter(
        inbox_filter(actor), acknowledged_at__isnull=True, pk__in=notifications.values("pk")
    )
    ids = list(mine.order_by("created_at", "id").values_list("pk", flat=True)[: BULK_LIMIT + 1])
    if len(ids) > BULK_LIMIT:
        raise ValidationError(
            _("At most %(n)d notifications can be acknowledged at once; narrow the filter.")
            % {"n": BULK_LIMIT}
        )
    if not ids:
        return 0
    now = vclock.now()
    done = Notification.objects.filter(pk__in=ids, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, updated_at=now
    )
    for n in Notification.objects.filter(
        pk__in=ids, acknowledged_by=actor, acknowledged_at=now, ack_clock__isnull=False
    ).select_related("ack_clock", "recipient_agency"):
        assert n.ack_clock is not None
        clock_meet_system(
            clock=n.ack_clock, actor=actor, agency=n.recipient_agency, data={"notification": str(n.pk)}
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=("response.notification", "bulk"),
        detail={"acknowledged": done, "how": how, "notifications": [str(i) for i in ids]},
    )
    return done


def _can_edit_contact(actor: User, agency: Agency) -> bool:
    return actor.is_system_admin or actor.is_coordinator or agency.pk in actor.admin_agency_ids()


@transaction.atomic
def agency_contact_set(
    *,
    actor: User,
    agency: Agency,
    on_call_phone: str,
    email: str,
    hours: str,
    always_open: bool,
    version: int | None = None,
) -> AgencyContact:
    """Set an agency's 24-hour contact (agency admins for their agency, coordinators, system admins)."""
    if not _can_edit_contact(actor, agency):
        raise NotPermitted(
            _("Only the agency's administrators or a coordinator can change its 24-hour contact.")
        )
    values = {
        "on_call_phone": on_call_phone.strip(),
        "email": email.strip(),
        "hours": hours.strip(),
        "always_open": always_open,
        "updated_by": actor,
    }
    contact = AgencyContact.objects.filter(agency=agency).first()
    if contact is None:
        contact = AgencyContact(agency=agency, **values)
        contact.full_clean()
        try:
            with transaction.atomic():  # a savepoint: the request's transaction stays usable
                contact.save()
        except IntegrityError:  # someone saved the agency's first contact at the same moment
            raise EditConflict(AgencyContact.objects.get(agency=agency)) from None
    else:
        check = AgencyContact(pk=contact.pk, agency=agency, **values)
        check.full_clean(validate_unique=False)
        updated = AgencyContact.objects.filter(pk=contact.pk, version=version or contact.version).update(
            version=(version or contact.version) + 1, updated_at=vclock.now(), **values
        )
        if not updated:
            raise EditConflict(contact)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=contact, agency=agency, detail={"agency": agency.code}
    )
    return AgencyContact.objects.get(agency=agency)
