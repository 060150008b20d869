"""The coordinated response: legal clocks, legal status, notifications and the 24-hour directory,
placements, individual plans and tasks, coordination meetings and disappearances.

History is never overwritten: clocks keep every change in ClockChange, legal status is an
append-only timeline (corrections are new rows), notifications keep who acknowledged when.
Text fields that may hold personal data are shown only through varde.access.cases; notification
texts are built from a fixed set of non-personal fields (see rules.MESSAGE_FIELDS).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from varde.accounts.models import Agency, User
from varde.cases.models import Case
from varde.core.models import BaseModel
from varde.persons.models import Person

# --- clocks ------------------------------------------------------------------------------------------


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CLOCK_STATES = frozenset({ClockState.RUNNING, ClockState.PAUSED})
# The states the deadline lists show (the national view, my next actions): open, and missed.
LISTED_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.MISSED)
_LISTED = models.Q(case_open=True, state__in=LISTED_STATES)


class Clock(BaseModel):
    """A legal or agreed deadline on a case. Kinds and lengths come from rules/clocks.json."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("kind"), max_length=40)
    stage = models.PositiveSmallIntegerField(_("stage (months)"), null=True, blank=True)
    rule_version = models.PositiveIntegerField(_("rule version"))
    rule_source = models.CharField(_("legal source"), max_length=500)
    origin = models.CharField(
        max_length=80, blank=True, help_text="what started it (ids only), for idempotency"
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn from"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("met, missed or cancelled at"), null=True, blank=True)
    met_late = models.BooleanField(_("met after it ran out"), default=False)
    responsible_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A copy of "the case is not closed", kept by the case's status change (varde.response.handlers,
    # in the same transaction), so that the deadline lists read one table through a partial index
    # instead of joining every clock to its case: at 100,000 cases two thirds of the missed clocks
    # belong to closed cases, which the lists leave out. A kind that goes on after closure (the
    # follow-ups after a voluntary return, rules "after_closure") stays listed.
    case_open = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="clock_due_idx"),
            models.Index(fields=["state", "warn_at"], name="clock_warn_idx"),
            models.Index(fields=["due_at", "id"], condition=_LISTED, name="clock_listed_idx"),
            models.Index(
                fields=["responsible_agency", "due_at", "id"],
                condition=_LISTED,
                name="clock_listed_agency_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "origin"], condition=~models.Q(origin=""), name="clock_unique_origin"
            )
        ]
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")

    def __str__(self) -> str:
        return f"Clock {self.pk} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES


class ClockAction(models.TextChoices):
    STARTED = "started", _("Started")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    EXTENDED = "extended", _("Extended")
    WARNED = "warned", _("About to run out")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class ClockChange(models.Model):
    """Append-only: the state of a clock after each change, so any past moment can be shown."""

    id = models.BigAutoField(primary_key=True)
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    action = models.CharField(max_length=10, choices=ClockAction.choices)
    state = models.CharField(max_length=10, choices=ClockState.choices)
    due_at = models.DateTimeField()
    ends_on = models.DateField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["clock", "at"], name="clockchange_asof_idx")]

    def __str__(self) -> str:
        return f"ClockChange {self.pk} {self.action}"


class ClockPause(models.Model):
    id = models.BigAutoField(primary_key=True)
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    paused_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["paused_at", "id"]

    def __str__(self) -> str:
        return f"ClockPause {self.pk}"


class ClockExtension(models.Model):
    id = models.BigAutoField(primary_key=True)
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    at = models.DateTimeField()
    from_due_at = models.DateTimeField()
    to_due_at = models.DateTimeField()
    reason = models.TextField()
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"ClockExtension {self.pk}"


# --- legal status ------------------------------------------------------------------------------------


