"""The identification API: indicator catalogues and the combination rule (any signed-in user: no personal
data), and per case the assessments, age evidence and the presumption of minority (through the access
layer: a case you may not see answers 404).

The same services and the same rule as the pages and the CLI: `evaluate` answers exactly what
`varde assess CATALOGUE_ID --indicators ... --json` prints.

Language: catalogue titles, element titles and indicator texts follow the request's `Accept-Language`
(Bokmål for nb/no/nn, English for en), in the order of preference the header gives; English when the
header names neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from varde.access.cases import case_get_for_user
from varde.access.identification import assessment_get_for_user
from varde.cases.selectors import case_is_child
from varde.core import clock
from varde.identification import selectors, services
from varde.identification.catalogue import (
    EXPLOITATIONS,
    POPULATIONS,
    RULES,
    STRENGTHS,
    catalogue_outline,
    text,
)
from varde.identification.catalogue import catalogue_summary as summary_of
from varde.identification.errors import CatalogueNotApplicable, UnknownCatalogue, UnknownIndicator
from varde.identification.models import (
    AgeEvidence,
    AgeEvidenceKind,
    AgePresumption,
    Assessment,
    Catalogue,
    Conclusion,
    PresumptionReason,
)
from varde.identification.rule import Outcome, evaluate

from .schema import CASE_ID, responses, uuid_path
from .serializers import AgencySerializer
from .views import VardeAPIView

LANGUAGE_NOTE = (
    "Titles and texts are in the language of the request's `Accept-Language` header: Bokmål for `nb`, `no` "
    "or `nn`, English for `en`, in the header's order of preference; English when it names neither."
)


def request_lang(request: Request) -> str:
    """nb or en from Accept-Language, English by default (see LANGUAGE_NOTE)."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        code = code.lower()
        if code.startswith(("nb", "no", "nn")):
            return "nb"
        if code.startswith("en"):
            return "en"
    return "en"


CATALOGUE_ID = OpenApiParameter(
    "catalogue_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^[a-z][a-z0-9_]{0,59}$",
    description="The catalogue's id, e.g. `ilo_adult_labour` (never personal data).",
)
ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="`nb` or `en` (default `en`) for titles and texts.",
)
OUTCOMES = [(o.value, o.value) for o in Outcome]


def _choice_field(
    name: str, choices: list[tuple[str, str]], description: str
) -> Callable[..., serializers.ChoiceField]:
    """A choice field documented as an inline enum. The same field names (`kind`, `conclusion`) carry
    different choice sets elsewhere in the API; wrapped in `allOf`, the enum stays with its field instead of
    becoming a shared component whose name would collide."""

    enum = {"type": "string", "enum": [value for value, _label in choices]}

    @extend_schema_field({"allOf": [enum], "description": description})
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = name
    return Field


RuleOutcomeField = _choice_field(
    "RuleOutcomeField", OUTCOMES, "The combination rule's outcome (never the caseworker's conclusion)."
)
ConclusionField = _choice_field(
    "ConclusionField",
    [(str(v), str(label)) for v, label in Conclusion.choices],
    "The caseworker's own conclusion.",
)
AgeEvidenceKindField = _choice_field(
    "AgeEvidenceKindField",
    [(str(v), str(label)) for v, label in AgeEvidenceKind.choices],
    "The kind of evidence.",
)


# --- serializers ----------------------------------------------------------------------------------------


class CatalogueSummarySerializer(serializers.Serializer):
    """The shape of `varde indicators list --json`."""

    id = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    population = serializers.ChoiceField(choices=list(POPULATIONS))
    exploitation = serializers.ChoiceField(choices=[e for e in EXPLOITATIONS if e], allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, popped by the metaclass


class IndicatorSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    strength = serializers.ChoiceField(choices=list(STRENGTHS))
    help = serializers.CharField(help_text="Plain-language help for the indicator.")  # type: ignore[assignment]


class ElementSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    help = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    indicators = IndicatorSerializer(many=True)


class CatalogueDetailSerializer(CatalogueSummarySerializer):
    """`varde indicators show --json` plus the rule, a note and plain-language help."""

    rule = serializers.ChoiceField(choices=list(RULES))
    note = serializers.CharField(allow_blank=True)
    elements = ElementSerializer(many=True)


class EvaluateInputSerializer(serializers.Serializer):
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=60),
        allow_empty=True,
        max_length=500,
        help_text="The ticked indicator ids.",
    )


class ElementResultSerializer(serializers.Serializer):
    positive = serializers.BooleanField()
    strong = serializers.IntegerField(min_value=0)
    medium = serializers.IntegerField(min_value=0)
    weak = serializers.IntegerField(min_value=0)
    indicators = serializers.ListField(child=serializers.CharField())


