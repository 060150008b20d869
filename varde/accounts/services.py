"""Agencies, users and memberships: audited writes. Who may manage what is in varde/access/accounts.py.

Rules:
- nobody deactivates or re-roles their own membership (no accidental lock-out);
- deactivating a user's last active membership deactivates the user and ends their sessions at once.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted

from .grants import grantable_roles
from .models import Agency, Membership, TokenSecondFactor, User

# --- services --------------------------------------------------------------------------------------


def _check_admin_of(actor: User, agency: Agency) -> None:
    if not (actor.is_system_admin or agency.pk in actor.admin_agency_ids()):
        raise NotPermitted(_("You do not administer this agency."))


def _check_role_grantable(actor: User, agency: Agency, role: str) -> None:
    if role not in grantable_roles(actor=actor, agency=agency):
        raise ValidationError({"role": _("You cannot give this role in this agency.")})


def new_temporary_password() -> str:
    """A random password shown once to the administrator, who passes it on out of band."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            validate_password(candidate)
        except ValidationError:  # pragma: no cover - astronomically unlikely
            continue
        return candidate


@transaction.atomic
def agency_create(*, actor: User, code: str, name: str, kind: str, municipality: str = "") -> Agency:
    if not actor.is_system_admin:
        raise NotPermitted(_("Only a system administrator can create agencies."))
    if Agency.objects.filter(code=code).exists():
        raise ValidationError({"code": _("An agency with this code already exists.")})
    agency = Agency.objects.create(code=code, name=name.strip(), kind=kind, municipality=municipality)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=agency, detail={"code": agency.code})
    return agency


@transaction.atomic
def user_create_with_membership(
    *, actor: User, agency: Agency, username: str, full_name: str, email: str, role: str
) -> tuple[User, str]:
    """Create a user in an agency with a role. Returns the user and a temporary password (shown once)."""
    _check_admin_of(actor, agency)
    _check_role_grantable(actor, agency, role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    password = new_temporary_password()
    user = User.objects.create_user(
        username=username, password=password, full_name=full_name.strip(), email=email
    )
    membership = Membership.objects.create(user=user, agency=agency, role=role)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=membership,
        agency=agency,
        detail={"user": str(user.pk), "role": role},
    )
    return user, password


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str, version: int) -> Membership:
    _check_admin_of(actor, membership.agency)
    if membership.user_id == actor.pk:
        raise NotPermitted(_("You cannot change your own role."))
    _check_role_grantable(actor, membership.agency, role)
    if not (
        actor.is_system_admin or membership.role in grantable_roles(actor=actor, agency=membership.agency)
    ):
        raise NotPermitted(_("You cannot change this membership."))
    if role == membership.role:
        return membership
    if Membership.objects.filter(
        user_id=membership.user_id, agency_id=membership.agency_id, role=role
    ).exists():
        raise ValidationError({"role": _("The user already has this role in this agency.")})
    updated = Membership.objects.filter(pk=membership.pk, version=version).update(
        role=role, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(membership)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=membership,
        agency=membership.agency,
        detail={"user": str(membership.user_id), "from": membership.role, "to": role},
    )
    return Membership.objects.select_related("user", "agency").get(pk=membership.pk)


def sessions_end_for(*, user_id: UUID) -> int:
    """Delete every session and API token of a user (database sessions). Returns how many sessions
    were ended."""
    Token.objects.filter(user_id=user_id).delete()
    ended = 0
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> int:
    """Disable a user everywhere at once: the account, every session and every API token."""
    if not actor.is_system_admin:
        raise NotPermitted(_("Only a system administrator can disable a user."))
    if user.pk == actor.pk:
        raise NotPermitted(_("You cannot disable yourself."))
    User.objects.filter(pk=user.pk).update(is_active=False)
    ended = sessions_end_for(user_id=user.pk)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=user, detail={"active": False, "sessions_ended": ended}
    )
    return ended


@transaction.atomic
def membership_deactivate(*, actor: User, membership: Membership, version: int) -> Membership:
    _check_admin_of(actor, membership.agency)
    if membership.user_id == actor.pk:
        raise NotPermitted(_("You cannot deactivate your own membership."))
    if not (
        actor.is_system_admin or membership.role in grantable_roles(actor=actor, agency=membership.agency)
    ):
        raise NotPermitted(_("You cannot change this membership."))
    updated = Membership.objects.filter(pk=membership.pk, version=version, is_active=True).update(
        is_active=False, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(membership)
    user_ended = not Membership.objects.filter(user_id=membership.user_id, is_active=True).exists()
    sessions_ended = 0
    if user_ended:
        User.objects.filter(pk=membership.user_id).update(is_active=False)
        sessions_ended = sessions_end_for(user_id=membership.user_id)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=membership,
        agency=membership.agency,
        detail={
            "user": str(membership.user_id),
            "active": False,
            "user_deactivated": user_ended,
            "sessions_ended": sessions_ended,
        },
    )
    return Membership.objects.select_related("user", "agency").get(pk=membership.pk)


# --- signing in and out (audited; the pages and the API only check the credentials) -----------------------


def sign_in_record(*, user: User, **detail: Any) -> None:
    """A passed sign-in step (the password, the one-time code), audited with its details (the step;
    never a credential)."""
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, detail=detail)


def sign_in_failed_record(*, username: str) -> None:
    """A refused password. The account tried is recorded only if it exists: a mistyped username may
    be a password."""
    known = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=known,
        action=AuditAction.LOGIN_FAILED,
        obj=("accounts.user", known.pk if known else ""),
        detail={"known_user": known is not None},
    )


def sign_in_step_failed_record(*, user: User, **detail: Any) -> None:
    """A refused step of a signed-in user (a wrong one-time code, a failed re-authentication)."""
    audit_record(actor=user, action=AuditAction.LOGIN_FAILED, obj=user, detail=detail)


def second_factor_passed(*, user: User, device: TOTPDevice, enrolled: bool) -> None:
    """The one-time code step passed: the first code confirms a new authenticator; audited."""
    if enrolled:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    sign_in_record(user=user, step="otp", enrolled=enrolled)


def reauthentication_record(*, user: User) -> None:
    """Password and a fresh code checked again (before an export or break-the-glass)."""
    audit_record(actor=user, action=AuditAction.REAUTH, obj=user)


def sign_out_record(*, user: User) -> None:
    audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


def token_refused_record() -> None:
    """An API token refused: the same record for a wrong password, a wrong code and an unknown user."""
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, detail={"via": "api_token"})


@transaction.atomic
def token_issue(*, user: User, device: TOTPDevice | None) -> Token:
    """A new API token for a user whose credentials were checked; the old one stops working. A token
    issued after a one-time code carries that proof (varde.api.authentication). Audited."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    if device is not None:
        TokenSecondFactor.objects.create(
            token=token, device_persistent_id=device.persistent_id, verified_at=clock.now()
        )
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        detail={"via": "api_token", "otp": device is not None},
    )
    return token
