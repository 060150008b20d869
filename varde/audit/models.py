"""Append-only audit trail, hash-chained: each event's hash covers the previous hash and its own content."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    UPDATE = "update", _("updated")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOGOUT = "logout", _("signed out")
    REAUTH = "reauth", _("confirmed password and code")
    BREAK_GLASS = "break_glass", _("broke the glass")
    APPROVE = "approve", _("approved")
    ANONYMISE = "anonymise", _("anonymised")
    BACKUP = "backup", _("backed up")
    RESTORE = "restore", _("restored")
    LOCKED_OUT = "locked_out", _("locked out")


class AuditEvent(models.Model):
    """Never updated, never deleted by the application. Holds ids, never personal data."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.UUIDField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    agency_id = models.UUIDField(null=True)
    agency_code = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            # The last write of each kind (varde.statistics.selectors.data_version): an index-only look-up.
            models.Index(fields=["action", "seq"], name="audit_action_seq_idx"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row locked by every audit write, so the chain has one order on every database."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head at {self.last_seq}"


class BreakGlassQuerySet(models.QuerySet["BreakGlassAccess"]):
    def active(self) -> BreakGlassQuerySet:
        from varde.core import clock

        return self.filter(expires_at__gt=clock.now())


class BreakGlassAccess(models.Model):
    """A coordinator opened a case outside their agency's participation, with a written reason.

    It is at once the time-limited grant (varde.access.cases reads it) and the notice shown to the
    case's lead agency and to the auditors. Never updated, never deleted by the application."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="break_glass")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coordinator_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("opened"), db_index=True)
    expires_at = models.DateTimeField(_("expires"))

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("break-the-glass opening")
        verbose_name_plural = _("break-the-glass openings")

    def __str__(self) -> str:
        return f"break-the-glass {self.pk}"


class AnonymisedCase(models.Model):
    """A closed case whose personal data `varde retention run` removed (kept: the statistical skeleton)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, primary_key=True, related_name="+")
    closed_on = models.DateField()
    anonymised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"anonymised case {self.pk}"


class SecurityAlert(models.Model):
    """A pattern in the audit trail that an auditor should look at: one user's refusals or one
    user's reports matching records they cannot see, above a threshold within a window
    (varde.audit.alerts). Holds the user's id and user name and a count, never personal data of
    the people in the cases. Never updated, never deleted by the application."""

    class Kind(models.TextChoices):
        HIDDEN_MATCHES = "hidden_matches", _("reports matching records the reporter cannot see")
        REFUSALS = "refusals", _("refused access to victims' data")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("raised"), db_index=True)
    user_id = models.UUIDField(_("user id"), db_index=True)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    count = models.PositiveIntegerField(_("count"))
    window_minutes = models.PositiveIntegerField(_("within minutes"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("security alert")
        verbose_name_plural = _("security alerts")

    def __str__(self) -> str:
        return f"security alert {self.kind} {self.pk}"