class RuleResultSerializer(serializers.Serializer):
    """The shape of `varde assess --json`; the `conclusion` is the rule's, never the caseworker's."""

    catalogue = serializers.CharField()
    version = serializers.IntegerField()
    elements = serializers.DictField(child=ElementResultSerializer(), help_text="Keyed by element id.")
    conclusion = RuleOutcomeField()


class AssessedIndicatorSerializer(IndicatorSerializer):
    ticked = serializers.BooleanField()


class LocalAnswerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    text = serializers.CharField()


class AssessedElementSerializer(ElementResultSerializer):
    id = serializers.CharField()
    title = serializers.CharField()
    help = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    all_indicators = AssessedIndicatorSerializer(many=True)
    local = LocalAnswerSerializer(
        many=True, help_text="The agency's own questions ticked under this element."
    )


class AssessmentSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    catalogue = serializers.CharField(source="catalogue.key")
    version = serializers.IntegerField(source="catalogue.version")
    outcome = RuleOutcomeField()
    conclusion = ConclusionField()
    disagrees = serializers.BooleanField(
        help_text="The caseworker's conclusion differs from the rule's outcome."
    )
    at = serializers.DateTimeField()
    assessed_by = serializers.CharField()
    agency = AgencySerializer()


class AssessmentSerializer(serializers.Serializer):
    """One assessment as made, with the catalogue version it used (assessment_explain)."""

    id = serializers.UUIDField()
    case = serializers.UUIDField()
    catalogue = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, popped by the metaclass
    rule = serializers.ChoiceField(choices=list(RULES))
    population = serializers.ChoiceField(choices=list(POPULATIONS))
    elements = AssessedElementSerializer(many=True)
    local = LocalAnswerSerializer(
        many=True, help_text="The agency's own questions ticked outside any element."
    )
    outcome = RuleOutcomeField()
    conclusion = ConclusionField()
    reasoning = serializers.CharField()
    disagrees = serializers.BooleanField()
    at = serializers.DateTimeField()
    assessed_by = serializers.CharField()
    agency = AgencySerializer()


class AssessmentInputSerializer(serializers.Serializer):
    catalogue = serializers.CharField(max_length=60, help_text="A catalogue id that applies to the case.")
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=60), allow_empty=True, max_length=500
    )
    local_questions = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=100,
        help_text="Your agency's own questions, ticked.",
    )
    conclusion = ConclusionField()
    reasoning = serializers.CharField(max_length=10000)


class AgeEvidenceInputSerializer(serializers.Serializer):
    kind = AgeEvidenceKindField()
    age_min = serializers.IntegerField(
        min_value=0, max_value=120, help_text="The age, or the lowest of a range."
    )
    age_max = serializers.IntegerField(
        min_value=0,
        max_value=120,
        required=False,
        allow_null=True,
        default=None,
        help_text="The highest age of a range.",
    )
    on = serializers.DateField(help_text="The date of the evidence (not in the future).")
    assessed_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    verified = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only for a document checked as genuine: the age is then verified.",
    )

    def validate_on(self, value: Any) -> Any:
        if value > clock.today():
            raise serializers.ValidationError(_("The date cannot be in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("age_max") is not None and attrs["age_max"] < attrs["age_min"]:
            raise serializers.ValidationError(
                {"age_max": [_("The highest age cannot be lower than the lowest.")]}
            )
        if attrs.get("verified") and attrs["kind"] != AgeEvidenceKind.DOCUMENT:
            raise serializers.ValidationError(
                {"verified": [_("Only a document checked as genuine can verify the age.")]}
            )
        return attrs


class AgeEvidenceSerializer(serializers.ModelSerializer):
    kind = AgeEvidenceKindField(read_only=True)
    agency = AgencySerializer(read_only=True)

    class Meta:
        model = AgeEvidence
        fields = [
            "id",
            "kind",
            "age_min",
            "age_max",
            "verified",
            "assessed_by",
            "on",
            "note",
            "recorded_at",
            "agency",
        ]
        read_only_fields = fields


class PresumptionSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=PresumptionReason.choices), read_only=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = AgePresumption
        fields = ["id", "active", "started_at", "reasons", "lifted_at", "lifted_reason", "version"]
        read_only_fields = fields


PRESUMPTION_OUTCOMES = [
    (services.OUTCOME_STARTED, "A presumption began: the case is now a child's case"),
    (services.OUTCOME_ALREADY_PRESUMED, "A presumption was already active"),
    (services.OUTCOME_NO_REASON, "Nothing suggests a child"),
    (services.OUTCOME_VERIFIED_CHILD, "The age is verified under 18: a child's case by fact"),
    (
        services.OUTCOME_VERIFIED_ADULT,
        "The age is verified 18 or over (an active presumption stays until lifted)",
    ),
]


PresumptionOutcomeField = _choice_field(
    "PresumptionOutcomeField",
    PRESUMPTION_OUTCOMES,
    "What the evaluation of the presumption of minority found.",
)


class PresumptionDecisionSerializer(serializers.Serializer):
    outcome = PresumptionOutcomeField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=PresumptionReason.choices))
    presumption = PresumptionSerializer(allow_null=True)


