"""API serializers: thin shapes over the models and the services' input dataclasses.

Output serializers only read what the access layer already handed out. Input serializers validate
everything a client sends (types, lengths, enums, ISO codes, dates) so that bad input is a 400 with
field messages and never reaches a service as something it cannot handle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from varde.accounts.models import Agency, AgencyKind, Membership, Role, User
from varde.accounts.selectors import agencies_active
from varde.cases.models import (
    Case,
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    ClosureReason,
    Consent,
    CriminalityKind,
    ExploitationForm,
    LabourSector,
    MetHow,
    Referral,
    StatusChange,
)
from varde.cases.services import DocumentInput, NameInput, ReportInput
from varde.core import clock, hygiene
from varde.persons import validators
from varde.persons.models import (
    AgeCertainty,
    DocumentType,
    IdentityDocument,
    NameKind,
    Person,
    PersonName,
    PhoneNumber,
    Script,
    Sex,
)

EARLIEST_DATE = dt.date(1900, 1, 1)
EARLIEST_REFERRAL = dt.date(1990, 1, 1)


def _django(validator: Any) -> Any:
    """Run one of varde.persons.validators and turn its Django error into a DRF field error."""

    def run(value: Any) -> None:
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    return run


def _not_future(value: dt.date) -> None:
    if value > clock.today():
        raise serializers.ValidationError(_("The date cannot be in the future."))


def _not_before(earliest: dt.date) -> Any:
    def check(value: dt.date) -> None:
        if value < earliest:
            raise serializers.ValidationError(_("The date is too far in the past."))

    return check


def _optional_choice(choices: Any) -> serializers.ChoiceField:
    """An output enum that may be empty: declared so the schema allows "" (schemathesis checks it)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


def _person_by(user: User | None) -> str:
    return str(user) if user else ""


# --- output: the directory and the signed-in user -------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["agency", "role"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    memberships = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    can_work_with_cases = serializers.BooleanField(read_only=True)
    is_coordinator = serializers.BooleanField(read_only=True)

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        return MembershipSerializer(user.active_memberships, many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Role.choices)))
    def get_roles(self, user: User) -> list[str]:
        return sorted(user.roles()) if user.is_active else []


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False, style={"input_type": "password"})
    otp_code = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        default="",
        help_text="The 6-digit code from the authenticator app; required for caseworkers, coordinators "
        "and administrators.",
    )


