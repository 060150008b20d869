"""The answer to a locked-out sign-in (django-axes): the same for every account, existing or not, and
it names neither the account nor how long the lock lasts for it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from varde.audit.models import AuditAction
from varde.audit.services import audit_record

LOCKED_STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    audit_record(
        actor=None, action=AuditAction.LOCKED_OUT, obj=("accounts.user", ""), detail={"path": request.path}
    )
    message = _("Too many failed sign-ins. Wait a while and try again, or ask your administrator.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=LOCKED_STATUS)
    return render(request, "web/locked_out.html", {"message": message}, status=LOCKED_STATUS)
