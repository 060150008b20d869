"""Forms for KOM's national work (varde.coordination). Thin: they validate input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, User
from varde.coordination.models import (
    Course,
    Group,
    GroupKind,
    GroupMember,
    IssueKind,
    IssueState,
    LocalUnit,
    MeasureStatus,
    Seminar,
    TrainingSession,
)
from varde.web.forms import DateInput


def _agencies() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        empty_label=_("Choose an agency"),
    )


class StatusReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices, widget=forms.RadioSelect)
    done = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the ministry did for the measure this year. No personal data."),
    )
    spending_nok = forms.IntegerField(
        label=_("Spending (NOK)"), required=False, min_value=0, max_value=10**15
    )
    documents = forms.CharField(
        label=_("Documents"),
        required=False,
        max_length=4_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One link or reference a line."),
    )
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput())


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput())


class ReturnForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it goes back"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Why the final status is reopened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history and in the audit log; a second person approves it again."),
    )


class PortfolioPeriodForm(forms.Form):
    year_from = forms.IntegerField(label=_("From year"), min_value=1990, max_value=2100)
    year_to = forms.IntegerField(label=_("To year"), min_value=1990, max_value=2100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("The last year is before the first."))
        return data


class PortfolioImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (XLSX or CSV)"))


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GroupEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput())


class MemberEditForm(forms.Form):
    readiness_phone = forms.CharField(label=_("24-hour phone"), max_length=40, required=False)
    readiness_email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(
        label=_("Active member"),
        required=False,
        help_text=_("A member who has left keeps their place in earlier meetings' attendance."),
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput())


class MeetingEditForm(forms.Form):
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Present"),
        queryset=GroupMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput())

    def __init__(self, *args: Any, members: list[GroupMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["attendees"])
        field.queryset = GroupMember.objects.filter(pk__in=[m.pk for m in members]).select_related("agency")
        field.label_from_instance = _member_label  # type: ignore[method-assign,assignment]


class MemberForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    user = forms.ModelChoiceField(
        label=_("Varde user (optional)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not a Varde user"),
        help_text=_("A member who is a Varde user sees the group's meetings and minutes."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    readiness_phone = forms.CharField(label=_("24-hour phone"), max_length=40, required=False)
    readiness_email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        users = cast(forms.ModelChoiceField, self.fields["user"])
        users.queryset = (
            User.objects.filter(is_active=True, memberships__is_active=True)
            .distinct()
            .order_by("full_name", "username")
        )


class MeetingForm(forms.Form):
    """A meeting, with (optionally) its first decision and a follow-up task of that decision."""

    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Present"),
        queryset=GroupMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    decision = forms.CharField(label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    task = forms.CharField(label=_("Follow-up task"), required=False, max_length=300)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=GroupMember.objects.none(),
        required=False,
        empty_label=_("Choose a member"),
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = GroupMember.objects.filter(group=group, is_active=True).select_related("agency")
        self.fields["attendees"].queryset = members  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = members  # type: ignore[attr-defined]
        self.fields["attendees"].label_from_instance = _member_label  # type: ignore[attr-defined]
        self.fields["responsible"].label_from_instance = _member_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("task") or data.get("responsible"):  # the due date alone is the form's default
            if not data.get("decision"):
                self.add_error("decision", _("A follow-up task belongs to a decision: write the decision."))
            if not data.get("task"):
                self.add_error("task", _("Describe the task."))
            if not data.get("responsible"):
                self.add_error("responsible", _("Choose who is responsible."))
            if not data.get("due_on"):
                self.add_error("due_on", _("Give a due date."))
        return data


def _member_label(member: GroupMember) -> str:
    return f"{member.name} ({member.agency.name})"


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    task = forms.CharField(label=_("Follow-up task (optional)"), required=False, max_length=300)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=GroupMember.objects.none(),
        required=False,
        empty_label=_("Choose a member"),
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["responsible"])
        field.queryset = GroupMember.objects.filter(group=group, is_active=True).select_related("agency")
        field.label_from_instance = _member_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("task") and not (data.get("responsible") and data.get("due_on")):
            self.add_error(
                "responsible" if not data.get("responsible") else "due_on", _("A task needs who and by when.")
            )
        return data


class IssueForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it about?"), choices=IssueKind.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the problem without names or other personal data; KOM may ask you for more."),
    )


TRIAGE_STATES = [
    (s.value, s.label) for s in (IssueState.ANSWERED, IssueState.TAKEN_TO_GROUP, IssueState.CLOSED)
]


class TriageForm(forms.Form):
    state = forms.ChoiceField(label=_("What KOM does"), choices=TRIAGE_STATES, widget=forms.RadioSelect)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=Group.objects.all(), required=False, empty_label=_("No group")
    )
    answer = forms.CharField(
        label=_("Answer to the reporter"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput())


class CourseForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=300)
    audience = forms.CharField(label=_("Audience"), max_length=300, required=False)


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.all(), empty_label=_("Choose a course")
    )
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class ParticipantForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=TrainingSession.objects.select_related("course"),
        empty_label=_("Choose a session"),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    user = forms.ModelChoiceField(
        label=_("Varde user (optional)"), queryset=User.objects.none(), required=False
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.CharField(label=_("Role"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("full_name", "username")  # type: ignore[attr-defined]


class SeminarForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=Group.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class SeminarParticipantForm(forms.Form):
    seminar = forms.ModelChoiceField(
        label=_("Seminar"), queryset=Seminar.objects.all(), empty_label=_("Choose a seminar")
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]


class LocalUnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    municipality = forms.CharField(label=_("Municipality number"), max_length=4, required=False)
    police_district = forms.CharField(label=_("Police district"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Local unit"), queryset=LocalUnit.objects.all(), empty_label=_("Choose a unit")
    )
    year = forms.IntegerField(label=_("Year of the report"), min_value=2000, max_value=2100)
