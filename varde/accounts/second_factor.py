"""The second factor (TOTP, django-otp) and the session clock: who needs a code, checking one, and
how long a sign-in lasts.

Rules:
- every user with a role must have a confirmed TOTP device and enter a code after the password: the
  roles that open case data (caseworker, coordinator), grant roles (agency and system administrators),
  read other data about victims or users (the auditor: who looked at what, break-the-glass reasons;
  the analyst: figures about victims), and every other role;
- every user with a confirmed device must enter its code, role or not (issue 21, finding 2: the analyst
  and the auditor were shown the code page but could skip it);
- a session that has not passed the code step reaches nothing but the code step and sign-out
  (`varde.accounts.middleware.SecondFactorMiddleware`), and the access layer refuses case data to it
  (`second_factor_missing`, used by `varde.access.cases`);
- a session ends after 30 minutes without a request and 12 hours after sign-in, whichever is first;
- exports and break-the-glass need the password and a code again within the last 5 minutes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from varde.core import clock

from .models import Role, User

# Session keys (times as POSIX seconds).
LOGIN_AT = "varde_login_at"
SEEN_AT = "varde_seen_at"
AUTH_AT = "varde_auth_at"  # the last time password AND code were checked

# Every role, including any added later (secure by default).
SECOND_FACTOR_ROLES = frozenset(Role)


def second_factor_required(user: Any) -> bool:
    """A code after the password for every role (case data, role grants, personal data) and for every
    user with a confirmed authenticator."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return bool(user.roles() & SECOND_FACTOR_ROLES) or confirmed_device(user) is not None


def second_factor_missing(user: Any) -> bool:
    """True when this user object comes from a request (session or token) that has not passed the
    code step although it must. Users loaded outside a request (CLI, services) carry no
    `is_verified` and are judged by the caller."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None:
        return False
    return not is_verified() and second_factor_required(user)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "id").first()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device shown at first sign-in until its first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Varde", confirmed=False)
    return device


def check_code(user: User, code: str, *, device: TOTPDevice | None = None) -> TOTPDevice | None:
    """Verify a 6-digit code against the user's confirmed device (or the given one). Throttled by
    django-otp: every wrong code doubles the wait before the next is even checked."""
    device = device or confirmed_device(user)
    code = (code or "").strip().replace(" ", "")
    if device is None or not code.isdigit() or len(code) != device.digits:
        if device is not None:
            device.throttle_increment(commit=True)
        return None
    return device if device.verify_token(code) else None


def code_wait_seconds(device: TOTPDevice) -> int:
    """Seconds before `device` checks another code (django-otp's throttle after wrong codes); 0 when
    it checks one now. A code sent meanwhile is not checked at all, so the answer is "wait", never
    "wrong"."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def _ts(value: dt.datetime) -> float:
    return value.timestamp()


def mark_signed_in(request: HttpRequest) -> None:
    """Start the session clock (called right after the password step)."""
    now = _ts(clock.now())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    """The code step passed: remember the device in the session (django-otp) and the time."""
    otp_login(request, device)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session[AUTH_AT] = _ts(clock.now())


def session_expired(session: Any, now: dt.datetime | None = None) -> bool:
    now_ts = _ts(now or clock.now())
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return True
    if now_ts - float(login_at) > settings.VARDE_SESSION_MAX_AGE.total_seconds():
        return True
    return now_ts - float(seen_at) > settings.VARDE_INACTIVITY_TIMEOUT.total_seconds()


def recently_authenticated(request: HttpRequest) -> bool:
    auth_at = request.session.get(AUTH_AT)
    if auth_at is None:
        return False
    return _ts(clock.now()) - float(auth_at) <= settings.VARDE_REAUTH_WINDOW.total_seconds()


def reauthenticate(
    request: HttpRequest, *, user: User, password: str, code: str, remember: bool = True
) -> bool:
    """Check the password (through django-axes, so failures count towards lockout) and a fresh code.
    On success the session records the time (`remember`; the API checks each request instead)."""
    checked = authenticate(request, username=user.get_username(), password=password)
    if checked is None or checked.pk != user.pk:
        return False
    device = check_code(user, code)
    if device is None:
        return False
    if remember:
        request.session[AUTH_AT] = _ts(clock.now())
    return True


def demo_device(user: User, *, key_hex: str) -> TOTPDevice:
    """A confirmed device with a known secret (demo data only)."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="Varde demo", defaults={"key": key_hex, "confirmed": True}
    )
    return device
