"""Linkage runs, persons (clusters of referrals), the review queue and coordinators' decisions.

Nothing here holds a name, a date of birth, a phone or a document: only referral ids, pseudonymous
person keys, probabilities and counts. The personal data stays on the referral's person.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, User
from varde.cases.models import Referral
from varde.core.models import BaseModel


class LinkageRun(BaseModel):
    """One run of the pipeline over all referrals. `parameters` is the trained model (no personal data)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    parameters = models.JSONField(_("model parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["-started"]
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"LinkageRun {self.pk}"


class PersonCluster(BaseModel):
    """A person as the latest run sees them: the referrals that are the same human being."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="clusters")
    person_key = models.CharField(_("person key"), max_length=40, db_index=True)
    size = models.PositiveIntegerField(_("referrals"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person_key"], name="cluster_key_unique_per_run")
        ]
        verbose_name = _("person (linked)")
        verbose_name_plural = _("persons (linked)")

    def __str__(self) -> str:
        return f"PersonCluster {self.person_key}"


class ClusterMember(models.Model):
    id = models.BigAutoField(primary_key=True)
    cluster = models.ForeignKey(PersonCluster, on_delete=models.CASCADE, related_name="members")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    person_key = models.CharField(max_length=40, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "referral"], name="cluster_member_unique")]

    def __str__(self) -> str:
        return f"ClusterMember {self.pk}"


class Decision(models.TextChoices):
    SAME = "same", _("Same person")
    NOT_SAME = "not_same", _("Not the same person")


class ReviewItem(BaseModel):
    """A pair the model could not settle, for a coordinator to look at side by side. Without a run:
    a new referral that probably matches another agency's earlier record when it was reported
    (linkage.services.earlier_records_queue); the next run replaces it with its own verdict."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    run = models.ForeignKey(
        LinkageRun, null=True, blank=True, on_delete=models.CASCADE, related_name="review_items"
    )
    record_a = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField(_("match probability"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)

    class Meta:
        ordering = ["-match_probability"]
        constraints = [
            models.UniqueConstraint(fields=["run", "record_a", "record_b"], name="review_pair_unique")
        ]
        verbose_name = _("pair to review")
        verbose_name_plural = _("pairs to review")

    def __str__(self) -> str:
        return f"ReviewItem {self.pk}"


class ReviewDecision(BaseModel):
    """A coordinator's decision on a pair of referrals. Binds every later run until withdrawn."""

    record_a = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("why"), blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawal_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            # at most one active decision per pair (the pair is stored in a canonical order)
            models.UniqueConstraint(
                fields=["record_a", "record_b"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="review_decision_one_active_per_pair",
            ),
        ]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"ReviewDecision {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class RecordKey(models.Model):
    """A referral's blocking keys, stored as keyed hashes (never the phone, document or name itself),
    so that a new referral finds the earlier records it shares a key with by one indexed query.

    Kept up to date by `record_keys_refresh` when a referral is reported or a name added, and rebuilt
    in full by every linkage run. A key is an HMAC of the project's secret key: rotating that key makes
    the stored keys useless until the next linkage run rebuilds them.
    """

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "key"], name="record_key_unique")]
        indexes = [models.Index(fields=["key", "agency"], name="record_key_lookup_idx")]
        verbose_name = _("record key")
        verbose_name_plural = _("record keys")

    def __str__(self) -> str:
        return f"RecordKey {self.pk}"
