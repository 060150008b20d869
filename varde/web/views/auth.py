"""Sign-in (password, then the one-time code), re-authentication and sign-out, audited in the views
(no signals): success, failure and sign-out.

The password step signs the user in, but a session that must pass the code step reaches nothing else
until it has (`varde.accounts.middleware.SecondFactorMiddleware`). A user without a confirmed
authenticator sees its secret once, at the code step, and confirms it with a first code.
"""

from __future__ import annotations

from base64 import b32encode
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from varde.accounts import second_factor as sf
from varde.accounts.services import (
    reauthentication_record,
    second_factor_passed,
    sign_in_failed_record,
    sign_in_record,
    sign_in_step_failed_record,
    sign_out_record,
)
from varde.web.forms import OTPForm, ReauthForm, SignInForm
from varde.web.types import AuthedRequest


def safe_next(request: HttpRequest, default: str = "dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        response = super().form_valid(form)
        sf.mark_signed_in(self.request)
        sign_in_record(user=user, step="password")
        if sf.second_factor_required(user) or sf.confirmed_device(user) is not None:
            return HttpResponseRedirect(reverse("login-otp") + "?" + _query_next(self.get_success_url()))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        sign_in_failed_record(username=str(form.data.get("username", ""))[:150])
        return super().form_invalid(form)


def _query_next(target: str) -> str:
    return urlencode({"next": target})


@require_http_methods(["GET", "POST"])
@login_required
def sign_in_code(request: AuthedRequest) -> HttpResponse:
    """The second step: a code from the authenticator (or, the first time, setting one up)."""
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return redirect(safe_next(request))
    device = sf.confirmed_device(user)
    setup = device is None
    if setup:
        if not sf.second_factor_required(user):
            return redirect(safe_next(request))
        device = sf.pending_device(user)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = sf.code_wait_seconds(device)
        verified = None if wait else sf.check_code(user, form.cleaned_data["otp_code"], device=device)
        if verified is not None:
            second_factor_passed(user=user, device=verified, enrolled=setup)
            sf.mark_verified(request, verified)
            request.session.cycle_key()
            return redirect(safe_next(request))
        if wait:
            sign_in_step_failed_record(user=user, step="otp", throttled=True)
        else:
            sign_in_step_failed_record(user=user, step="otp")
        form.add_error(
            "otp_code",
            ngettext(
                "Too many wrong codes in a row. Wait %(seconds)d second, then enter the code the app shows.",
                "Too many wrong codes in a row. Wait %(seconds)d seconds, then enter the code the app shows.",
                wait,
            )
            % {"seconds": wait}
            if wait
            else _("The code is not right, or it has expired. Wait for a new code and try again."),
        )
    context: dict[str, Any] = {"form": form, "setup": setup, "next": safe_next(request)}
    if setup and device is not None:
        context["secret"] = b32encode(device.bin_key).decode()
        context["config_url"] = device.config_url
    return render(request, "web/otp.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def reauthenticate(request: AuthedRequest) -> HttpResponse:
    """Password and a fresh code again, before an export or break-the-glass."""
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = sf.reauthenticate(
            request,
            user=request.user,
            password=form.cleaned_data["password"],
            code=form.cleaned_data["otp_code"],
        )
        if ok:
            reauthentication_record(user=request.user)
            return redirect(safe_next(request))
        sign_in_step_failed_record(user=request.user, step="reauth")
        form.add_error(None, _("The password or the code is not right."))
    return render(request, "web/reauth.html", {"form": form, "next": safe_next(request)})


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            sign_out_record(user=request.user)  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


def require_recent_authentication(view: Any) -> Any:
    """Decorator: send the user to re-authenticate unless password and code were checked within the
    last 5 minutes (exports, break-the-glass)."""

    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sf.recently_authenticated(request):
            if request.method == "POST":
                messages.info(request, _("Confirm your password and a new code first."))
            target = request.get_full_path() if request.method == "GET" else request.path
            return HttpResponseRedirect(reverse("reauthenticate") + "?" + _query_next(target))
        return view(request, *args, **kwargs)

    return wrapped
