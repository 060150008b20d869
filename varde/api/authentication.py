"""API token authentication with the second factor and a lifetime.

A token is accepted for a user who needs the one-time code only if it was issued after a code
(`TokenSecondFactor`), and no token lives longer than VARDE_API_TOKEN_MAX_AGE (12 hours, like a
session). The authenticated user carries django-otp's `otp_device` / `is_verified()`, so that the
access layer judges token and session requests alike.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp.models import Device
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from varde.accounts.second_factor import second_factor_required
from varde.accounts.selectors import token_second_factor_of
from varde.core import clock


def _is_verified(user: Any) -> bool:
    return getattr(user, "otp_device", None) is not None


class VerifiedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if clock.now() - token.created > settings.VARDE_API_TOKEN_MAX_AGE:
            raise exceptions.AuthenticationFailed(_("The token has expired. Obtain a new one."))
        user.otp_device = None
        proof = token_second_factor_of(token)
        if proof is not None:
            device = Device.from_persistent_id(proof.device_persistent_id)
            if device is not None and device.user_id == user.pk and device.confirmed:
                user.otp_device = device
        user.is_verified = functools.partial(_is_verified, user)
        if second_factor_required(user) and user.otp_device is None:
            raise exceptions.AuthenticationFailed(
                _("This token was issued without a one-time code. Obtain a new token with your code.")
            )
        return user, token
