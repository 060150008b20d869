"""Forms for identification: an assessment with a catalogue, age evidence, lifting the presumption.

Thin: they validate input; the services in varde.identification.services decide and write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from varde.core import clock
from varde.identification.models import AgeEvidenceKind, Conclusion
from varde.web.forms import DateInput, TypedFieldsMixin


class AssessmentForm(TypedFieldsMixin, forms.Form):
    """The ticks of one catalogue version, the agency's local questions and the caseworker's conclusion.

    The checkboxes are drawn by the template, grouped by element; the fields here only validate them."""

    indicators = forms.MultipleChoiceField(
        label=_("Indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )
    local_questions = forms.MultipleChoiceField(
        label=_("Your agency's own questions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    conclusion = forms.ChoiceField(
        label=_("Your conclusion"),
        choices=Conclusion.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Your own professional judgement. You may conclude differently from the indicators: "
            "say why in your reasoning."
        ),
    )
    reasoning = forms.CharField(
        label=_("Your reasoning"),
        max_length=10000,
        help_text=_(
            "What you base the conclusion on: what the person told, what you saw, other information."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    catalogue_version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(
        self, *args: Any, indicator_ids: list[str], local_question_ids: list[str], version: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choice("indicators").choices = [(i, i) for i in indicator_ids]
        self._choice("local_questions").choices = [(q, q) for q in local_question_ids]
        self.fields["catalogue_version"].initial = version


class AgeEvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of evidence"), choices=AgeEvidenceKind.choices, widget=forms.RadioSelect
    )
    age_min = forms.IntegerField(
        label=_("Age, or the lowest age of a range"),
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    age_max = forms.IntegerField(
        label=_("Highest age of the range"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("Only for a range, e.g. an age assessment's result of 17 to 21."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    assessed_by = forms.CharField(
        label=_("Who assessed or issued it"),
        max_length=200,
        required=False,
        help_text=_("The body or profession, e.g. a dental age assessment service or the issuing country."),
    )
    on = forms.DateField(label=_("Date of the evidence"), widget=DateInput())
    verified = forms.BooleanField(
        label=_("A document checked as genuine (the age is then verified)"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = clock.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", _("The highest age cannot be lower than the lowest."))
        if data.get("verified") and data.get("kind") and data["kind"] != AgeEvidenceKind.DOCUMENT:
            self.add_error("verified", _("Only a document checked as genuine can verify the age."))
        return data


class PresumptionLiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the presumption of minority is lifted"),
        max_length=2000,
        help_text=_("For example: a genuine identity document shows the person is 18 or over."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