class AgeEvidenceResultSerializer(serializers.Serializer):
    evidence = AgeEvidenceSerializer()
    presumption = PresumptionDecisionSerializer(
        help_text="What the evidence meant for the presumption of minority."
    )
    is_child = serializers.BooleanField(help_text="Whether the case is now a child's case.")


class PresumptionLiftInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the presumption of minority is lifted.")


# --- helpers -------------------------------------------------------------------------------------------------


def _current(catalogue_id: str) -> Catalogue:
    for catalogue in selectors.catalogues_current():
        if catalogue.key == catalogue_id:
            return catalogue
    raise Http404("Not found")


def _detail(catalogue: Catalogue, lang: str) -> dict[str, Any]:
    content = catalogue.content
    outline = catalogue_outline(content, lang, with_help=True)
    return {
        **summary_of(content, lang),
        "rule": content["rule"],
        "note": text(content["note"], lang) if "note" in content else "",
        "elements": outline["elements"],
    }


def _assessment_data(assessment: Assessment, lang: str) -> dict[str, Any]:
    made = selectors.assessment_explain(assessment=assessment, lang=lang)
    return {
        **made,
        "case": assessment.case_id,
        "assessed_by": str(assessment.assessed_by),
        "agency": assessment.agency,
    }


def _invalid(field: str, error: Exception) -> serializers.ValidationError:
    return serializers.ValidationError({field: [str(error)]})


# --- catalogues and the rule (no personal data) ---------------------------------------------------------------


class CatalogueListView(VardeAPIView):
    pagination_class = None  # type: ignore[assignment]  # a short, whole list, as the CLI prints it

    @extend_schema(
        operation_id="indicator_catalogues_list",
        tags=["identification"],
        parameters=[ACCEPT_LANGUAGE],
        responses=responses({200: CatalogueSummarySerializer(many=True)}),
        summary="The indicator catalogues (newest version of each), as `varde indicators list --json`",
        description=LANGUAGE_NOTE,
    )
    def get(self, request: Request) -> Response:
        lang = request_lang(request)
        rows = [summary_of(c.content, lang) for c in selectors.catalogues_current()]
        return Response(CatalogueSummarySerializer(rows, many=True).data)


class CatalogueDetailView(VardeAPIView):
    @extend_schema(
        operation_id="indicator_catalogues_retrieve",
        tags=["identification"],
        parameters=[CATALOGUE_ID, ACCEPT_LANGUAGE],
        responses=responses({200: CatalogueDetailSerializer}, not_found=True),
        summary="One catalogue's elements and indicators with strength and plain-language help",
        description=LANGUAGE_NOTE,
    )
    def get(self, request: Request, catalogue_id: str) -> Response:
        catalogue = _current(catalogue_id)
        return Response(CatalogueDetailSerializer(_detail(catalogue, request_lang(request))).data)


class CatalogueEvaluateView(VardeAPIView):
    @extend_schema(
        operation_id="indicator_catalogues_evaluate",
        tags=["identification"],
        parameters=[CATALOGUE_ID],
        request=EvaluateInputSerializer,
        responses=responses({200: RuleResultSerializer}, body=True, not_found=True),
        summary="Apply the catalogue's combination rule to ticked indicators (saves nothing)",
        description="The same result as `varde assess CATALOGUE_ID --indicators ID,... --json`. An unknown "
        "indicator id answers 400 naming it under `indicators`. The result supports a professional "
        "judgement; it never decides alone.",
    )
    def post(self, request: Request, catalogue_id: str) -> Response:
        catalogue = _current(catalogue_id)
        ids = self.input(EvaluateInputSerializer).validated_data["indicators"]
        try:
            result = evaluate(catalogue.content, ids)
        except UnknownIndicator as error:
            raise _invalid("indicators", error) from None
        return Response(RuleResultSerializer(result.as_dict()).data)


# --- per case, through the access layer -------------------------------------------------------------------------


