"""Session limits and the second-factor gate: the one place that decides whether a signed-in session
may go anywhere beyond the sign-in steps."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock

from . import second_factor as sf

# Paths an unverified session may still reach (besides static files).
_OPEN_NAMES = ("login", "login-otp", "logout", "set_language")
SEEN_WRITE_INTERVAL = 60.0  # seconds; the last-activity time is saved at most once a minute


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionLimitsMiddleware:
    """End a session after 30 minutes without a request, and 12 hours after sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            session = request.session
            if sf.LOGIN_AT not in session:
                # A session made by login() without the sign-in view (e.g. the admin's own form).
                sf.mark_signed_in(request)
            elif sf.session_expired(session):
                audit_record(
                    actor=user, action=AuditAction.LOGOUT, obj=user, detail={"reason": "session_expired"}
                )
                logout(request)
                if _is_api(request):
                    return JsonResponse(
                        {"detail": _("Your session has ended. Sign in again."), "code": "session_expired"},
                        status=401,
                    )
                messages.info(request, _("Your session has ended. Sign in again."))
                return HttpResponseRedirect(
                    reverse("login") + "?" + urlencode({"next": request.get_full_path()})
                )
            else:
                now = clock.now().timestamp()
                if now - float(session[sf.SEEN_AT]) >= SEEN_WRITE_INTERVAL:
                    session[sf.SEEN_AT] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """A session that must pass the code step reaches only the sign-in steps until it has."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def _open(self, request: HttpRequest) -> bool:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in _OPEN_NAMES)
        return request.path in self._open_paths or request.path.startswith("/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and sf.second_factor_missing(user) and not self._open(request):
            if _is_api(request):
                return JsonResponse(
                    {
                        "detail": _("This session has not passed the one-time code step."),
                        "code": "second_factor_required",
                    },
                    status=403,
                )
            return HttpResponseRedirect(
                reverse("login-otp") + "?" + urlencode({"next": request.get_full_path()})
            )
        return self.get_response(request)