class LegalStatusKind(models.TextChoices):
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    REFLECTION_APPLIED = "reflection_applied", _("Reflection period applied for")
    REFLECTION_GRANTED = "reflection_granted", _("Reflection period granted")
    REFLECTION_REJECTED = "reflection_rejected", _("Reflection period rejected")
    TEMPORARY_RESIDENCE = (
        "temporary_residence_cooperation",
        _("Temporary residence (cooperating with the police)"),
    )
    PERMANENT_AFTER_TESTIFYING = "permanent_after_testifying", _("Residence after testifying in court")
    DUBLIN = "dublin", _("Dublin case")
    EEA_NATIONAL = "eea_national", _("EEA national")
    NO_LEGAL_RESIDENCE = "no_legal_residence", _("No legal residence")
    # Applications and decisions after the reflection period (issue #16): each decision belongs to an
    # application of its line (varde/response/rules/legal_status.json, "line" and "role").
    TEMPORARY_PERMIT_APPLIED = "temporary_permit_applied", _("Temporary permit applied for")
    TEMPORARY_PERMIT_REJECTED = "temporary_permit_rejected", _("Temporary permit rejected")
    TEMPORARY_PERMIT_DROPPED = "temporary_permit_dropped", _("Temporary permit application dropped")
    RENEWAL_APPLIED = "renewal_applied", _("Renewal of the temporary permit applied for")
    RENEWAL_GRANTED = "renewal_granted", _("Temporary permit renewed")
    RENEWAL_REJECTED = "renewal_rejected", _("Renewal rejected")
    TESTIMONY_PERMIT_APPLIED = "testimony_permit_applied", _("Permit after testifying applied for")
    TESTIMONY_PERMIT_REJECTED = "testimony_permit_rejected", _("Permit after testifying rejected")
    REFUGEE_GRANTED = "refugee_granted", _("Granted asylum as a refugee")
    HUMANITARIAN_GRANTED = "humanitarian_granted", _("Granted a permit on humanitarian grounds")
    ASYLUM_REJECTED = "asylum_rejected", _("Asylum rejected")
    ASYLUM_APPEALED = "asylum_appealed", _("Asylum rejection appealed")
    LIMITED_UNTIL_18 = "limited_until_18", _("Limited permit until 18 (unaccompanied minor)")
    EEA_REGISTERED = "eea_registered", _("EEA registration")
    EXPULSION = "expulsion", _("Expulsion decided")


class DecidingAuthority(models.TextChoices):
    UDI = "udi", _("UDI (Directorate of Immigration)")
    UNE = "une", _("UNE (Immigration Appeals Board)")
    POLICE = "police", _("The police")
    COURT = "court", _("A court")


class LegalStatus(models.Model):
    """One entry of a person's legal-status timeline in a case. Never edited: a correction is a new
    row pointing at the one it corrects; an entry ends at its own `to_date` or where the next begins."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_statuses")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="legal_statuses")
    kind = models.CharField(_("status"), max_length=40, choices=LegalStatusKind.choices)
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"), null=True, blank=True)
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    withdraws = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="withdrawn_by",
        help_text="the entry this one withdrew (applying for a reflection period withdraws an asylum application)",
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    note = models.TextField(_("note"), blank=True)
    authority = models.CharField(
        _("deciding authority"), max_length=10, choices=DecidingAuthority.choices, blank=True
    )
    reason = models.TextField(_("reason given"), blank=True)
    application = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        help_text="the application this decision decides",
    )
    renews = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        help_text="the granted permit a renewal application asks to renew",
    )
    rule_version = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["from_date", "recorded_at", "id"]
        verbose_name = _("legal status")
        verbose_name_plural = _("legal statuses")

    def __str__(self) -> str:
        return f"LegalStatus {self.pk} {self.kind}"


# --- notifications and the 24-hour directory -------------------------------------------------------


class AgencyContact(BaseModel):
    """An agency's 24-hour contact for notifications. Agency data, not personal data."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="contact")
    on_call_phone = models.CharField(_("on-call phone"), max_length=30, blank=True)
    email = models.EmailField(_("notification e-mail"), blank=True)
    hours = models.CharField(
        _("opening hours"), max_length=100, blank=True, help_text=_("e.g. 24/7 or 08-16 weekdays")
    )
    always_open = models.BooleanField(_("answers around the clock"), default=False)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("24-hour contact")
        verbose_name_plural = _("24-hour contacts")

    def __str__(self) -> str:
        return f"AgencyContact {self.pk}"


