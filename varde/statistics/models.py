"""The sections of the annual status report that coordinators write (action plan measure 6).

Not case data: prose about the national picture (trends, challenges, research needs). Edited by
coordinators only, with optimistic locking (`version`), every edit audited (varde.statistics.services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from varde.core.models import BaseModel

MAX_SECTION = 20_000


class AnnualReportText(BaseModel):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    trends = models.TextField(_("trends"), blank=True, max_length=MAX_SECTION)
    challenges = models.TextField(_("challenges"), blank=True, max_length=MAX_SECTION)
    research_needs = models.TextField(_("research needs"), blank=True, max_length=MAX_SECTION)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report text")
        verbose_name_plural = _("annual report texts")

    def __str__(self) -> str:
        return f"AnnualReportText {self.year}"
