"""Forms for anonymous notifications (issue 22). Thin: they parse input; the services of
varde.identification.anonymous decide (the date's limits, the codes, who may record)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency
from varde.cases.models import ExploitationForm
from varde.core import clock
from varde.identification.models import AgeBand, WithdrawalReason
from varde.persons import codes, validators
from varde.persons.models import Sex
from varde.web.forms import AgencyChoiceMixin, DateInput


class AnonymousNotificationForm(AgencyChoiceMixin, forms.Form):
    """What an agency may write down about an adult who declines help: codes and a date, nothing that
    identifies the person (there is no field for a name, a phone number or a note, on purpose)."""

    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), empty_label=None)
    noticed_on = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        help_text=_("The day your agency met the person or learned of them."),
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=AgeBand.choices,
        initial=AgeBand.UNKNOWN_ADULT,
        widget=forms.RadioSelect,
        help_text=_("Only adults. If the person may be under 18, report a possible victim instead."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, required=False, initial=Sex.UNKNOWN, widget=forms.RadioSelect
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Suspected forms of exploitation"),
        choices=ExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one."),
        error_messages={"required": _("Choose at least one form of exploitation.")},
    )
    municipality = forms.CharField(
        label=_("Municipality number"),
        max_length=4,
        required=False,
        validators=[validators.validate_municipality],
        help_text=_("Where the person was met: four digits, e.g. 0301 for Oslo"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_agencies(agencies)
        if self._only_agency is None and agencies:
            self.fields["agency"].initial = agencies[0].pk
        self._choice("nationality").choices = [("", _("Not known")), *codes.country_choices()]
        self.fields["noticed_on"].initial = clock.today()

    def record_arguments(self) -> dict[str, Any]:
        """The service's keyword arguments (all but the actor)."""
        d = self.cleaned_data
        return {
            "agency": d["agency"],
            "noticed_on": d["noticed_on"],
            "age_band": d["age_band"],
            "sex": d["sex"] or "",
            "nationality": d["nationality"] or "",
            "exploitation_forms": list(d["exploitation_forms"]),
            "municipality": d["municipality"].strip(),
        }


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why the notification is withdrawn"),
        choices=WithdrawalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the notification is withdrawn.")},
    )
