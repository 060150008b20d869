"""Django admin is for system administrators only (a role, not Django's is_staff flag alone)."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from varde.access.predicates import is_system_admin


def restrict_admin_to_system_administrators(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        return is_system_admin(request.user)  # type: ignore[arg-type]

    site.has_permission = has_permission  # type: ignore[method-assign]
    # django-otp's device admin shows each user's TOTP secret as a QR code (and answers 500 for an
    # unknown device id). Nobody, system administrators included, may read another user's second
    # factor: enrolment and reset go through varde.accounts.second_factor, never through the admin.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if site.is_registered(TOTPDevice):
        site.unregister(TOTPDevice)
    site.site_header = "Varde"
    site.site_title = "Varde"
