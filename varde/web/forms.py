"""Forms for the pages. Thin: they validate input and build the inputs the services take."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, AgencyKind, Role
from varde.accounts.selectors import agencies_active, agencies_among
from varde.cases.models import (
    TRANSITIONS,
    Case,
    CaseStatus,
    ClosureReason,
    CriminalityKind,
    ExploitationForm,
    LabourSector,
    MetHow,
)
from varde.cases.selectors import agencies_invitable
from varde.cases.services import DocumentInput, NameInput, ReportInput
from varde.core import clock, hygiene
from varde.persons import codes, validators
from varde.persons.models import AgeCertainty, DocumentType, NameKind, Script, Sex
from varde.web.widgets import CodePicker


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field if the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TypedFieldsMixin:
    """Typed access to fields whose choices or queryset are set per request."""

    fields: dict[str, forms.Field]

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def _model_choice(self, name: str) -> forms.ModelChoiceField:
        return cast(forms.ModelChoiceField, self.fields[name])


class AgencyChoiceMixin(TypedFieldsMixin):
    """An "agency" field offering the user's agencies (the report and the anonymous notification): with
    one agency it is hidden and taken as given."""

    _only_agency: Agency | None

    def _offer_agencies(self, agencies: list[Agency]) -> None:
        self._model_choice("agency").queryset = agencies_among(agencies)
        self._only_agency = agencies[0] if len(agencies) == 1 else None
        if self._only_agency is not None:
            self.fields["agency"].initial = self._only_agency.pk
            self.fields["agency"].required = False
            self.fields["agency"].widget = forms.HiddenInput()

    def clean_agency(self) -> Agency | None:
        cleaned: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return cleaned.get("agency") or self._only_agency


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SignInForm(AuthenticationForm):
    """Django's authentication form; the view audits its outcome."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class OTPForm(forms.Form):
    """The one-time code from the authenticator app (6 digits)."""

    otp_code = forms.CharField(
        label=_("One-time code"),
        help_text=_("The 6 digits your authenticator app shows for Varde."),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_otp_code(self) -> str:
        code = self.cleaned_data["otp_code"].strip().replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits from your authenticator app."))
        return code


class ReauthForm(OTPForm):
    """Password and a fresh code, before an export or break-the-glass."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "otp_code"]


class ReportForm(AgencyChoiceMixin, forms.Form):
    """Report a possible victim: one page, only what is known now; everything but the date may be empty."""

    agency = forms.ModelChoiceField(
        label=_("Reporting agency"), queryset=Agency.objects.none(), empty_label=None
    )
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        validators=[hygiene.validate_name],
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        validators=[hygiene.validate_name],
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("If the date of birth is not known. Under 18 makes this a child's case."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    estimated_age_certainty = forms.ChoiceField(
        label=_("Certainty of the estimate"),
        required=False,
        choices=_blank(_("Not given")) + list(AgeCertainty.choices),
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False, widget=CodePicker("country"))
    language = forms.ChoiceField(label=_("Language"), required=False, widget=CodePicker("language"))
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        validators=[validators.validate_phone],
        help_text=_("A foreign number with + and its country code, e.g. +234 803 123 4567."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    national_id = forms.CharField(
        label=_("Norwegian national identity number or D-number"),
        max_length=14,
        required=False,
        validators=[validators.validate_national_id],
        help_text=_("11 digits"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    document_type = forms.ChoiceField(
        label=_("Document type"),
        required=False,
        choices=_blank(_("No document")) + list(DocumentType.choices),
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    document_country = forms.ChoiceField(
        label=_("Issuing country"), required=False, widget=CodePicker("country")
    )
    document_suspected_false = forms.BooleanField(
        label=_("The document is suspected to be false"), required=False
    )
    referral_date = forms.DateField(label=_("Referral date"), widget=DateInput())
    municipality = forms.CharField(
        label=_("Municipality number"),
        max_length=4,
        required=False,
        validators=[validators.validate_municipality],
        help_text=_("Four digits, e.g. 0301 for Oslo"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    met_how = forms.ChoiceField(
        label=_("How the person was met"),
        required=False,
        choices=_blank(_("Not given")) + list(MetHow.choices),
    )
    met_where = forms.CharField(label=_("Where the person was met"), max_length=200, required=False)
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Suspected forms of exploitation"),
        required=False,
        choices=ExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    labour_sector = forms.ChoiceField(
        label=_("Labour sector (forced labour)"),
        required=False,
        choices=_blank(_("Not given")) + list(LabourSector.choices),
    )
    criminality_kind = forms.ChoiceField(
        label=_("Kind of forced criminality"),
        required=False,
        choices=_blank(_("Not given")) + list(CriminalityKind.choices),
    )
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=10000,
        help_text=_("Only what the other agencies in the case need to know."),
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[hygiene.validate_text],
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_agencies(agencies)
        countries = codes.country_choices()
        self._choice("nationality").choices = _blank(_("Not known")) + countries
        self._choice("document_country").choices = _blank(_("Not known")) + countries
        self._choice("language").choices = _blank(_("Not known")) + codes.language_choice_groups()
        self.fields["referral_date"].initial = clock.today()

    def clean_national_id(self) -> str:
        return validators.compact_national_id(self.cleaned_data["national_id"])

    def clean_referral_date(self) -> dt.date:
        value = self.cleaned_data["referral_date"]
        if value > clock.today():
            raise ValidationError(_("The referral date cannot be in the future."))
        return value

    def clean_date_of_birth(self) -> dt.date | None:
        value = self.cleaned_data["date_of_birth"]
        if value and value > clock.today():
            raise ValidationError(_("The date of birth cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_of_birth") and data.get("estimated_age") is not None:
            self.add_error("estimated_age", _("Give a date of birth or an estimated age, not both."))
        if data.get("document_number") and not data.get("document_type"):
            self.add_error("document_type", _("Choose the type of the document."))
        if data.get("document_type") and not data.get("document_number"):
            self.add_error("document_number", _("Give the document number."))
        forms_chosen = set(data.get("exploitation_forms") or [])
        if data.get("labour_sector") and ExploitationForm.FORCED_LABOUR not in forms_chosen:
            self.add_error(
                "labour_sector",
                _("Choose forced labour as a form of exploitation, or leave the sector empty."),
            )
        if data.get("criminality_kind") and ExploitationForm.FORCED_CRIMINALITY not in forms_chosen:
            self.add_error(
                "criminality_kind",
                _("Choose forced criminality as a form of exploitation, or leave the kind empty."),
            )
        return data

    def to_input(self) -> ReportInput:
        d = self.cleaned_data
        documents = []
        if d["document_number"]:
            documents.append(
                DocumentInput(
                    doc_type=d["document_type"],
                    number=d["document_number"].strip(),
                    issuing_country=d["document_country"],
                    suspected_false=d["document_suspected_false"],
                )
            )
        return ReportInput(
            referral_date=d["referral_date"],
            names=[NameInput(given=d["given_name"].strip(), family=d["family_name"].strip())],
            sex=d["sex"] or "",
            date_of_birth=d["date_of_birth"],
            estimated_age=d["estimated_age"],
            estimated_age_certainty=d["estimated_age_certainty"],
            nationalities=[d["nationality"]] if d["nationality"] else [],
            languages=[d["language"]] if d["language"] else [],
            national_id=d["national_id"],
            phones=[d["phone"].strip()] if d["phone"] else [],
            documents=documents,
            met_how=d["met_how"],
            met_where=d["met_where"].strip(),
            municipality=d["municipality"],
            exploitation_forms=list(d["exploitation_forms"]),
            labour_sector=d["labour_sector"],
            criminality_kind=d["criminality_kind"],
            description=d["description"].strip(),
        )


class StatusForm(TypedFieldsMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"),
        required=False,
        choices=_blank(_("Only when closing")) + list(ClosureReason.choices),
    )
    reason = forms.CharField(
        label=_("Why the status changes"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(case.status, frozenset())
        if self.is_bound and self.data.get(self.add_prefix("version")) != str(case.version):
            # A form made for an earlier version of the case: its choice is judged by the service,
            # which answers the conflict (409), not "choose a valid option" judged on the status
            # someone else has saved meanwhile (issue 21).
            allowed = frozenset(CaseStatus)
        self._choice("status").choices = [(s.value, s.label) for s in CaseStatus if s in allowed]
        self.fields["version"].initial = case.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == CaseStatus.CLOSED and not data.get("closure_reason"):
            self.add_error("closure_reason", _("Say why the case is closed."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[hygiene.validate_text],
    )


class InviteForm(TypedFieldsMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    note = forms.CharField(label=_("Why the agency is invited"), max_length=300, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._model_choice("agency").queryset = agencies_invitable(case=case)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why the access is revoked"), max_length=300)


class ConsentForm(TypedFieldsMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Any agency of the kind below"),
    )
    agency_kind = forms.ChoiceField(
        label=_("Or every agency of this kind"),
        required=False,
        choices=_blank(_("Not a kind, the agency above")) + list(AgencyKind.choices),
    )
    purpose = forms.CharField(label=_("What may be shared, and why"), max_length=300)
    given_on = forms.DateField(label=_("Consent given on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._model_choice("agency").queryset = agencies_active()
        self.fields["given_on"].initial = clock.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("agency") and not data.get("agency_kind"):
            self.add_error("agency", _("Say which agency, or which kind of agency, the consent covers."))
        if data.get("agency") and data.get("agency_kind"):
            self.add_error("agency_kind", _("Choose an agency or a kind of agency, not both."))
        return data


class NameForm(forms.Form):
    given = forms.CharField(
        label=_("Given name"), max_length=200, required=False, validators=[hygiene.validate_name]
    )
    family = forms.CharField(
        label=_("Family name"), max_length=200, required=False, validators=[hygiene.validate_name]
    )
    kind = forms.ChoiceField(label=_("Kind of name"), choices=NameKind.choices, initial=NameKind.ALIAS)
    script = forms.ChoiceField(label=_("Script"), choices=Script.choices, initial=Script.LATIN)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        refused = "given" in self.errors or "family" in self.errors  # already told why
        if not refused and not (data.get("given", "").strip() or data.get("family", "").strip()):
            self.add_error("given", _("Give at least a given or a family name."))
        return data

    def to_input(self) -> NameInput:
        d = self.cleaned_data
        return NameInput(given=d["given"], family=d["family"], kind=d["kind"], script=d["script"])


# --- agency administration ------------------------------------------------------------------------


class AgencyForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Short stable identifier, e.g. oslo-pd-stop")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)
    municipality = forms.CharField(
        label=_("Municipality number"),
        max_length=4,
        required=False,
        validators=[validators.validate_municipality],
    )


class NewMemberForm(TypedFieldsMixin, forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and . @ + - _ only"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("role").choices = [(r, Role(r).label) for r in roles]


class RoleForm(TypedFieldsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("role").choices = [(r, Role(r).label) for r in roles]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())


class AgencyContactForm(forms.Form):
    """An agency's 24-hour contact, as varde.response.notifications.agency_contact_set takes it."""

    on_call_phone = forms.CharField(
        label=_("On-call phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Notification e-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    hours = forms.CharField(
        label=_("Opening hours"), max_length=100, required=False, help_text=_("e.g. 24/7 or 08-16 weekdays")
    )
    always_open = forms.BooleanField(label=_("Answers around the clock"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)


class LocalQuestionForm(TypedFieldsMixin, forms.Form):
    """An agency's own question. Choices: the shipped catalogues and their elements, grouped by catalogue."""

    catalogue_id = forms.ChoiceField(label=_("Catalogue"))
    element_id = forms.ChoiceField(
        label=_("Element"),
        required=False,
        help_text=_("The question is shown under this element. Leave empty for a section of its own."),
    )
    text_nb = forms.CharField(label=_("Question in Bokmål"), max_length=300)
    text_en = forms.CharField(label=_("Question in English"), max_length=300)
    help_nb = forms.CharField(
        label=_("Help in Bokmål"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    help_en = forms.CharField(
        label=_("Help in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        catalogues: list[tuple[str, str]],
        elements: list[tuple[str, list[tuple[str, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choice("catalogue_id").choices = [*_blank(_("Choose a catalogue")), *catalogues]
        self._choice("element_id").choices = [*_blank(_("No element: a section of its own")), *elements]