class CaseAssessmentsView(VardeAPIView):
    serializer_class = AssessmentSummarySerializer

    @extend_schema(
        operation_id="cases_assessments_list",
        tags=["identification"],
        parameters=[CASE_ID],
        responses=responses({200: AssessmentSummarySerializer(many=True)}, not_found=True),
        summary="The case's indicator assessments, newest first",
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        page = self.paginate_queryset(selectors.assessments_for_case(case=case))
        return self.get_paginated_response(AssessmentSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_assessments_record",
        tags=["identification"],
        parameters=[CASE_ID, ACCEPT_LANGUAGE],
        request=AssessmentInputSerializer,
        responses=responses({201: AssessmentSerializer}, body=True, not_found=True),
        summary="Record an assessment: the rule explains, the caseworker concludes",
        description="400 for an unknown catalogue (`catalogue`), a catalogue that does not apply to the case "
        "(adults' lists on a child's case, or the other way round), an unknown indicator (`indicators`), or a "
        "missing conclusion or reasoning; nothing is saved then. A conclusion that differs from the rule is "
        "allowed and recorded as `disagrees`. " + LANGUAGE_NOTE,
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(AssessmentInputSerializer).validated_data
        try:
            assessment = services.assessment_record(
                actor=request.user,  # type: ignore[arg-type]
                case=case,
                catalogue_id=data["catalogue"],
                indicator_ids=data["indicators"],
                conclusion=data["conclusion"],
                reasoning=data["reasoning"],
                local_question_ids=data["local_questions"],
            )
        except (UnknownCatalogue, CatalogueNotApplicable) as error:
            raise _invalid("catalogue", error) from None
        except UnknownIndicator as error:
            raise _invalid("indicators", error) from None
        assessment = selectors.assessment_with_people(assessment=assessment)
        body = AssessmentSerializer(_assessment_data(assessment, request_lang(request))).data
        return Response(body, status=status.HTTP_201_CREATED)


class AssessmentDetailView(VardeAPIView):
    @extend_schema(
        operation_id="assessments_retrieve",
        tags=["identification"],
        parameters=[uuid_path("assessment_id", "The assessment's id."), ACCEPT_LANGUAGE],
        responses=responses({200: AssessmentSerializer}, not_found=True),
        summary="One assessment exactly as made, with the catalogue version it used",
        description=LANGUAGE_NOTE,
    )
    def get(self, request: Request, assessment_id: str) -> Response:
        assessment = assessment_get_for_user(user=request.user, assessment_id=assessment_id)  # type: ignore[arg-type]
        assessment = selectors.assessment_with_people(assessment=assessment)
        return Response(AssessmentSerializer(_assessment_data(assessment, request_lang(request))).data)


class CaseAgeEvidenceView(VardeAPIView):
    @extend_schema(
        operation_id="cases_age_evidence_record",
        tags=["identification"],
        parameters=[CASE_ID],
        request=AgeEvidenceInputSerializer,
        responses=responses({201: AgeEvidenceResultSerializer}, body=True, not_found=True),
        summary="Record age evidence; the presumption of minority is evaluated at once",
        description="When the age is uncertain and there are reasons to believe the person is a child, the case "
        "is treated as a child's case until the age is verified (Council of Europe Convention Art. 10(3)).",
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(AgeEvidenceInputSerializer).validated_data
        evidence = services.age_evidence_record(actor=request.user, case=case, **data)  # type: ignore[arg-type]
        decision = services.presumption_evaluate(actor=request.user, case=case)  # type: ignore[arg-type]
        evidence = selectors.age_evidence_with_agency(evidence=evidence)
        body = {
            "evidence": evidence,
            "presumption": {
                "outcome": decision.outcome,
                "reasons": decision.reasons,
                "presumption": decision.presumption,
            },
            "is_child": case_is_child(case=case),
        }
        return Response(AgeEvidenceResultSerializer(body).data, status=status.HTTP_201_CREATED)


class CasePresumptionLiftView(VardeAPIView):
    @extend_schema(
        operation_id="cases_presumption_lift",
        tags=["identification"],
        parameters=[CASE_ID],
        request=PresumptionLiftInputSerializer,
        responses=responses({200: PresumptionSerializer}, body=True, not_found=True, conflict=True),
        summary="Lift the presumption of minority, with a reason (audited)",
        description="400 when there is no active presumption, the reason is empty, or the age is verified as "
        "under 18.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        reason = self.input(PresumptionLiftInputSerializer).validated_data["reason"]
        presumption = services.presumption_lift(actor=request.user, case=case, reason=reason)  # type: ignore[arg-type]
        return Response(PresumptionSerializer(presumption).data)
