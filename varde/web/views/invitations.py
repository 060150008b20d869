"""Answering an invitation into a case (POST only). Fetched through invitation_get_for_user."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varde.access.cases import invitation_get_for_user
from varde.cases.services import participation_respond
from varde.core.errors import EditConflict, NotPermitted
from varde.web.types import AuthedRequest


def _respond(request: AuthedRequest, participation_id: UUID, *, accept: bool) -> HttpResponse:
    invitation = invitation_get_for_user(user=request.user, participation_id=participation_id)
    try:
        with transaction.atomic():
            participation_respond(actor=request.user, participation=invitation, accept=accept)
    except (EditConflict, NotPermitted):
        messages.error(
            request, _("The invitation was answered or changed by someone else. Nothing was saved.")
        )
        return redirect("dashboard")
    reference = invitation.case.reference
    if accept:
        messages.success(request, _("You now take part in case %(reference)s.") % {"reference": reference})
        return redirect(invitation.case)
    messages.success(
        request, _("The invitation to case %(reference)s is declined.") % {"reference": reference}
    )
    return redirect("dashboard")


@require_POST
@login_required
def invitation_accept(request: AuthedRequest, participation_id: UUID) -> HttpResponse:
    return _respond(request, participation_id, accept=True)


@require_POST
@login_required
def invitation_decline(request: AuthedRequest, participation_id: UUID) -> HttpResponse:
    return _respond(request, participation_id, accept=False)
