"""Criminal cases and what hangs on them: participating police and prosecution agencies, the stages with
their dates (append-only), perpetrators, networks, cross-border cooperation and the links to victims'
cases.

A criminal case is not a victim's case: it has its own reference, its own participants and its own
access rule (varde.access.prosecution). Perpetrator names, network names, notes and cooperation
details are investigation details, seen only by the agencies taking part in the criminal case.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from varde.accounts.models import Agency, User
from varde.cases.models import Case, ExploitationForm
from varde.core.models import BaseModel


class Offence(models.TextChoices):
    """The offence investigated or charged. Its section of law depends on the time of the facts:
    rules/offences.json names the provision in force for each period, with its source."""

    TRAFFICKING = "trafficking", _("Human trafficking")
    TRAFFICKING_AGGRAVATED = "trafficking_aggravated", _("Aggravated human trafficking")
    PIMPING = "pimping", _("Pimping")
    SMUGGLING = "smuggling", _("Smuggling of persons")
    LABOUR_OTHER = "labour_other", _("Forced labour charged under another provision")


class Stage(models.TextChoices):
    REPORTED = "reported", _("Reported to the police")
    INVESTIGATION_OPENED = "investigation_opened", _("Investigation opened")
    DROPPED = "dropped", pgettext_lazy("criminal case stage", "Dropped")
    CHARGED = "charged", _("Charged")
    TRIAL = "trial", _("Trial")
    VERDICT = "verdict", _("Verdict")
    APPEAL = "appeal", _("Appealed")
    FINAL_JUDGEMENT = "final_judgement", _("Final judgement")


# The stage rule: which stage may follow which. A case starts as reported or with an investigation the
# police opened themselves; a dropped case may be reopened; an appeal is heard (trial) or decided
# without a hearing (verdict); only a verdict that is no longer appealed becomes final.
FIRST_STAGES = frozenset({Stage.REPORTED, Stage.INVESTIGATION_OPENED})
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.REPORTED: frozenset({Stage.INVESTIGATION_OPENED, Stage.DROPPED}),
    Stage.INVESTIGATION_OPENED: frozenset({Stage.CHARGED, Stage.DROPPED}),
    Stage.DROPPED: frozenset({Stage.INVESTIGATION_OPENED}),
    Stage.CHARGED: frozenset({Stage.TRIAL, Stage.DROPPED}),
    Stage.TRIAL: frozenset({Stage.VERDICT}),
    Stage.VERDICT: frozenset({Stage.APPEAL, Stage.FINAL_JUDGEMENT}),
    Stage.APPEAL: frozenset({Stage.TRIAL, Stage.VERDICT}),
    Stage.FINAL_JUDGEMENT: frozenset(),
}
# Stages during which the case is before the courts (charged and not yet final).
IN_COURT_STAGES = frozenset({Stage.CHARGED, Stage.TRIAL, Stage.VERDICT, Stage.APPEAL})


class DropReason(models.TextChoices):
    NO_CRIME = "no_crime", _("No criminal offence")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Insufficient evidence")
    PERPETRATOR_UNKNOWN = "perpetrator_unknown", _("Perpetrator unknown")
    CAPACITY = "capacity", _("Lack of capacity")
    WAIVER = "waiver", _("Waiver of prosecution")
    OTHER = "other", _("Other reason")


class Outcome(models.TextChoices):
    CONVICTED_TRAFFICKING = "convicted_trafficking", _("Convicted of human trafficking")
    CONVICTED_OTHER = "convicted_other", _("Convicted of another offence")
    ACQUITTED = "acquitted", _("Acquitted")


CONVICTED = frozenset({Outcome.CONVICTED_TRAFFICKING, Outcome.CONVICTED_OTHER})


class ParticipantRole(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    PROSECUTING = "prosecuting", _("Prosecuting")
    ASSISTING = "assisting", _("Assisting")


class CriminalCase(BaseModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    police_case_number = models.CharField(_("police case number"), max_length=40, blank=True)
    police_district = models.CharField(
        _("police district"), max_length=20, help_text=_("A district code of the 12 police districts")
    )
    offence = models.CharField(_("offence"), max_length=30, choices=Offence.choices)
    facts_date = models.DateField(
        _("time of the facts"), help_text=_("When the offence was committed: decides the section of law")
    )
    offence_section = models.CharField(_("section of law"), max_length=200)
    offence_rule_version = models.PositiveIntegerField(_("rule version"))
    exploitation_form = models.CharField(
        _("form of exploitation"), max_length=30, choices=ExploitationForm.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices)
    stage_on = models.DateField(_("stage since"))
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    trial_on = models.DateField(_("trial date"), null=True, blank=True)
    trial_court = models.CharField(_("court"), max_length=200, blank=True)
    confiscated_nok = models.BigIntegerField(_("confiscated proceeds (NOK)"), default=0)
    dates_approximate = models.BooleanField(
        _("dates approximate"), default=False, help_text=_("Only the year is known (historical records)")
    )
    notes = models.TextField(_("investigation notes"), blank=True)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_criminal_cases")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-stage_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confiscated_nok__gte=0), name="criminal_case_proceeds_not_negative"
            ),
            models.UniqueConstraint(
                fields=["police_district", "police_case_number"],
                condition=~models.Q(police_case_number=""),
                name="criminal_case_number_unique_per_district",
            ),
        ]
        verbose_name = _("criminal case")
        verbose_name_plural = _("criminal cases")

    def __str__(self) -> str:
        return self.reference


class CriminalCaseParticipant(models.Model):
    """A police or prosecution agency taking part in a criminal case: its users see the investigation."""

    id = models.BigAutoField(primary_key=True)
    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="criminal_participations")
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    is_lead = models.BooleanField(_("lead agency"), default=False)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criminal_case", "agency"], name="criminal_participant_unique")
        ]
        ordering = ["-is_lead", "agency__name"]

    def __str__(self) -> str:
        return f"{self.agency_id} in {self.criminal_case_id}"


class StageEntry(models.Model):
    """Append-only: each stage the case reached, with its date. Never edited."""

    id = models.BigAutoField(primary_key=True)
    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=30, choices=DropReason.choices, blank=True)
    court = models.CharField(_("court"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return f"{self.criminal_case_id}: {self.stage} {self.on}"


class Network(BaseModel):
    """A criminal network: a name and the countries it works in. Investigation detail."""

    name = models.CharField(_("network name"), max_length=200)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    registered_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return f"Network {self.pk}"


class CriminalCaseNetwork(models.Model):
    id = models.BigAutoField(primary_key=True)
    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="network_links")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="case_links")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criminal_case", "network"], name="criminal_case_network_unique")
        ]

    def __str__(self) -> str:
        return f"{self.network_id} in {self.criminal_case_id}"


class NetworkRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    RECRUITER = "recruiter", _("Recruiter")
    TRANSPORTER = "transporter", _("Transporter")
    CONTROLLER = "controller", _("Controller / guard")
    MONEY = "money", _("Handles the money")
    EXPLOITER = "exploiter", _("Exploiter (employer, buyer)")
    OTHER = "other", _("Other role")
    UNKNOWN = "unknown", _("Role not known")


# The perpetrator's role as HTCDS 2.0 names it (per_RoleInProcess, statistics/htcds/HTCDS-2.0-fields.csv),
# for an exchange of perpetrator context: the standard has no leader or money role ("Other").
HTCDS_ROLE_IN_PROCESS: dict[str, str] = {
    NetworkRole.LEADER: "Other",
    NetworkRole.RECRUITER: "RecruiterOrIntermediary",
    NetworkRole.TRANSPORTER: "Transporter",
    NetworkRole.CONTROLLER: "ControlledIndividual",
    NetworkRole.MONEY: "Other",
    NetworkRole.EXPLOITER: "Exploiter",
    NetworkRole.OTHER: "Other",
}


class Perpetrator(BaseModel):
    """A suspected or convicted person, registered by a police district. Investigation detail: seen
    only by the agencies taking part in a criminal case the person is linked to."""

    name = models.CharField(_("name"), max_length=200)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    role = models.CharField(_("role in the network"), max_length=20, choices=NetworkRole.choices)
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    police_district = models.CharField(_("registered in police district"), max_length=20)
    registered_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")

    def __str__(self) -> str:
        return f"Perpetrator {self.pk}"


class PerpetratorLink(BaseModel):
    """A perpetrator in a criminal case, with the outcome for that person and the sentence."""

    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="perpetrator_links"
    )
    perpetrator = models.ForeignKey(Perpetrator, on_delete=models.PROTECT, related_name="case_links")
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    sentence_months = models.PositiveIntegerField(_("prison sentence (months)"), null=True, blank=True)
    sentence_text = models.CharField(_("sentence"), max_length=300, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criminal_case", "perpetrator"], name="perpetrator_link_unique")
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.perpetrator_id} in {self.criminal_case_id}"


class VictimRole(models.TextChoices):
    AGGRIEVED_PARTY = "aggrieved_party", _("Aggrieved party")
    WITNESS = "witness", _("Witness")
    NOT_INVOLVED = "not_involved", _("Not involved")


class VictimLink(BaseModel):
    """A victim's case linked to a criminal case: the person as aggrieved party, witness or not involved.
    The victim's caseworker sees the role, the stage and the trial date; never the suspects."""

    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="victim_links")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="criminal_links")
    role = models.CharField(_("role"), max_length=20, choices=VictimRole.choices)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["criminal_case", "case"], name="victim_link_unique")]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} in {self.criminal_case_id}"


class CooperationKind(models.TextChoices):
    EUROPOL = "europol", _("Europol")
    EUROJUST = "eurojust", _("Eurojust")
    JIT = "jit", _("Joint investigation team (JIT)")
    FOREIGN_POLICE = "foreign_police", _("Foreign police contact")


class Cooperation(BaseModel):
    """Cross-border cooperation recorded on a criminal case. Investigation detail."""

    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="cooperations")
    kind = models.CharField(_("kind"), max_length=20, choices=CooperationKind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    started_on = models.DateField(_("from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_on", "created_at"]
        verbose_name = _("cross-border cooperation")
        verbose_name_plural = _("cross-border cooperation")

    def __str__(self) -> str:
        return f"Cooperation {self.pk}"