class NotificationKind(models.TextChoices):
    CASE_REPORTED = "case_reported", _("Case reported")
    PRESUMED_CHILD = "presumed_child", _("Presumed child")
    DISAPPEARANCE = "disappearance", _("Disappearance")
    CLOCK_WARNING = "clock_warning", _("Deadline about to run out")
    CLOCK_MISSED = "clock_missed", _("Deadline missed")
    AGENCY_INVITED = "agency_invited", _("Agency invited")
    ESCALATION = "escalation", _("Not acknowledged in time")


class EmailState(models.TextChoices):
    NONE = "none", _("No e-mail")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="notifications")
    recipient_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_role = models.CharField(_("for role"), max_length=20, blank=True)
    is_participant = models.BooleanField(
        default=False, help_text="the recipient agency took part in the case"
    )
    text_nb = models.TextField()
    text_en = models.TextField()
    clock = models.ForeignKey(
        Clock, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    ack_clock = models.ForeignKey(
        Clock,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="a clock met when this notification is acknowledged (e.g. child welfare informed)",
    )
    escalation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )
    rule_version = models.PositiveIntegerField()
    subject = models.CharField(
        max_length=120,
        blank=True,
        help_text="what happened (ids only): a clock, a disappearance, an invitation",
    )
    dedupe_key = models.CharField(max_length=200, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    email_to = models.EmailField(blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email_state", "email_next_at"], name="notif_email_idx"),
            models.Index(fields=["acknowledged_at", "escalated_at", "ack_due_at"], name="notif_escalate_idx"),
            models.Index(fields=["recipient_agency", "acknowledged_at"], name="notif_inbox_idx"),
            # What waits in an agency's inbox, with what its counts read (kind, acknowledge-by, the
            # clock acknowledging meets), so that the counts on every page come from the index alone.
            models.Index(
                fields=["recipient_agency", "recipient_role", "kind", "ack_due_at", "ack_clock"],
                condition=models.Q(acknowledged_at__isnull=True, recipient_user__isnull=True),
                name="notif_open_idx",
            ),
            # The worker's escalation candidates: waiting for an acknowledgement by a time, not yet
            # escalated (a few among hundreds of thousands of notifications).
            models.Index(
                fields=["ack_due_at"],
                condition=models.Q(
                    acknowledged_at__isnull=True, escalated_at__isnull=True, ack_due_at__isnull=False
                ),
                name="notif_escalate_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="notif_dedupe"
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"Notification {self.pk} {self.kind}"

    def text(self, language: str | None = None) -> str:
        return self.text_en if (language or "").startswith("en") else self.text_nb


# --- the worker's heartbeat ------------------------------------------------------------------------------


class WorkerHeartbeat(models.Model):
    """One row per running worker, written at the start of each pass: the health check reads the
    newest beat (a worker that has not beaten for five minutes is not running). Rows of workers long
    gone are removed by the next worker's beat."""

    id = models.BigAutoField(primary_key=True)
    worker_id = models.CharField(max_length=80, unique=True)
    host = models.CharField(max_length=60)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    passes = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"WorkerHeartbeat {self.worker_id}"


# --- placements, plans, tasks, meetings -----------------------------------------------------------


class PlacementKind(models.TextChoices):
    CHILD_WELFARE_INSTITUTION = "child_welfare_institution", _("Child-welfare institution")
    CARE_CENTRE = "care_centre", _("Care centre for unaccompanied minors")
    FOSTER_HOME = "foster_home", _("Foster home")
    CRISIS_CENTRE = "crisis_centre", _("Crisis centre")
    SHELTER = "shelter", _("Shelter")
    SUPPORTED_HOUSING = "supported_housing", _("Supported housing (Lauras Hus type)")
    RECEPTION_CENTRE = "reception_centre", _("Asylum reception centre")
    MUNICIPAL_HOUSING = "municipal_housing", _("Municipal housing")
    OTHER = "other", _("Other")


class Placement(BaseModel):
    """Where the person stays, from when to when. `description` may name the place: case data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("kind of place"), max_length=30, choices=PlacementKind.choices)
    provider_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("place"), max_length=200, blank=True)
    from_at = models.DateTimeField(_("from"))
    to_at = models.DateTimeField(_("to"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-from_at"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"Placement {self.pk} {self.kind}"


class IndividualPlan(BaseModel):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="individual_plan")
    required = models.BooleanField(_("required (child's case)"), default=False)
    review_clock = models.ForeignKey(
        Clock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")

    def __str__(self) -> str:
        return f"IndividualPlan {self.pk}"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class PlanGoal(BaseModel):
    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("goal"))
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"PlanGoal {self.pk}"


class Meeting(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_at = models.DateTimeField(_("held"))
    participants = models.ManyToManyField(Agency, related_name="+", verbose_name=_("participating agencies"))
    called_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    called_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")

    def __str__(self) -> str:
        return f"Meeting {self.pk}"


class MissingFrom(models.TextChoices):
    RECEPTION_CENTRE = "reception_centre", _("Asylum reception centre")
    CARE_CENTRE = "care_centre", _("Care centre for unaccompanied minors")
    INSTITUTION = "institution", _("Child-welfare institution")
    SHELTER = "shelter", _("Shelter or crisis centre")
    OTHER = "other", _("Other")


class MissingStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    FOUND = "found", _("Found")
    RETURNED = "returned", _("Returned")
    LOCATED_ABROAD = "located_abroad", _("Located abroad")


class MissingEpisode(BaseModel):
    """A disappearance. Kept for the statistics (counted by kind of place, status and child/adult)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="missing_episodes")
    missing_from = models.CharField(_("missing from"), max_length=20, choices=MissingFrom.choices)
    last_seen_at = models.DateTimeField(_("last seen"))
    reported_to_police_at = models.DateTimeField(_("reported to the police"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MissingStatus.choices, default=MissingStatus.MISSING
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    located_country = models.CharField(
        _("located in (country)"), max_length=2, blank=True, help_text=_("ISO 3166 code, when located abroad")
    )
    was_child = models.BooleanField(_("a child's case when recorded"), default=False)
    police_report_clock = models.ForeignKey(
        Clock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("missing episode")
        verbose_name_plural = _("missing episodes")

    def __str__(self) -> str:
        return f"MissingEpisode {self.pk}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskOrigin(models.TextChoices):
    PLAN = "plan", _("Individual plan")
    MEETING = "meeting", _("Coordination meeting")
    RETURN_INTERVIEW = "return_interview", _("Return after a disappearance")


class Task(BaseModel):
    """Who does what by when. Each task has its own clock."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    origin = models.CharField(_("from"), max_length=20, choices=TaskOrigin.choices)
    plan = models.ForeignKey(
        IndividualPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    missing_episode = models.ForeignKey(
        MissingEpisode, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("what"), max_length=300)
    responsible_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    responsible_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    clock = models.OneToOneField(Clock, null=True, blank=True, on_delete=models.SET_NULL, related_name="task")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_date", "created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"Task {self.pk}"


class MeetingDecision(models.Model):
    id = models.BigAutoField(primary_key=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    task = models.OneToOneField(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"MeetingDecision {self.pk}"


# --- cooperation with the police ------------------------------------------------------------------------


class CooperationState(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked yet")
    CONSIDERING = "considering", _("Considering")
    DECLINED = "declined", _("Declined to cooperate")
    REPORTED = "reported", _("Reported the traffickers")
    INVESTIGATION = "investigation", _("Cooperating in an investigation")
    TESTIFIED = "testified", _("Testified in court")


class PoliceCooperation(models.Model):
    """One entry of a person's cooperation with the police over time. Never edited: a later entry
    says where things stand now; a correction is a new row pointing at the one it corrects."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_cooperation")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="police_cooperation")
    state = models.CharField(_("cooperation"), max_length=20, choices=CooperationState.choices)
    on_date = models.DateField(_("as of"))
    note = models.TextField(_("note"), blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on_date", "recorded_at", "id"]
        verbose_name = _("cooperation with the police")
        verbose_name_plural = _("cooperation with the police")

    def __str__(self) -> str:
        return f"PoliceCooperation {self.pk} {self.state}"


# --- voluntary return and reintegration -----------------------------------------------------------------


class ReturnOrganisation(models.TextChoices):
    IOM = "iom", _("IOM (International Organization for Migration)")
    OTHER = "other", _("Another organisation")


class ReturnState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RETURNED = "returned", pgettext_lazy("voluntary return", "Returned home")
    CANCELLED = "cancelled", _("Cancelled")


class VoluntaryReturn(BaseModel):
    """A safe voluntary return: the plan, the return itself, and the follow-ups after it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="voluntary_returns")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="voluntary_returns")
    state = models.CharField(
        _("state"), max_length=20, choices=ReturnState.choices, default=ReturnState.PLANNED
    )
    organisation = models.CharField(_("organisation"), max_length=10, choices=ReturnOrganisation.choices)
    organisation_name = models.CharField(
        _("name of the organisation"), max_length=200, blank=True, help_text=_("When not IOM")
    )
    country = models.CharField(_("country of return"), max_length=2, help_text=_("ISO 3166 code"))
    planned_on = models.DateField(_("planned date"))
    escort = models.BooleanField(_("escorted on the journey"), default=False)
    reception = models.TextField(
        _("reception at home"), blank=True, help_text=_("Who meets the person, and where they will live")
    )
    guardian_consulted = models.BooleanField(_("the guardian was consulted"), null=True, blank=True)
    best_interests_assessed = models.BooleanField(
        _("child welfare assessed the child's best interests"), null=True, blank=True
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    was_child = models.BooleanField(_("a child's case when planned"), default=False)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["planned_on", "created_at"]
        verbose_name = _("voluntary return")
        verbose_name_plural = _("voluntary returns")

    def __str__(self) -> str:
        return f"VoluntaryReturn {self.pk}"


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")


class Situation(models.TextChoices):
    GOOD = "good", _("Good")
    UNCERTAIN = "uncertain", _("Uncertain")
    POOR = "poor", _("Poor")
    UNKNOWN = "unknown", _("Not known")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    UNKNOWN = "unknown", _("Not known")


class ReturnFollowUp(models.Model):
    """The outcome of one follow-up after a return (by default at 3, 6 and 12 months; the lengths are
    data: varde/response/rules/clocks.json, return_followup)."""

    id = models.BigAutoField(primary_key=True)
    voluntary_return = models.ForeignKey(VoluntaryReturn, on_delete=models.CASCADE, related_name="follow_ups")
    stage = models.PositiveSmallIntegerField(_("months after the return"))
    clock = models.ForeignKey(Clock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    on_date = models.DateField(_("followed up on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=FollowUpOutcome.choices)
    housing = models.CharField(
        _("housing"), max_length=10, choices=Situation.choices, default=Situation.UNKNOWN
    )
    income = models.CharField(
        _("income"), max_length=10, choices=Situation.choices, default=Situation.UNKNOWN
    )
    education_work = models.CharField(
        _("education or work"), max_length=10, choices=Situation.choices, default=Situation.UNKNOWN
    )
    health = models.CharField(
        _("health"), max_length=10, choices=Situation.choices, default=Situation.UNKNOWN
    )
    re_trafficking_risk = models.CharField(
        _("risk of re-trafficking"), max_length=10, choices=Risk.choices, default=Risk.UNKNOWN
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["stage", "id"]
        constraints = [
            models.UniqueConstraint(fields=["voluntary_return", "stage"], name="return_followup_stage_once")
        ]
        verbose_name = _("follow-up after return")
        verbose_name_plural = _("follow-ups after return")

    def __str__(self) -> str:
        return f"ReturnFollowUp {self.pk} {self.stage}"