class ReauthSerializer(serializers.Serializer):
    """Password and a fresh code, sent with requests that export or break the glass."""

    password = serializers.CharField(
        max_length=1024, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    otp_code = serializers.CharField(max_length=6, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


# --- output: persons ------------------------------------------------------------------------------


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonName
        fields = ["id", "kind", "given", "family", "script"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdentityDocument
        fields = ["id", "doc_type", "number", "issuing_country", "suspected_false"]
        read_only_fields = fields


class PhoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhoneNumber
        fields = ["id", "number", "note"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    names = PersonNameSerializer(many=True, read_only=True)
    display_name = serializers.CharField(read_only=True)
    nationalities = serializers.ListField(child=serializers.CharField(), read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    age = serializers.SerializerMethodField()
    age_is_uncertain = serializers.BooleanField(read_only=True)
    is_presumed_child = serializers.SerializerMethodField()
    documents = DocumentSerializer(many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    estimated_age_certainty = _optional_choice(AgeCertainty.choices)

    class Meta:
        model = Person
        fields = [
            "id",
            "display_name",
            "names",
            "sex",
            "date_of_birth",
            "estimated_age",
            "estimated_age_certainty",
            "age_estimated_on",
            "age",
            "age_is_uncertain",
            "is_presumed_child",
            "nationalities",
            "languages",
            "national_id",
            "documents",
            "phones",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_age(self, person: Person) -> int | None:
        return person.age_on()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_presumed_child(self, person: Person) -> bool:
        return person.is_presumed_child()


class CaseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference"]
        read_only_fields = fields


class PersonDetailSerializer(PersonSerializer):
    cases = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "cases"]
        read_only_fields = fields

    @extend_schema_field(CaseRefSerializer(many=True))
    def get_cases(self, person: Person) -> list[dict[str, Any]]:
        """Only the cases the caller may see: the view passes them in (never all of the person's cases)."""
        return CaseRefSerializer(self.context.get("visible_cases", []), many=True).data  # type: ignore[return-value]


# --- output: cases --------------------------------------------------------------------------------


class CaseListSerializer(serializers.ModelSerializer):
    lead_agency = AgencySerializer(read_only=True)
    person_name = serializers.SerializerMethodField(
        help_text="Null in a coordinator's national list for cases they have not opened (break-the-glass)."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_person_name(self, case: Case) -> str | None:
        if not getattr(case, "personal_access", True):
            return None
        return case.person.display_name

    class Meta:
        model = Case
        fields = ["id", "reference", "status", "lead_agency", "is_child", "opened_at", "person_name"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    reporting_agency = AgencySerializer(read_only=True)
    reported_by = serializers.SerializerMethodField()
    exploitation_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices), read_only=True
    )
    met_how = _optional_choice(MetHow.choices)
    labour_sector = _optional_choice(LabourSector.choices)
    criminality_kind = _optional_choice(CriminalityKind.choices)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reporting_agency",
            "reported_by",
            "referral_date",
            "met_how",
            "met_where",
            "municipality",
            "exploitation_forms",
            "labour_sector",
            "criminality_kind",
            "description",
            "external_id",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_reported_by(self, referral: Referral) -> str:
        return _person_by(referral.reported_by)


class ParticipationSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)
    consent = serializers.UUIDField(source="consent_id", read_only=True, allow_null=True)

    class Meta:
        model = CaseParticipation
        fields = [
            "id",
            "agency",
            "state",
            "is_lead",
            "invited_at",
            "invitation_note",
            "responded_at",
            "consent",
            "version",
        ]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    agency_kind = _optional_choice(AgencyKind.choices)

    class Meta:
        model = Consent
        fields = [
            "id",
            "agency",
            "agency_kind",
            "purpose",
            "given_on",
            "withdrawn_on",
            "is_active",
            "version",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    by_agency = AgencySerializer(read_only=True)
    from_status = _optional_choice(CaseStatus.choices)
    closure_reason = _optional_choice(ClosureReason.choices)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "closure_reason", "reason", "by", "by_agency", "at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_by(self, change: StatusChange) -> str:
        return _person_by(change.by)


class CaseDetailSerializer(serializers.ModelSerializer):
    lead_agency = AgencySerializer(read_only=True)
    person = PersonSerializer(read_only=True)
    referrals = ReferralSerializer(many=True, read_only=True)
    participants = ParticipationSerializer(source="participations", many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    closure_reason = _optional_choice(ClosureReason.choices)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "closure_reason",
            "is_child",
            "opened_at",
            "lead_agency",
            "version",
            "person",
            "referrals",
            "participants",
            "consents",
            "status_history",
        ]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    by_agency = AgencySerializer(read_only=True, allow_null=True)
    about_agency = AgencySerializer(read_only=True, allow_null=True)
    data = serializers.DictField(read_only=True)  # type: ignore[assignment]  # popped by the metaclass

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "at", "by", "by_agency", "about_agency", "text", "data"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_by(self, event: CaseEvent) -> str:
        return _person_by(event.by)


class InvitationSerializer(serializers.ModelSerializer):
    """An open invitation: enough to decide, never personal data (no names, no notes, no free text)."""

    case_id = serializers.UUIDField(read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    is_child = serializers.BooleanField(source="case.is_child", read_only=True)
    lead_agency = AgencySerializer(source="case.lead_agency", read_only=True)
    inviting_agency = serializers.SerializerMethodField()
    agency = AgencySerializer(read_only=True)

    class Meta:
        model = CaseParticipation
        fields = [
            "id",
            "case_id",
            "case_reference",
            "is_child",
            "agency",
            "lead_agency",
            "inviting_agency",
            "state",
            "invited_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(AgencySerializer(allow_null=True))
    def get_inviting_agency(self, participation: CaseParticipation) -> dict[str, Any] | None:
        agency = self.context.get("inviting_agencies", {}).get(participation.pk)
        return AgencySerializer(agency).data if agency else None  # type: ignore[return-value]


# --- input ----------------------------------------------------------------------------------------


def _agency_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=agencies_active(), pk_field=serializers.UUIDField(), **kwargs
    )


class NameInputSerializer(serializers.Serializer):
    given = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        validators=[_django(hygiene.validate_name)],
    )
    family = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        validators=[_django(hygiene.validate_name)],
    )
    kind = serializers.ChoiceField(choices=NameKind.choices, required=False, default=NameKind.PRIMARY)
    script = serializers.ChoiceField(choices=Script.choices, required=False, default=Script.LATIN)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("given") or attrs.get("family")):
            raise serializers.ValidationError({"given": [_("Give at least a given or a family name.")]})
        return attrs


class DocumentInputSerializer(serializers.Serializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    number = serializers.CharField(max_length=60)
    issuing_country = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        default="",
        validators=[_django(validators.validate_country)],
    )
    suspected_false = serializers.BooleanField(required=False, default=False)


class PersonInputSerializer(serializers.Serializer):
    names = NameInputSerializer(many=True, required=False, default=list, max_length=20)  # type: ignore[call-arg]
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[_not_future, _not_before(EARLIEST_DATE)]
    )
    estimated_age = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True, default=None
    )
    estimated_age_certainty = serializers.ChoiceField(
        choices=AgeCertainty.choices, required=False, allow_blank=True, default=""
    )
    nationalities = serializers.ListField(
        child=serializers.CharField(max_length=2, validators=[_django(validators.validate_country)]),
        required=False,
        default=list,
        max_length=10,
        help_text="ISO 3166 alpha-2 codes, e.g. NG",
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3, validators=[_django(validators.validate_language)]),
        required=False,
        default=list,
        max_length=20,
        help_text="ISO 639 codes (alpha-2 or alpha-3), e.g. en",
    )
    national_id = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Norwegian fødselsnummer or D-number (11 digits)",
    )
    phones = serializers.ListField(
        child=serializers.CharField(max_length=30, validators=[_django(validators.validate_phone)]),
        required=False,
        default=list,
        max_length=10,
    )
    documents = DocumentInputSerializer(many=True, required=False, default=list, max_length=10)  # type: ignore[call-arg]

    def validate_national_id(self, value: str) -> str:
        compact = validators.compact_national_id(value)
        _django(validators.validate_national_id)(compact)
        return compact

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("date_of_birth") and attrs.get("estimated_age") is not None:
            raise serializers.ValidationError(
                {"estimated_age": [_("Give a date of birth or an estimated age, not both.")]}
            )
        if attrs.get("estimated_age_certainty") and attrs.get("estimated_age") is None:
            raise serializers.ValidationError(
                {"estimated_age_certainty": [_("A certainty only goes with an estimated age.")]}
            )
        return attrs


