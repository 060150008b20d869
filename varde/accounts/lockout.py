"""Lockout of repeated failed sign-ins (django-axes): which failures a right password clears, and the
answer to a locked-out sign-in.

Failures count per user name and per address (`AXES_LOCKOUT_PARAMETERS`): 5 for one user name from
anywhere, or 5 from one address for any user names, lock. A right password clears only the failures
of that user name from that address (`VardeAxesHandler`). Axes' own reset would clear every failure
matching either parameter, i.e. every failure from the address for every user name: one right
password for an account the attacker holds then wiped the guesses against every other account
(issue 21, finding 1).

The answer to a locked-out sign-in is the same for every account, existing or not, and it names
neither the account nor how long the lock lasts for it."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from varde.audit.models import AuditAction
from varde.audit.services import audit_record

LOCKED_STATUS = 429


class VardeAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, but a successful sign-in clears only its own user name's failures from
    its own address: never another user name's, and never the user name's failures from elsewhere."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        ip_address = getattr(request, "axes_ip_address", None)
        deleted, _by_model = AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
        return deleted


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
