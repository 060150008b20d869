"""Forms for the coordinated-response pages. Thin: they validate input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from varde.accounts.models import Agency
from varde.accounts.selectors import agencies_active
from varde.cases.models import Case
from varde.cases.selectors import agencies_taking_part
from varde.persons.codes import country_choices, country_name
from varde.response.models import (
    CooperationState,
    DecidingAuthority,
    FollowUpOutcome,
    LegalStatus,
    LegalStatusKind,
    MissingFrom,
    MissingStatus,
    PlacementKind,
    ReturnOrganisation,
    Risk,
    Situation,
    VoluntaryReturn,
)
from varde.response.plans import DecisionInput
from varde.response.returns import follow_up_stages
from varde.response.rules import status_spec
from varde.web.forms import DateInput
from varde.web.widgets import CodePicker

CRITERIA = ("contact_ceased", "traffickers_reported", "police_investigating", "presence_needed")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _when(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=DateTimeInput(), help_text=_("Norwegian time.")
    )


def _case_agencies(case: Case) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Responsible agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    field.queryset = agencies_taking_part(case=case)
    return field


class ClockReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput())


class ClockExtendForm(ClockReasonForm):
    days = forms.IntegerField(label=_("Extra days"), min_value=0, max_value=366, required=False)
    months = forms.IntegerField(label=_("Extra months"), min_value=0, max_value=24, required=False)
    field_order = ["days", "months", "reason", "version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("days") or data.get("months")):
            self.add_error("days", _("Give a number of days or months."))
        return data


class ClockMeetForm(forms.Form):
    reason = forms.CharField(label=_("What was done (optional)"), max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput())


class PlacementForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of place"), choices=[("", _("Choose"))] + list(PlacementKind.choices)
    )
    from_at = _when(_("From"))
    description = forms.CharField(label=_("Place (optional)"), max_length=200, required=False)


class MissingForm(forms.Form):
    missing_from = forms.ChoiceField(
        label=_("Missing from"), choices=[("", _("Choose"))] + list(MissingFrom.choices)
    )
    last_seen_at = _when(_("Last seen"))
    reported_to_police_at = _when(_("Reported to the police (if already done)"), required=False)


class MissingCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in MissingStatus if s != MissingStatus.MISSING],
    )
    at = _when(_("When"))
    country = forms.ChoiceField(
        label=_("Country (when located abroad)"),
        required=False,
        choices=(),
        help_text=_("Where abroad the person is."),
        widget=CodePicker("country"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country: Any = self.fields["country"]
        country.choices = [("", _("Not abroad"))] + [
            (code, name) for code, name in country_choices() if code != "NO"
        ]


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=300)
    responsible_agency = forms.ModelChoiceField(label=_("Responsible agency"), queryset=Agency.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_agency"] = _case_agencies(case)


class TaskDoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())


DECISION_SLOTS = 3


class DecisionsForm(forms.Form):
    """Up to three decisions of a meeting at once, each of which may become a task for an agency
    taking part in the meeting (or the case)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = agencies_active()
        for i in range(1, DECISION_SLOTS + 1):
            self.fields[f"decision_{i}"] = forms.CharField(
                label=_("Decision %(n)d") % {"n": i},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"task_title_{i}"] = forms.CharField(
                label=_("Task decision %(n)d creates (optional)") % {"n": i}, max_length=300, required=False
            )
            self.fields[f"responsible_agency_{i}"] = forms.ModelChoiceField(
                label=_("Responsible agency (decision %(n)d)") % {"n": i},
                queryset=agencies,
                required=False,
                empty_label=_("No task"),
            )
            self.fields[f"due_date_{i}"] = forms.DateField(
                label=_("Due date (decision %(n)d)") % {"n": i}, widget=DateInput(), required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, DECISION_SLOTS + 1):
            if data.get(f"task_title_{i}"):
                if not data.get(f"decision_{i}"):
                    self.add_error(f"decision_{i}", _("Write the decision the task comes from."))
                if not data.get(f"responsible_agency_{i}"):
                    self.add_error(f"responsible_agency_{i}", _("A task needs a responsible agency."))
                if not data.get(f"due_date_{i}"):
                    self.add_error(f"due_date_{i}", _("A task needs a due date."))
        return data

    def decisions(self) -> list[DecisionInput]:
        d = self.cleaned_data
        return [
            DecisionInput(
                text=d[f"decision_{i}"],
                task_title=d.get(f"task_title_{i}") or "",
                responsible_agency=d.get(f"responsible_agency_{i}"),
                due_date=d.get(f"due_date_{i}"),
            )
            for i in range(1, DECISION_SLOTS + 1)
            if d.get(f"decision_{i}")
        ]