class ReferralInputSerializer(serializers.Serializer):
    reporting_agency = _agency_field(help_text="One of your agencies (coordinators: any active agency).")
    referral_date = serializers.DateField(validators=[_not_future, _not_before(EARLIEST_REFERRAL)])
    met_how = serializers.ChoiceField(choices=MetHow.choices, required=False, allow_blank=True, default="")
    met_where = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    municipality = serializers.CharField(
        max_length=4,
        required=False,
        allow_blank=True,
        default="",
        validators=[_django(validators.validate_municipality)],
        help_text="Kommunenummer, e.g. 0301",
    )
    exploitation_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices),
        required=False,
        default=list,
        max_length=len(ExploitationForm.choices),
    )
    labour_sector = serializers.ChoiceField(
        choices=LabourSector.choices, required=False, allow_blank=True, default=""
    )
    criminality_kind = serializers.ChoiceField(
        choices=CriminalityKind.choices, required=False, allow_blank=True, default=""
    )
    description = serializers.CharField(
        max_length=10000,
        required=False,
        allow_blank=True,
        default="",
        validators=[_django(hygiene.validate_text)],
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        forms = set(attrs.get("exploitation_forms", []))
        errors: dict[str, list[str]] = {}
        if attrs.get("labour_sector") and ExploitationForm.FORCED_LABOUR not in forms:
            errors["labour_sector"] = [str(_("A labour sector goes with suspected forced labour."))]
        if attrs.get("criminality_kind") and ExploitationForm.FORCED_CRIMINALITY not in forms:
            errors["criminality_kind"] = [
                str(_("A kind of criminality goes with suspected forced criminality."))
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CaseReportSerializer(serializers.Serializer):
    """Report a possible victim: the person as met, and the referral from the reporting agency."""

    person = PersonInputSerializer()
    referral = ReferralInputSerializer()
    confirm_new_case = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Save a new case although your agency probably has the person in an earlier case. "
        "Without it, such a report answers 409 with those cases (`possible_match`) and saves nothing.",
    )

    def to_report_input(self) -> tuple[Agency, ReportInput]:
        person = self.validated_data["person"]
        referral = self.validated_data["referral"]
        data = ReportInput(
            referral_date=referral["referral_date"],
            names=[NameInput(**n) for n in person["names"]],
            sex=person["sex"],
            date_of_birth=person["date_of_birth"],
            estimated_age=person["estimated_age"],
            estimated_age_certainty=person["estimated_age_certainty"],
            nationalities=list(dict.fromkeys(c.upper() for c in person["nationalities"])),
            languages=list(dict.fromkeys(c.lower() for c in person["languages"])),
            national_id=person["national_id"],
            phones=person["phones"],
            documents=[DocumentInput(**d) for d in person["documents"]],
            met_how=referral["met_how"],
            met_where=referral["met_where"],
            municipality=referral["municipality"],
            exploitation_forms=referral["exploitation_forms"],
            labour_sector=referral["labour_sector"],
            criminality_kind=referral["criminality_kind"],
            description=referral["description"],
        )
        return referral["reporting_agency"], data


class PossibleMatchSerializer(serializers.Serializer):
    """An earlier case of the reporting agency that probably is the person reported (one you may open)."""

    id = serializers.UUIDField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    status = serializers.ChoiceField(source="case.status", choices=CaseStatus.choices)
    opened_at = serializers.DateTimeField(source="case.opened_at")
    matched_by = serializers.ListField(
        child=serializers.ChoiceField(choices=["phone", "document", "name"]),
        help_text="What agrees: the phone number, a document or national identity number, or the name "
        "with a compatible birth date or age and sex.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["matched_by"] = sorted(instance.matched_by)
        return data


class PossibleMatchesSerializer(serializers.Serializer):
    """409 from reporting: nothing saved; your agency probably has the person already."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="`possible_match`")
    matches = PossibleMatchSerializer(many=True)


class StatusChangeInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    reason = serializers.CharField(max_length=2000)
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True, default=""
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The case's version as last read; a stale one answers 409.",
    )


class InviteInputSerializer(serializers.Serializer):
    agency = _agency_field()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ConsentInputSerializer(serializers.Serializer):
    agency = _agency_field(required=False, allow_null=True, default=None)
    agency_kind = serializers.ChoiceField(
        choices=AgencyKind.choices, required=False, allow_blank=True, default=""
    )
    purpose = serializers.CharField(max_length=300)
    given_on = serializers.DateField(validators=[_not_future, _not_before(EARLIEST_REFERRAL)])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("agency") is None) == (not attrs.get("agency_kind")):
            raise serializers.ValidationError(
                {"agency": [_("Give either one agency or one kind of agency that the consent covers.")]}
            )
        return attrs


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000, validators=[_django(hygiene.validate_text)])


class BreakGlassInputSerializer(ReauthSerializer):
    reason = serializers.CharField(
        min_length=20,
        max_length=2000,
        help_text="Why you must open the case; read by its lead agency and the auditors.",
    )


class BreakGlassSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    case = serializers.UUIDField(source="case_id", read_only=True)
    at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class ExportRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=10, max_length=2000)


class ExportRequestSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    scope = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, allow_null=True, default=None
    )
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    used_at = serializers.DateTimeField(read_only=True, allow_null=True)
