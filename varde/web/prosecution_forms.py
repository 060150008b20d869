"""Forms for the criminal-case pages. Thin: they parse input; the services of varde.prosecution decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency
from varde.cases.models import Case, ExploitationForm
from varde.prosecution.models import (
    FIRST_STAGES,
    CooperationKind,
    DropReason,
    Network,
    NetworkRole,
    Offence,
    Outcome,
    ParticipantRole,
    Stage,
    VictimRole,
)
from varde.statistics.police_districts import districts
from varde.web.forms import DateInput

CHOOSE = ("", _("Choose"))


def district_choices() -> list[tuple[str, str]]:
    lang = "nb" if (get_language() or "nb").startswith(("nb", "no", "nn")) else "en"
    return [("", str(CHOOSE[1]))] + [(code, names[lang]) for code, names in districts().items()]


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput())


class CriminalCaseForm(forms.Form):
    police_district = forms.ChoiceField(label=_("Police district"), choices=())
    offence = forms.ChoiceField(label=_("Offence"), choices=[CHOOSE, *Offence.choices])
    facts_date = forms.DateField(
        label=_("Time of the facts"),
        widget=DateInput(),
        help_text=_("When the offence was committed. It decides the section of law in force."),
    )
    first_stage = forms.ChoiceField(
        label=_("First stage"),
        choices=[(s, label) for s, label in Stage.choices if s in FIRST_STAGES],
        initial=Stage.INVESTIGATION_OPENED,
        widget=forms.RadioSelect,
    )
    opened_on = forms.DateField(label=_("Date of the first stage"), widget=DateInput())
    police_case_number = forms.CharField(
        label=_("Police case number (optional)"), max_length=40, required=False
    )
    exploitation_form = forms.ChoiceField(
        label=_("Form of exploitation"),
        choices=[("", _("Not known yet")), *ExploitationForm.choices],
        required=False,
    )
    notes = forms.CharField(
        label=_("Investigation notes (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the police and prosecution taking part in the criminal case."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["police_district"].choices = district_choices()  # type: ignore[attr-defined]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Next stage"), choices=[CHOOSE, *Stage.choices])
    on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("Why it was dropped"),
        choices=[("", _("Only for a dropped case")), *DropReason.choices],
        required=False,
    )
    court = forms.CharField(
        label=_("Court"), max_length=200, required=False, help_text=_("For a trial, a verdict or an appeal.")
    )
    outcome = forms.ChoiceField(
        label=_("Outcome of the verdict"),
        choices=[("", _("Only for a verdict")), *Outcome.choices],
        required=False,
    )
    version = _version()


class TrialForm(forms.Form):
    trial_on = forms.DateField(label=_("Trial date"), widget=DateInput())
    court = forms.CharField(label=_("Court"), max_length=200)
    version = _version()


class FactsForm(forms.Form):
    police_case_number = forms.CharField(label=_("Police case number"), max_length=40, required=False)
    exploitation_form = forms.ChoiceField(
        label=_("Form of exploitation"),
        choices=[("", _("Not known yet")), *ExploitationForm.choices],
        required=False,
    )
    confiscated_nok = forms.IntegerField(
        label=_("Confiscated proceeds (NOK)"),
        help_text=_("Whole kroner, never negative."),
    )
    notes = forms.CharField(
        label=_("Investigation notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = _version()


class VictimLinkForm(forms.Form):
    case = forms.ModelChoiceField(
        label=_("Victim's case"), queryset=Case.objects.none(), empty_label=_("Choose a case")
    )
    role = forms.ChoiceField(
        label=_("The person's role"),
        choices=VictimRole.choices,
        initial=VictimRole.AGGRIEVED_PARTY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        field.queryset = cases  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.reference  # type: ignore[attr-defined]


class PerpetratorForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("The name, or the name the police use for the person.")
    )
    nationality = forms.CharField(
        label=_("Nationality (optional)"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code, e.g. RO."),
    )
    role = forms.ChoiceField(label=_("Role in the network"), choices=[CHOOSE, *NetworkRole.choices])
    network = forms.ModelChoiceField(
        label=_("Network (optional)"), queryset=Network.objects.none(), required=False, empty_label=_("None")
    )
    police_district = forms.ChoiceField(
        label=_("Registered in police district"),
        choices=(),
        required=False,
        help_text=_("Leave empty for the criminal case's own district."),
    )

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["network"]
        field.queryset = networks  # type: ignore[attr-defined]
        field.label_from_instance = lambda n: n.name  # type: ignore[attr-defined]
        self.fields["police_district"].choices = district_choices()  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[CHOOSE, *Outcome.choices])
    sentence_months = forms.IntegerField(label=_("Prison sentence (months)"), min_value=0, required=False)
    sentence_text = forms.CharField(label=_("Sentence"), max_length=300, required=False)
    version = _version()


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Network name"), max_length=200)
    countries = forms.CharField(
        label=_("Countries"),
        max_length=200,
        required=False,
        help_text=_("Two-letter country codes, separated by commas."),
    )

    def country_list(self) -> list[str]:
        return [c for c in self.cleaned_data.get("countries", "").replace(";", ",").split(",") if c.strip()]


class CooperationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of cooperation"), choices=[CHOOSE, *CooperationKind.choices])
    country = forms.CharField(
        label=_("Country (optional)"), max_length=2, required=False, help_text=_("Two-letter country code.")
    )
    started_on = forms.DateField(label=_("From"), widget=DateInput())
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class ParticipantForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.ASSISTING
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies.order_by("name")  # type: ignore[attr-defined]


class FiguresForm(forms.Form):
    first_year = forms.IntegerField(label=_("From year"), min_value=1990, max_value=2100)
    last_year = forms.IntegerField(label=_("To year"), min_value=1990, max_value=2100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_year") and data.get("last_year") and data["last_year"] < data["first_year"]:
            self.add_error("last_year", _("The last year is before the first."))
        return data