class MeetingForm(DecisionsForm):
    held_at = _when(_("Held (or planned for)"))
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating agencies"), queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["participants"]).queryset = agencies_active()
        self.order_fields(["held_at", "participants"])


def _kind_choices() -> list[Any]:
    """The legal-status kinds grouped as the rules class them: applications, decisions, statuses."""
    groups: dict[str, list[tuple[str, Any]]] = {"application": [], "decision": [], "status": []}
    for value, label in LegalStatusKind.choices:
        groups[str(status_spec(value).get("role", "status"))].append((value, label))
    return [
        ("", _("Choose")),
        (_("Applications"), groups["application"]),
        (_("Decisions"), groups["decision"]),
        (_("Statuses"), groups["status"]),
    ]


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        entry = cast(LegalStatus, obj)
        return f"{entry.get_kind_display()}, {entry.from_date.strftime('%d.%m.%Y')}"


class LegalStatusForm(forms.Form):
    """An application, a decision or a status on the legal-status timeline. A decision decides the
    pending application named (else the oldest pending one of its kind); the service decides."""

    kind = forms.ChoiceField(label=_("Application, decision or status"), choices=())
    from_date = forms.DateField(
        label=_("Date"), widget=DateInput(), help_text=_("Of the application, the decision or the status.")
    )
    to_date = forms.DateField(label=_("To (optional)"), widget=DateInput(), required=False)
    authority = forms.ChoiceField(
        label=_("Deciding authority"),
        required=False,
        choices=[("", _("Not given (for a decision: as the rules say)"))] + list(DecidingAuthority.choices),
    )
    application = ApplicationChoiceField(
        label=_("The application the decision decides"),
        queryset=LegalStatus.objects.none(),
        required=False,
        empty_label=_("The oldest pending application of the same kind"),
    )
    reason = forms.CharField(
        label=_("Reason given (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    criteria = forms.MultipleChoiceField(
        label=_("Criteria met (temporary residence for cooperating with the police only)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("contact_ceased", _("Contact with the traffickers has ceased")),
            ("traffickers_reported", _("The traffickers are reported to the police")),
            ("police_investigating", _("The police are investigating")),
            ("presence_needed", _("The person's presence is needed")),
        ],
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False)

    def __init__(self, *args: Any, applications: QuerySet[LegalStatus] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = _kind_choices()
        if applications is None or not applications.exists():
            del self.fields["application"]  # nothing pending: a decision stands alone
        else:
            cast(forms.ModelChoiceField, self.fields["application"]).queryset = applications

    def criteria_met(self) -> dict[str, bool] | None:
        """The four criteria, only for a kind that has them (temporary residence for cooperating)."""
        kind = self.cleaned_data.get("kind")
        if not kind or not status_spec(kind).get("criteria"):
            return None
        met = set(self.cleaned_data.get("criteria") or [])
        return {c: c in met for c in CRITERIA}


class PoliceCooperationForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Where the cooperation stands"), choices=CooperationState.choices, widget=forms.RadioSelect
    )
    on_date = forms.DateField(label=_("As of"), widget=DateInput())
    note = forms.CharField(
        label=_("Note (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _country_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Country of return"), choices=(), widget=CodePicker("country"))


class ReturnPlanForm(forms.Form):
    """The plan of a voluntary return. The two checks of a child's return are shown for a child's case
    (the return itself cannot be recorded without them)."""

    organisation = forms.ChoiceField(
        label=_("Organisation that assists the return"),
        choices=ReturnOrganisation.choices,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(
        label=_("Name of the organisation (when not IOM)"), max_length=200, required=False
    )
    country = _country_field()
    planned_on = forms.DateField(label=_("Planned date"), widget=DateInput())
    escort = forms.BooleanField(label=_("Escorted on the journey"), required=False)
    reception = forms.CharField(
        label=_("Reception at home (optional)"),
        help_text=_("Who meets the person, and where they will live."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guardian_consulted = forms.BooleanField(label=_("The guardian has been consulted"), required=False)
    best_interests_assessed = forms.BooleanField(
        label=_("Child welfare has assessed the child's best interests"), required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, child: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [("", _("Choose a country"))] + [
            (code, name) for code, name in country_choices() if code != "NO"
        ]
        self.child = child
        if child:
            help_text = _("Both are needed before a child's return can be recorded.")
            self.fields["best_interests_assessed"].help_text = help_text
        else:
            del self.fields["guardian_consulted"]
            del self.fields["best_interests_assessed"]

    def plan(self) -> dict[str, Any]:
        """The plan's fields for the services (the two child checks only in a child's case)."""
        d = self.cleaned_data
        fields = {
            "organisation": d["organisation"],
            "organisation_name": d.get("organisation_name") or "",
            "country": d["country"],
            "planned_on": d["planned_on"],
            "escort": bool(d.get("escort")),
            "reception": d.get("reception") or "",
            "note": d.get("note") or "",
        }
        if self.child:
            fields["guardian_consulted"] = bool(d.get("guardian_consulted"))
            fields["best_interests_assessed"] = bool(d.get("best_interests_assessed"))
        return fields


class _ReturnRef(forms.Form):
    """Which return (hidden, among the case's returns the user may see) and the version it was read at."""

    voluntary_return = forms.ModelChoiceField(
        queryset=VoluntaryReturn.objects.none(), widget=forms.HiddenInput()
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, returns: QuerySet[VoluntaryReturn], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["voluntary_return"]).queryset = returns


class ReturnChangeForm(_ReturnRef, ReturnPlanForm):
    def __init__(
        self, *args: Any, returns: QuerySet[VoluntaryReturn], child: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, returns=returns, child=child, **kwargs)


class ReturnRecordForm(_ReturnRef):
    returned_on = forms.DateField(label=_("Date of the return"), widget=DateInput())
    field_order = ["returned_on", "voluntary_return", "version"]


class ReturnCancelForm(_ReturnRef):
    reason = forms.CharField(
        label=_("Why the return is cancelled"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["reason", "voluntary_return", "version"]


def stage_label(months: int) -> str:
    return ngettext("%(n)d month after the return", "%(n)d months after the return", months) % {"n": months}


class ReturnChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        ret = cast(VoluntaryReturn, obj)
        day = ret.returned_on or ret.planned_on
        return f"{country_name(ret.country)}, {day.strftime('%d.%m.%Y')}"


class FollowUpForm(forms.Form):
    """The outcome of one follow-up after a return (at 3, 6 and 12 months by default)."""

    voluntary_return = ReturnChoiceField(
        label=_("Which return"), queryset=VoluntaryReturn.objects.none(), empty_label=None
    )
    stage = forms.TypedChoiceField(label=_("Follow-up"), coerce=int, choices=())
    on_date = forms.DateField(label=_("Followed up on"), widget=DateInput())
    outcome = forms.ChoiceField(
        label=_("Was the person reached?"), choices=FollowUpOutcome.choices, widget=forms.RadioSelect
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=Situation.choices, initial=Situation.UNKNOWN)
    income = forms.ChoiceField(label=_("Income"), choices=Situation.choices, initial=Situation.UNKNOWN)
    education_work = forms.ChoiceField(
        label=_("Education or work"), choices=Situation.choices, initial=Situation.UNKNOWN
    )
    health = forms.ChoiceField(label=_("Health"), choices=Situation.choices, initial=Situation.UNKNOWN)
    re_trafficking_risk = forms.ChoiceField(
        label=_("Risk of re-trafficking"), choices=Risk.choices, initial=Risk.UNKNOWN
    )
    note = forms.CharField(
        label=_("Note (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    SITUATION = ("housing", "income", "education_work", "health", "re_trafficking_risk")

    def __init__(self, *args: Any, returns: QuerySet[VoluntaryReturn], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["voluntary_return"])
        field.queryset = returns
        if returns.count() == 1:
            field.widget = forms.HiddenInput()
            if not self.is_bound:
                self.initial.setdefault("voluntary_return", returns.get().pk)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            (m, stage_label(m)) for m in follow_up_stages()
        ]
