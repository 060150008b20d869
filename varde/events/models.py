"""A transactional outbox: events written in the same transaction as the change they announce.

Consumers (the coordinated response: inform child welfare, safe placement within 24 hours) read
unprocessed events and mark them processed. Data holds ids and codes only, never personal data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CASE_REPORTED = "case_reported", _("Case reported")
    AGENCY_INVITED = "agency_invited", _("Agency invited to a case")
    CASE_STATUS_CHANGED = "case_status_changed", _("Case status changed")
    PERSON_KEYS_CHANGED = "person_keys_changed", _("A person's names or identifiers changed")
    PRESUMED_CHILD = "presumed_child", _("Presumed a child (age uncertain)")
    CHILD_CONFIRMED = "child_confirmed", _("Verified as a child")
    PRESUMPTION_LIFTED = "presumption_lifted", _("Presumption of minority lifted")


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(_("data"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["processed_at", "occurred_at"], name="event_pending_idx")]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"Event {self.pk} {self.kind}"
