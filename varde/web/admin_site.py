"""Django admin is for system administrators only (a role, not Django's is_staff flag alone)."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest


def restrict_admin_to_system_administrators(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and getattr(user, "is_system_admin", False))

    site.has_permission = has_permission  # type: ignore[method-assign]
    # django-otp's device admin shows each user's TOTP secret as a QR code (and answers 500 for an
    # unknown device id). Nobody, system administrators included, may read another user's second
    # factor: enrolment and reset go through varde.accounts.second_factor, never through the admin.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if site.is_registered(TOTPDevice):
        site.unregister(TOTPDevice)
    site.site_header = "Varde"
    site.site_title = "Varde"
