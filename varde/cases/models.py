"""Cases (one person's episode), referrals (reports from agencies), participation, consent, history."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, User
from varde.core.models import BaseModel
from varde.persons.models import Person


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
    IDENTIFIED = "identified", _("Possible victim identified")
    NOT_VICTIM = "not_victim", _("Not assessed as a victim")
    ASSISTANCE = "assistance", _("Receiving assistance")
    CLOSED = "closed", _("Closed")


# The lifecycle: reported -> under assessment -> identified | not a victim -> assistance -> closed.
# A case may be closed from any open state (the person may disappear at any time); a closed case
# may be reopened into assessment when new information arrives.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.REPORTED: frozenset({CaseStatus.UNDER_ASSESSMENT, CaseStatus.CLOSED}),
    CaseStatus.UNDER_ASSESSMENT: frozenset({CaseStatus.IDENTIFIED, CaseStatus.NOT_VICTIM, CaseStatus.CLOSED}),
    CaseStatus.IDENTIFIED: frozenset({CaseStatus.ASSISTANCE, CaseStatus.CLOSED}),
    CaseStatus.NOT_VICTIM: frozenset({CaseStatus.UNDER_ASSESSMENT, CaseStatus.CLOSED}),
    CaseStatus.ASSISTANCE: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.UNDER_ASSESSMENT}),
}


class ClosureReason(models.TextChoices):
    RETURNED_HOME = "returned_home", _("Returned home")
    SETTLED = "settled", _("Settled in Norway")
    LOST_CONTACT = "lost_contact", _("Lost contact / disappeared")
    MOVED_ABROAD = "moved_abroad", _("Moved abroad")
    NO_LONGER_IN_NEED = "no_longer_in_need", _("No longer in need")
    DECEASED = "deceased", _("Deceased")


class ExploitationForm(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    BEGGING = "begging", _("Forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs")
    WAR_SERVICE = "war_service", _("War service")


class LabourSector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture and fishing")
    CONSTRUCTION = "construction", _("Construction")
    CLEANING = "cleaning", _("Cleaning")
    HOSPITALITY = "hospitality", _("Hotels and restaurants")
    CAR_WASH = "car_wash", _("Car wash and repair")
    TRANSPORT = "transport", _("Transport")
    MANUFACTURING = "manufacturing", _("Manufacturing and processing")
    OTHER = "other", _("Other")


class CriminalityKind(models.TextChoices):
    DRUG_SELLING = "drug_selling", _("Drug selling")
    THEFT = "theft", _("Theft / shoplifting")
    FRAUD = "fraud", _("Fraud")
    OTHER = "other", _("Other")


class MetHow(models.TextChoices):
    POLICE_CONTROL = "police_control", _("Police control or investigation")
    BORDER = "border", _("Border control")
    ASYLUM = "asylum", _("Asylum registration or reception centre")
    OUTREACH = "outreach", _("Outreach work")
    SELF_REFERRAL = "self_referral", _("The person came forward")
    HEALTH = "health", _("Health service")
    WORKPLACE_INSPECTION = "workplace_inspection", _("Workplace inspection")
    TIP = "tip", _("Tip from others")
    OTHER = "other", _("Other")


class Case(BaseModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    is_child = models.BooleanField(
        _("child's case"),
        default=False,
        help_text=_("Under 18, or presumed a child while the age is uncertain (CoE Convention Art. 10(3))."),
    )
    opened_at = models.DateTimeField(_("opened"))

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # The case lists' orders (varde.cases.search.ORDERS): newest first (read backwards: oldest
            # first), and by status then newest first, so a page is read from an index, not sorted.
            models.Index(fields=["-opened_at", "id"], name="case_opened_idx"),
            models.Index(fields=["status", "-opened_at", "id"], name="case_status_opened_idx"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("case-detail", kwargs={"case_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class Referral(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    reporting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="referrals")
    referral_date = models.DateField(_("referral date"))
    external_id = models.CharField(
        _("record id"), max_length=100, blank=True, help_text=_("The reporting system's own id, for imports")
    )
    met_how = models.CharField(_("how the person was met"), max_length=30, choices=MetHow.choices, blank=True)
    met_where = models.CharField(_("where the person was met"), max_length=200, blank=True)
    municipality = models.CharField(_("municipality number"), max_length=4, blank=True)
    exploitation_forms = models.JSONField(_("suspected forms of exploitation"), default=list, blank=True)
    labour_sector = models.CharField(
        _("labour sector"), max_length=20, choices=LabourSector.choices, blank=True
    )
    criminality_kind = models.CharField(
        _("kind of forced criminality"), max_length=20, choices=CriminalityKind.choices, blank=True
    )
    description = models.TextField(_("what happened"), blank=True)

    class Meta:
        ordering = ["-referral_date", "-created_at"]
        indexes = [
            # The dashboard's latest referrals (varde.access.cases.referrals_latest_for).
            models.Index(fields=["-referral_date", "-created_at"], name="referral_latest_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_agency", "external_id"],
                condition=~models.Q(external_id=""),
                name="referral_external_id_unique_per_agency",
            )
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"Referral {self.pk}"


class ParticipationState(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Taking part")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


class CaseParticipation(BaseModel):
    """An agency's part in a case. Only ACTIVE participation opens the case to the agency's users."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participations")
    state = models.CharField(_("state"), max_length=10, choices=ParticipationState.choices)
    is_lead = models.BooleanField(_("lead agency"), default=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_note = models.CharField(_("why the agency is invited"), max_length=300, blank=True)
    responded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    consent = models.ForeignKey(
        "Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="participations"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="participation_unique")]
        ordering = ["-is_lead", "agency__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.agency} in {self.case}"


class Consent(BaseModel):
    """What the person agreed to share with whom. Scope is an agency, or a kind of agency."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency_kind = models.CharField(_("kind of agency"), max_length=40, blank=True)
    purpose = models.CharField(_("what may be shared, and why"), max_length=300)
    given_on = models.DateField(_("consent given on"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | ~models.Q(agency_kind=""), name="consent_has_scope"
            )
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    def covers(self, agency: Agency) -> bool:
        return self.is_active and (
            self.agency_id == agency.pk or (not self.agency_id and self.agency_kind == agency.kind)
        )


class StatusChange(models.Model):
    """Append-only history of a case's status."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    reason = models.TextField(_("why"), blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '-'} -> {self.to_status}"


class CaseEvent(models.Model):
    """The case timeline: what happened, by whom, for whom. Text holds no more than the case shows."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        STATUS = "status", _("Status changed")
        INVITED = "invited", _("Agency invited")
        ACCEPTED = "accepted", _("Invitation accepted")
        DECLINED = "declined", _("Invitation declined")
        REVOKED = "revoked", _("Participation revoked")
        CONSENT_GIVEN = "consent_given", _("Consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        NOTE = "note", _("Note")
        PERSON_UPDATED = "person_updated", _("Person details updated")
        ASSESSMENT = "assessment", _("Indicator assessment")
        AGE_EVIDENCE = "age_evidence", _("Age evidence recorded")
        PRESUMPTION_STARTED = "presumption_started", _("Presumed a child (age uncertain)")
        PRESUMPTION_LIFTED = "presumption_lifted", _("Presumption of minority lifted")

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    about_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class PersonSearchKey(models.Model):
    """A key the case search finds a person by: a name part's sound key or written form, a phone,
    a document number, a birth date or year, normalised as the linkage does (varde.linkage.search_keys
    says which keys and how; it also writes them). Personal data, derived: read only by the access
    layer's search (varde.access.search), never shown; goes with the person (and retention deletes it
    when the person is anonymised)."""

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # db_index: on PostgreSQL also a varchar_pattern_ops index, so that a name's beginning
    # ("w:moh%") is found by the index as an exact key is.
    key = models.CharField(_("key"), max_length=80, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="person_search_key_unique")]
        verbose_name = _("search key")
        verbose_name_plural = _("search keys")

    def __str__(self) -> str:  # never the key: str() can reach logs
        return f"PersonSearchKey {self.pk}"


class SavedCaseView(BaseModel):
    """A user's own named case list: filters and order as a query string (varde.access.search's
    syntax), never a search text. Shown only to the user who saved it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_case_view_name_unique")]
        verbose_name = _("saved case list")
        verbose_name_plural = _("saved case lists")

    def __str__(self) -> str:
        return f"SavedCaseView {self.pk}"
