"""Four-eyes exports: identified data leaves Varde only on a request another person approved."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportScope(models.TextChoices):
    REFERRALS = "referrals", _("Referrals I may see (interchange CSV, identified)")


class ExportRequest(models.Model):
    """Asked for by one user, approved by another (a coordinator, or an administrator of the
    requester's agency), used once by the requester within APPROVAL_VALID_HOURS."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(
        _("what"), max_length=20, choices=ExportScope.choices, default=ExportScope.REFERRALS
    )
    reason = models.TextField(_("why"))
    requested_at = models.DateTimeField(_("requested"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")

    def __str__(self) -> str:
        return f"export request {self.pk}"
