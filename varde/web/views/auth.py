"""Sign-in and sign-out, audited in the view (no signals): success, failure and sign-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.web.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        response = super().form_valid(form)
        audit_record(actor=user, action=AuditAction.LOGIN, obj=user)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Record which account was tried only if it exists: a mistyped username may be a password.
        username = str(form.data.get("username", ""))[:150]
        known = User.objects.filter(username=username).first() if username else None
        audit_record(
            actor=known,
            action=AuditAction.LOGIN_FAILED,
            obj=("accounts.user", known.pk if known else ""),
            detail={"known_user": known is not None},
        )
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(actor=request.user, action=AuditAction.LOGOUT, obj=request.user)
        return super().post(request, *args, **kwargs)
