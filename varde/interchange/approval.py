"""Four-eyes approval of identified exports.

Rules:
- any caseworker or coordinator may ask to export the referrals they may see, with a reason;
- another person approves: a coordinator, or an agency administrator of an agency where the
  requester works with cases; nobody approves their own request (403 / exit 2);
- the requester uses an approved request once, within APPROVAL_VALID_HOURS of the approval;
- every step is audited; the file carries a watermark naming who exported it, when, and the request.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import NotPermitted

from .models import ExportRequest, ExportScope

APPROVAL_VALID_HOURS = 24
MIN_REASON = 10


def can_request(user: User) -> bool:
    return bool(user.is_active and user.can_work_with_cases)


def can_approve(*, actor: User, request: ExportRequest) -> bool:
    if not actor.is_active or actor.pk == request.requested_by_id:
        return False
    if actor.is_coordinator:
        return True
    requester: User = request.requested_by
    return bool(actor.admin_agency_ids() & requester.case_agency_ids())


@transaction.atomic
def export_request_create(*, actor: User, reason: str, scope: str = ExportScope.REFERRALS) -> ExportRequest:
    if not can_request(actor):
        raise NotPermitted(_("Only caseworkers and coordinators may ask to export case data."))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Write why the export is needed.")})
    request = ExportRequest.objects.create(
        requested_by=actor, scope=scope, reason=reason, requested_at=clock.now()
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request, detail={"scope": scope})
    return request


@transaction.atomic
def export_request_approve(*, actor: User, request: ExportRequest) -> ExportRequest:
    request = ExportRequest.objects.select_for_update().select_related("requested_by").get(pk=request.pk)
    if not can_approve(actor=actor, request=request):
        raise NotPermitted(
            _("Another person must approve an export: a coordinator or your agency's administrator.")
        )
    if request.approved_at is not None:
        raise NotPermitted(_("This export is already approved."))
    request.approved_by = actor
    request.approved_at = clock.now()
    request.save(update_fields=["approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        obj=request,
        detail={"requested_by": str(request.requested_by_id)},
    )
    return request


def check_usable(*, user: User, request: ExportRequest | None) -> ExportRequest:
    """The request the user may export with now; NotPermitted (403 / exit 2) otherwise."""
    if request is None or request.requested_by_id != user.pk:
        raise NotPermitted(_("An export needs a request of your own, approved by another person."))
    if request.approved_at is None or request.approved_by_id in (None, user.pk):
        raise NotPermitted(_("This export has not been approved by another person."))
    if request.used_at is not None:
        raise NotPermitted(_("This export request has been used already."))
    if clock.now() - request.approved_at > dt.timedelta(hours=APPROVAL_VALID_HOURS):
        raise NotPermitted(_("The approval has expired; ask again."))
    return request


def mark_used(request: ExportRequest) -> bool:
    """Single use, also against two downloads at the same moment."""
    return bool(ExportRequest.objects.filter(pk=request.pk, used_at__isnull=True).update(used_at=clock.now()))


def watermark(*, user: User, request: ExportRequest, at: dt.datetime) -> str:
    return f"# Exported by {user.username} at {at.isoformat(timespec='seconds')} for request {request.pk}"


def filename(request: ExportRequest) -> str:
    return f"varde-export-{request.pk}.csv"
