"""Agencies and the people who use Varde, joined by memberships that carry a role."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from varde.core.models import BaseModel


class AgencyKind(models.TextChoices):
    POLICE_DISTRICT = "police_district", _("Police district")
    POLICE_NATIONAL = "police_national", _("National police unit (e.g. Kripos)")
    PROSECUTION = "prosecution", _("Prosecution authority")
    POLICE_IMMIGRATION = "police_immigration", _("National Police Immigration Service")
    UDI = "udi", _("Directorate of Immigration (UDI)")
    CHILD_WELFARE_MUNICIPAL = "child_welfare_municipal", _("Municipal child welfare service")
    CHILD_WELFARE_STATE = "child_welfare_state", _("State child welfare (Bufetat)")
    HEALTH = "health", _("Health service")
    NAV = "nav", _("NAV office")
    SOCIAL_SERVICES = "social_services", _("Municipal social services / outreach")
    LABOUR_INSPECTION = "labour_inspection", _("Labour Inspection Authority")
    SHELTER = "shelter", _("Crisis centre / shelter")
    NGO = "ngo", _("Non-governmental organisation")
    IOM = "iom", _("International Organization for Migration (IOM)")
    KOM = "kom", _("National Coordinating Unit (KOM)")
    MINISTRY = "ministry", _("Ministry")


CHILD_WELFARE_KINDS = frozenset({AgencyKind.CHILD_WELFARE_MUNICIPAL, AgencyKind.CHILD_WELFARE_STATE})


class Agency(BaseModel):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short stable identifier, e.g. oslo-pd-stop")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=AgencyKind.choices)
    municipality = models.CharField(_("municipality number"), max_length=4, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def is_child_welfare(self) -> bool:
        return self.kind in CHILD_WELFARE_KINDS


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator (KOM)")
    ANALYST = "analyst", _("Analyst (figures only)")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AUDITOR = "auditor", _("Auditor")
    # Reads and reports on its ministry's action-plan measures and projects (varde.coordination);
    # opens no case data.
    MINISTRY = "ministry", _("Ministry user")


# Roles that open case data. Everything else sees no personal data.
CASE_ROLES = frozenset({Role.CASEWORKER, Role.COORDINATOR})


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def active_memberships(self) -> list[Membership]:
        return list(self.memberships.filter(is_active=True, agency__is_active=True).select_related("agency"))

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships}

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.roles()

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    @property
    def is_system_admin(self) -> bool:
        return self.has_role(Role.SYSTEM_ADMIN)

    def case_agency_ids(self) -> set[uuid.UUID]:
        """Agencies on whose behalf this user works with cases (caseworker or coordinator)."""
        if not self.is_active:
            return set()
        return {m.agency_id for m in self.active_memberships if m.role in CASE_ROLES}

    def case_agencies(self) -> list[Agency]:
        seen: dict[uuid.UUID, Agency] = {}
        for m in self.active_memberships:
            if m.role in CASE_ROLES:
                seen.setdefault(m.agency_id, m.agency)
        return sorted(seen.values(), key=lambda a: a.name)

    def admin_agency_ids(self) -> set[uuid.UUID]:
        return {m.agency_id for m in self.active_memberships if m.role == Role.AGENCY_ADMIN}

    @property
    def can_work_with_cases(self) -> bool:
        return bool(self.case_agency_ids())

    @property
    def primary_agency(self) -> Agency | None:
        memberships = self.active_memberships
        return memberships[0].agency if memberships else None


class Membership(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role")
        ]
        ordering = ["agency__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"


class TokenSecondFactor(models.Model):
    """An API token issued after a one-time code: tokens of users who need the second factor are
    accepted only with this row (varde.api.authentication.VerifiedTokenAuthentication)."""

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, primary_key=True, related_name="second_factor"
    )
    device_persistent_id = models.CharField(max_length=100)
    verified_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"second factor for token of user {self.token_id and self.token.user_id}"
