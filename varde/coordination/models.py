"""KOM's national work: the action plans and their measures with yearly status reports, the project
portfolio, the project and reference groups with their meetings, seminars, local coordination units,
issues reported to KOM, and training.

Nothing here is tied to a case or a person: these tables hold no victim's data. Names of members and
participants are those of professionals at agencies.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, User
from varde.core.models import BaseModel

# --- ministries, plans and measures -------------------------------------------------------------------


class Ministry(BaseModel):
    """A ministry as the action plans name it (rules/ministries.json). Its users are the active
    members with Role.MINISTRY of the linked agency."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    agency = models.OneToOneField(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="ministry"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("ministry")
        verbose_name_plural = _("ministries")

    def __str__(self) -> str:
        return self.name_en

    def name(self, lang: str) -> str:
        return self.name_nb if lang == "nb" else self.name_en


class ActionPlan(BaseModel):
    code = models.SlugField(_("code"), max_length=20, unique=True, help_text=_("The period, e.g. 2011-2014"))
    title_nb = models.CharField(_("title (Bokmål)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    source = models.TextField(_("source"))
    note = models.TextField(_("note"), blank=True)
    rule_version = models.PositiveIntegerField(_("version of the plan file"))

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.code

    def title(self, lang: str) -> str:
        return self.title_nb if lang == "nb" else self.title_en

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Chapter(BaseModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField(_("number"))
    title_nb = models.CharField(_("title (Bokmål)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    verified = models.BooleanField(_("verified against the source"), default=True)
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="chapter_unique_number")]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self) -> str:
        return f"{self.plan.code} ch. {self.number}"

    def title(self, lang: str) -> str:
        return self.title_nb if lang == "nb" else self.title_en


class Measure(BaseModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="measures")
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text_nb = models.TextField(_("text (Bokmål)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_verified = models.BooleanField(_("wording from the source"), default=True)
    ministries_verified = models.BooleanField(_("ministries from the source"), default=True)
    chapter_verified = models.BooleanField(_("chapter from the source"), default=True)
    source = models.TextField(_("source"))
    ministries = models.ManyToManyField(Ministry, through="MeasureMinistry", related_name="measures")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="measure_unique_number")]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return f"{self.plan.code} measure {self.number}"

    def text(self, lang: str) -> str:
        return self.text_nb if lang == "nb" else self.text_en

    @property
    def verified(self) -> bool:
        return self.text_verified and self.ministries_verified and self.chapter_verified


class MeasureMinistry(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="responsibilities")
    ministry = models.ForeignKey(Ministry, on_delete=models.PROTECT, related_name="responsibilities")
    is_lead = models.BooleanField(_("lead"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "ministry"], name="measure_ministry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.measure} – {self.ministry.code}"


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    DISCONTINUED = "discontinued", _("Discontinued")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved (final)")


class StatusReport(BaseModel):
    """A ministry's yearly report on one measure. Written by the ministry's users or KOM, submitted, and
    final only when a second person approves it (never the one who submitted it or wrote its text)."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="status_reports")
    ministry = models.ForeignKey(Ministry, on_delete=models.PROTECT, related_name="status_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=MeasureStatus.choices)
    done = models.TextField(_("what was done"), blank=True)
    spending_nok = models.PositiveBigIntegerField(_("spending (NOK)"), null=True, blank=True)
    documents = models.TextField(_("documents (one link or reference a line)"), blank=True)
    projects = models.ManyToManyField("coordination.Project", blank=True, related_name="status_reports")
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        ordering = ["measure", "ministry", "year"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "ministry", "year"], name="status_report_unique")
        ]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self) -> str:
        return f"{self.measure} {self.ministry.code} {self.year}"

    @property
    def is_final(self) -> bool:
        return self.state == ReportState.APPROVED


class StatusReportRevision(models.Model):
    """Every saved text of a status report, kept: who wrote what, and each step (saved, submitted,
    returned, approved). Never updated."""

    report = models.ForeignKey(StatusReport, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    step = models.CharField(max_length=12)
    state = models.CharField(max_length=12, choices=ReportState.choices)
    status = models.CharField(max_length=20, choices=MeasureStatus.choices)
    done = models.TextField(blank=True)
    spending_nok = models.PositiveBigIntegerField(null=True, blank=True)
    documents = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.report} r{self.revision} {self.step}"


# --- the project portfolio ----------------------------------------------------------------------------


class Channel(models.TextChoices):
    IOM = "iom", _("IOM")
    UN = "un", _("UN organisation")
    NORWEGIAN_NGO = "norwegian_ngo", _("Norwegian NGO")
    LOCAL_NGO = "local_ngo", _("Local NGO")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    EUROPE = "europe", _("Europe")
    ASIA = "asia", _("Asia")
    AFRICA = "africa", _("Africa")
    LATIN_AMERICA = "latin_america", _("Latin America")
    MIDDLE_EAST = "middle_east", _("Middle East")
    GLOBAL = "global", _("Global")


class Objective(models.TextChoices):
    MAIN = "main", _("Main objective")
    SUBSIDIARY = "subsidiary", _("Subsidiary objective")


class Agreement(BaseModel):
    """Seed 004, note 3: one agreement per project with the same partner in the same country, funded by
    the same embassy or section, with the same project name, for one or more years."""

    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    title = models.CharField(_("project name"), max_length=300)
    partner = models.CharField(_("partner"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    country = models.CharField(_("country"), max_length=100)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    section = models.CharField(_("administering section or embassy"), max_length=200)
    objective = models.CharField(
        _("objective"), max_length=12, choices=Objective.choices, default=Objective.MAIN
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.number


class Project(BaseModel):
    """A project or project plan approved for funding, under one agreement, with its amounts by year."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="projects")
    reference = models.CharField(_("project reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    measures = models.ManyToManyField(Measure, blank=True, related_name="projects")

    class Meta:
        ordering = ["reference"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.reference


class ProjectAmount(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="amounts")
    year = models.PositiveSmallIntegerField(_("year"))
    nok = models.PositiveBigIntegerField(_("amount (NOK)"))

    class Meta:
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="project_amount_unique_year")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"


class PortfolioImport(BaseModel):
    """One accepted import of the portfolio spreadsheet (a refused file leaves no row)."""

    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField()
    agreements_created = models.PositiveIntegerField()
    projects_created = models.PositiveIntegerField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


# --- groups, meetings, seminars, local units ---------------------------------------------------------


class GroupKind(models.TextChoices):
    PROJECT = "project", _("Project group")
    REFERENCE = "reference", _("Reference group")


class Group(BaseModel):
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMember(BaseModel):
    """An agency's representative in a group, with the 24-hour readiness contact agreed for them.
    `user` links a representative who signs in to Varde (they then see the group's minutes)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="group_memberships"
    )
    name = models.CharField(_("name"), max_length=200)
    readiness_phone = models.CharField(_("24-hour phone"), max_length=40, blank=True)
    readiness_email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "agency__name", "name"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Meeting(BaseModel):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(GroupMember, blank=True, related_name="meetings_attended")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["group", "-held_on"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")

    def __str__(self) -> str:
        return f"{self.group} {self.held_on}"


class Decision(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["meeting", "created_at"]

    def __str__(self) -> str:
        return f"decision {self.pk}"


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpTask(BaseModel):
    """A follow-up of a decision, with a responsible member and a due date. The response package's
    clocks belong to cases, so a group's task carries its own due date; open tasks past it show as
    overdue."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    responsible = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="tasks")
    due_on = models.DateField(_("due"))
    state = models.CharField(_("state"), max_length=8, choices=TaskState.choices, default=TaskState.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Seminar(BaseModel):
    title = models.CharField(_("title"), max_length=300)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    programme = models.TextField(_("programme"), blank=True)
    groups = models.ManyToManyField(Group, blank=True, related_name="seminars")

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title


class SeminarParticipant(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["seminar", "agency__name", "name"]

    def __str__(self) -> str:
        return self.name


class LocalUnit(BaseModel):
    """A local coordination unit (a municipality or a police district) that receives KOM's reports."""

    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality number"), max_length=4, blank=True)
    police_district = models.CharField(_("police district"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="+")
    members = models.ManyToManyField(User, blank=True, related_name="local_units")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportDispatch(models.Model):
    """KOM's yearly report sent to a local unit: its members may then read that year's report."""

    unit = models.ForeignKey(LocalUnit, on_delete=models.CASCADE, related_name="dispatches")
    year = models.PositiveSmallIntegerField(_("year"))
    sent_at = models.DateTimeField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="dispatch_unique_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


# --- issues reported to KOM ---------------------------------------------------------------------------


class IssueKind(models.TextChoices):
    PROBLEMATIC_CASE = "problematic_case", _("A problematic case")
    GENERAL = "general", _("A general issue")


class IssueState(models.TextChoices):
    NEW = "new", _("New")
    ANSWERED = "answered", _("Answered")
    TAKEN_TO_GROUP = "taken_to_group", _("Taken to a group")
    CLOSED = "closed", _("Closed")


class ReportedIssue(BaseModel):
    """A problem an agency reports to KOM, described without personal data (the form says so; no link
    to a case is stored). KOM triages it; the reporter sees the answer."""

    kind = models.CharField(_("kind"), max_length=20, choices=IssueKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    reporter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reporter_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=IssueState.choices, default=IssueState.NEW)
    answer = models.TextField(_("answer"), blank=True)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="issues")
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"issue {self.pk}"


# --- training -----------------------------------------------------------------------------------------


class Course(BaseModel):
    topic = models.CharField(_("topic"), max_length=300)
    audience = models.CharField(_("audience"), max_length=300, blank=True)

    class Meta:
        ordering = ["topic"]

    def __str__(self) -> str:
        return self.topic


class TrainingSession(BaseModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.course} {self.held_on}"


class Participant(models.Model):
    """Someone who took part in a session: their agency and role; `user` when they are a Varde user, so
    that an agency's share of trained caseworkers can be counted."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)

    class Meta:
        ordering = ["session", "agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=models.Q(user__isnull=False), name="participant_once"
            )
        ]

    def __str__(self) -> str:
        return self.name
