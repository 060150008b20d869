"""Reads of the response package that do not depend on who asks (the user-scoped ones are in
varde.access.response)."""

from __future__ import annotations

from varde.accounts.models import Agency

from .models import AgencyContact


def agency_contact_of(*, agency: Agency) -> AgencyContact | None:
    """The agency's 24-hour contact, if one is set."""
    return AgencyContact.objects.filter(agency=agency).first()
