"""Forms for the coordinated-response pages. Thin: they validate input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency
from varde.accounts.selectors import agencies_active
from varde.cases.models import Case
from varde.cases.selectors import agencies_taking_part
from varde.persons.codes import country_choices
from varde.response.models import LegalStatusKind, MissingFrom, MissingStatus, PlacementKind
from varde.response.plans import DecisionInput
from varde.web.forms import DateInput

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


class LegalStatusForm(forms.Form):
    kind = forms.ChoiceField(label=_("Status"), choices=[("", _("Choose"))] + list(LegalStatusKind.choices))
    from_date = forms.DateField(label=_("From"), widget=DateInput())
    to_date = forms.DateField(label=_("To (optional)"), widget=DateInput(), required=False)
    contact_ceased = forms.BooleanField(label=_("Contact with the traffickers has ceased"), required=False)
    traffickers_reported = forms.BooleanField(
        label=_("The traffickers are reported to the police"), required=False
    )
    police_investigating = forms.BooleanField(label=_("The police are investigating"), required=False)
    presence_needed = forms.BooleanField(label=_("The person's presence is needed"), required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False)

    def criteria(self) -> dict[str, bool] | None:
        """The four criteria, only for temporary residence for cooperating with the police."""
        if self.cleaned_data.get("kind") != LegalStatusKind.TEMPORARY_RESIDENCE:
            return None
        return {c: bool(self.cleaned_data.get(c)) for c in CRITERIA}
