"""Answering an invitation into a case (POST only). Fetched through invitation_get_for_user."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varde.access.cases import invitation_get_for_user
from varde.cases.services import participation_respond
from varde.core.errors import NotPermitted
from varde.web.types import AuthedRequest
from varde.web.views.base import OnForm, done, save


def _respond(request: AuthedRequest, participation_id: UUID, *, accept: bool) -> HttpResponse:
    invitation = invitation_get_for_user(user=request.user, participation_id=participation_id)
    saved = save(
        Form(request.POST),
        lambda: participation_respond(actor=request.user, participation=invitation, accept=accept),
        on={NotPermitted: OnForm()},  # answered meanwhile: said as a conflict, not a 403
    )
    if not saved.ok:
        messages.error(
            request, _("The invitation was answered or changed by someone else. Nothing was saved.")
        )
        return redirect("dashboard")
    reference = invitation.case.reference
    if accept:
        return done(
            request, _("You now take part in case %(reference)s.") % {"reference": reference}, invitation.case
        )
    return done(
        request,
        _("The invitation to case %(reference)s is declined.") % {"reference": reference},
        "dashboard",
    )


@require_POST
@login_required
def invitation_accept(request: AuthedRequest, participation_id: UUID) -> HttpResponse:
    return _respond(request, participation_id, accept=True)


@require_POST
@login_required
def invitation_decline(request: AuthedRequest, participation_id: UUID) -> HttpResponse:
    return _respond(request, participation_id, accept=False)
