"""Catalogues (versioned copies of the data files), local questions, assessments, age evidence and the
presumption of minority."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, User
from varde.cases.models import Case
from varde.core.models import BaseModel
from varde.persons.models import Person, Sex


class Catalogue(models.Model):
    """One version of one indicator catalogue, exactly as loaded from its file. Never changed afterwards."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(_("catalogue id"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    rule = models.CharField(_("rule"), max_length=20)
    population = models.CharField(_("population"), max_length=10)
    exploitation = models.CharField(_("exploitation"), max_length=10, blank=True)
    title_nb = models.CharField(_("title (Bokmål)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    source = models.TextField(_("source"))
    content = models.JSONField(_("content"))
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="catalogue_unique_version")]
        verbose_name = _("indicator catalogue")
        verbose_name_plural = _("indicator catalogues")

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def title(self, lang: str = "nb") -> str:
        return self.title_en if lang == "en" else self.title_nb


class LocalQuestion(BaseModel):
    """An agency's own extra question shown with a national catalogue. It is recorded with the
    assessment but never changes the national rule's outcome."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="local_questions")
    catalogue_key = models.CharField(_("catalogue id"), max_length=60)
    element_id = models.CharField(
        _("element"),
        max_length=60,
        blank=True,
        help_text=_("Shown under this element; empty: a section of its own"),
    )
    text_nb = models.CharField(_("question (Bokmål)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    help_nb = models.TextField(_("help (Bokmål)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["catalogue_key", "created_at"]
        verbose_name = _("local question")
        verbose_name_plural = _("local questions")

    def __str__(self) -> str:
        return f"LocalQuestion {self.pk}"


class Conclusion(models.TextChoices):
    INDICATES_TRAFFICKING = "indicates_trafficking", _("Indicates trafficking")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")
    NOT_TRAFFICKING = "not_trafficking", _("Does not indicate trafficking")


class Assessment(models.Model):
    """One assessment as made: the catalogue version, the ticks, the rule's result and the caseworker's
    own conclusion. Append-only: a new view of the case is a new assessment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="assessments")
    indicator_ids = models.JSONField(_("ticked indicators"), default=list)
    local_answers = models.JSONField(_("ticked local questions"), default=list, blank=True)
    result = models.JSONField(_("result of the rule"))
    outcome = models.CharField(_("outcome of the rule"), max_length=30)
    conclusion = models.CharField(_("caseworker's conclusion"), max_length=30, choices=Conclusion.choices)
    reasoning = models.TextField(_("reasoning"))
    disagrees = models.BooleanField(_("conclusion differs from the rule"), default=False, db_index=True)
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("assessed at"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"Assessment {self.pk}"


class AgeEvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("Identity document")
    OWN_STATEMENT = "own_statement", _("The person's own statement")
    AGE_ASSESSMENT = "age_assessment", _("Medical or dental age assessment")
    OTHER = "other", _("Other")


class AgeEvidence(models.Model):
    """One piece of evidence about age. The result is an age or a range, as at the date it was given."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="age_evidence")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="age_evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=AgeEvidenceKind.choices)
    age_min = models.PositiveSmallIntegerField(_("age (or lowest age)"))
    age_max = models.PositiveSmallIntegerField(_("highest age"), null=True, blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Only for a document checked as genuine: the age is then established."),
    )
    assessed_by = models.CharField(
        _("assessed by"),
        max_length=200,
        blank=True,
        help_text=_("The body or profession, e.g. a dental age assessment service"),
    )
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_max__isnull=True) | models.Q(age_max__gte=models.F("age_min")),
                name="age_evidence_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(verified=False) | models.Q(kind="document"),
                name="age_evidence_only_documents_verify",
            ),
        ]
        verbose_name = _("age evidence")
        verbose_name_plural = _("age evidence")

    def __str__(self) -> str:
        return f"AgeEvidence {self.pk}"


class PresumptionReason(models.TextChoices):
    ESTIMATED_AGE = "estimated_age_under_18", _("The estimated age is under 18")
    REPORTED_BIRTH_DATE = (
        "reported_birth_date_under_18",
        _("The reported (unverified) date of birth gives an age under 18"),
    )
    SAYS_UNDER_18 = "says_under_18", _("The person says they are under 18")
    DOCUMENT = "document_under_18", _("An unverified document gives an age under 18")
    AGE_ASSESSMENT = "age_assessment_range_under_18", _("An age assessment's range reaches below 18")
    OTHER_EVIDENCE = "other_evidence_under_18", _("Other evidence points to an age under 18")


class AgePresumption(BaseModel):
    """The case is treated as a child's case while the age is uncertain (CoE Convention Art. 10(3)).
    At most one active presumption per case; lifted ones stay as history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="age_presumptions")
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(_("reasons"), default=list)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_presumption_per_case",
            )
        ]
        verbose_name = _("presumption of minority")
        verbose_name_plural = _("presumptions of minority")

    def __str__(self) -> str:
        return f"AgePresumption {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AgeBand(models.TextChoices):
    """An adult's age as a band: an anonymous notification is for adults only (a possible child is
    reported as a case, so that child welfare is told)."""

    AGE_18_24 = "18-24", _("18–24 years")
    AGE_25_34 = "25-34", _("25–34 years")
    AGE_35_44 = "35-44", _("35–44 years")
    AGE_45_54 = "45-54", _("45–54 years")
    AGE_55_PLUS = "55+", _("55 years or older")
    UNKNOWN_ADULT = "unknown_adult", _("Adult, age not known")


class WithdrawalReason(models.TextChoices):
    """Why an anonymous notification is withdrawn: codes only, never free text."""

    MISTAKE = "mistake", _("Recorded by mistake")
    DUPLICATE = "duplicate", _("Recorded twice")
    WRONG_DETAILS = "wrong_details", _("Wrong details (record it again with the right ones)")
    MAY_BE_CHILD = "may_be_child", _("The person may be under 18 (report the case instead)")


class AnonymousNotification(BaseModel):
    """A possible adult victim who declined help or registration, recorded without identity (modelled on
    the UK's duty to notify, form MS1). Counted apart from the persons in the national figures, as
    presumed victims; never linked to a person or a case.

    Codes and a date only, by design: no name, no phone, no document, no free text (not even the
    reason for a withdrawal). A mistaken one is withdrawn by its agency, never deleted or edited."""

    noticed_on = models.DateField(_("date"))
    age_band = models.CharField(_("age"), max_length=15, choices=AgeBand.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, help_text=_("ISO 3166 alpha-2")
    )
    exploitation_forms = models.JSONField(_("forms of exploitation"), default=list)
    municipality = models.CharField(_("municipality number"), max_length=4, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.CharField(
        _("why it was withdrawn"), max_length=20, choices=WithdrawalReason.choices, blank=True
    )

    class Meta:
        ordering = ["-noticed_on", "-recorded_at"]
        indexes = [models.Index(fields=["agency", "-noticed_on"], name="anon_notif_agency_date")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawn_reason="")
                    | (
                        models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                        & ~models.Q(withdrawn_reason="")
                    )
                ),
                name="anon_notif_withdrawal_complete",
            ),
        ]
        verbose_name = _("anonymous notification")
        verbose_name_plural = _("anonymous notifications")

    def __str__(self) -> str:
        return f"AnonymousNotification {self.pk}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
