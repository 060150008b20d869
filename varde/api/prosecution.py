"""The criminal-case API: list and open criminal cases, read one (with or without its investigation
details, by who asks), record a stage, schedule the trial, update the facts, link a victim's case, add
a perpetrator and record a person's outcome and sentence, register or link a network, record
cross-border cooperation, take another police or prosecution agency in; a victim's case's criminal
proceedings as the victim's caseworker sees them; the figures.

The same services and access rules as the pages (varde.prosecution, varde.access.prosecution): a
criminal case you may not see answers 404; a KOM coordinator reads it without details and may not act
in it (403); the police and prosecution taking part see and do everything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from varde.access import prosecution as reads
from varde.access.cases import case_get_for_user, cases_visible_to
from varde.cases.acting import is_case_user
from varde.cases.models import ExploitationForm
from varde.core.errors import NotPermitted
from varde.prosecution import services
from varde.prosecution.acting import may_open_criminal_cases
from varde.prosecution.models import (
    FIRST_STAGES,
    CooperationKind,
    CriminalCase,
    DropReason,
    NetworkRole,
    Offence,
    Outcome,
    ParticipantRole,
    Stage,
    VictimRole,
)

from .identification import _choice_field
from .schema import CASE_ID, responses, uuid_path
from .views import VardeAPIView


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in enum.choices]


OffenceField = _choice_field(
    "OffenceField", _choices(Offence), "The offence (its section follows the time of the facts)."
)
StageField = _choice_field("StageField", _choices(Stage), "A stage of the criminal case.")
FirstStageField = _choice_field(
    "FirstStageField",
    [c for c in _choices(Stage) if c[0] in FIRST_STAGES],
    "The stage a criminal case starts at.",
)
OutcomeField = _choice_field("OutcomeField", _choices(Outcome), "The outcome of a verdict.")
DropReasonField = _choice_field("DropReasonField", _choices(DropReason), "Why the case was dropped.")
VictimRoleField = _choice_field(
    "VictimRoleField", _choices(VictimRole), "The person's role in the criminal case."
)
NetworkRoleField = _choice_field(
    "NetworkRoleField", _choices(NetworkRole), "The person's role in the network."
)
CooperationKindField = _choice_field(
    "CooperationKindField",
    _choices(CooperationKind),
    "Europol, Eurojust, a joint investigation team or a foreign police.",
)
ParticipantRoleField = _choice_field(
    "ParticipantRoleField", _choices(ParticipantRole), "The agency's role in the criminal case."
)
FormField = _choice_field(
    "CriminalExploitationField", _choices(ExploitationForm), "The form of exploitation."
)

CRIMINAL_CASE_ID = uuid_path("criminal_case_id", "The criminal case's id.")
LINK_ID = uuid_path("link_id", "The perpetrator's link to the criminal case (`perpetrators[].link_id`).")
MAX_VERSION = 2**31 - 1  # versions stay within the database's integers


# --- serializers ------------------------------------------------------------------------------------------


class CriminalCaseInputSerializer(serializers.Serializer):
    police_district = serializers.CharField(max_length=20, help_text="A police district code (12 districts).")
    offence = OffenceField()
    facts_date = serializers.DateField(
        help_text="When the offence was committed: decides the section of law."
    )
    opened_on = serializers.DateField(help_text="The date of the first stage.")
    first_stage = FirstStageField(required=False, default=Stage.INVESTIGATION_OPENED)
    police_case_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    exploitation_form = FormField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class StageInputSerializer(serializers.Serializer):
    stage = StageField()
    on = serializers.DateField()
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    reason = DropReasonField(required=False, allow_blank=True, default="")
    court = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    outcome = OutcomeField(required=False, allow_blank=True, default="")


class FactsInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    confiscated_nok = serializers.IntegerField(
        min_value=-(2**62), max_value=2**62, help_text="Proceeds confiscated, NOK (never negative: 400)."
    )
    police_case_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    exploitation_form = FormField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class VictimLinkInputSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text="The victim's case (one you may open).")
    role = VictimRoleField()


class PerpetratorInputSerializer(serializers.Serializer):
    """Either a new suspect (`name`, `role`, ...) or a person known from another criminal case you take
    part in (`perpetrator`); a person of another police district needs that district taking part."""

    perpetrator = serializers.UUIDField(required=False, help_text="A perpetrator you may see, to link.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = NetworkRoleField(required=False, allow_blank=True, default="")
    nationality = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    police_district = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Default: the case's own district.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("perpetrator") is None:
            missing = {
                f: ["This field is required."] for f in ("name", "role") if not attrs.get(f, "").strip()
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class TrialInputSerializer(serializers.Serializer):
    trial_on = serializers.DateField(help_text="The trial's date (after a charge or an appeal).")
    court = serializers.CharField(max_length=200)
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)


class OutcomeInputSerializer(serializers.Serializer):
    outcome = OutcomeField()
    version = serializers.IntegerField(
        min_value=0, max_value=MAX_VERSION, help_text="The link's version (`perpetrators[].version`)."
    )
    sentence_months = serializers.IntegerField(
        min_value=0, max_value=12 * 100, required=False, allow_null=True
    )
    sentence_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NetworkInputSerializer(serializers.Serializer):
    """Either a new network (`name`, `countries`) or one known from another criminal case you take
    part in (`network`)."""

    network = serializers.UUIDField(required=False, help_text="A network you may see, to link.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2), max_length=50, required=False, default=list
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("network") is None and not attrs.get("name", "").strip():
            raise serializers.ValidationError({"name": ["Give the network a name, or the network to link."]})
        return attrs


class CooperationInputSerializer(serializers.Serializer):
    kind = CooperationKindField()
    started_on = serializers.DateField()
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ParticipantInputSerializer(serializers.Serializer):
    agency = serializers.UUIDField(help_text="An active police or prosecution agency not yet taking part.")
    role = ParticipantRoleField()


class StageEntrySerializer(serializers.Serializer):
    stage = StageField()
    on = serializers.DateField()
    court = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)


class VictimLinkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    case_reference = serializers.CharField()
    role = VictimRoleField()
    version = serializers.IntegerField()


class PerpetratorSerializer(serializers.Serializer):
    link_id = serializers.UUIDField()
    perpetrator_id = serializers.UUIDField()
    name = serializers.CharField()
    nationality = serializers.CharField(allow_blank=True)
    role = NetworkRoleField()
    police_district = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    sentence_months = serializers.IntegerField(allow_null=True)
    sentence_text = serializers.CharField(allow_blank=True)
    network_id = serializers.UUIDField(allow_null=True)
    version = serializers.IntegerField()


class NetworkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())


class CooperationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = CooperationKindField()
    country = serializers.CharField(allow_blank=True)
    started_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True)


class ParticipantSerializer(serializers.Serializer):
    agency_id = serializers.UUIDField()
    agency = serializers.CharField()
    role = ParticipantRoleField()
    is_lead = serializers.BooleanField()


class CriminalCaseListSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    police_district = serializers.CharField()
    offence = OffenceField()
    stage = StageField()
    stage_on = serializers.DateField()
    details = serializers.BooleanField(help_text="Whether you see the investigation details.")


class CriminalCaseSerializer(serializers.Serializer):
    """A criminal case. `details` false (a KOM coordinator): police_case_number, notes, perpetrators,
    networks and cooperation are empty; the counts still say how many there are."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    details = serializers.BooleanField()
    police_district = serializers.CharField()
    police_case_number = serializers.CharField(allow_blank=True)
    offence = OffenceField()
    offence_section = serializers.CharField(help_text="The section of law in force at the time of the facts.")
    facts_date = serializers.DateField()
    exploitation_form = serializers.CharField(allow_blank=True)
    stage = StageField()
    stage_on = serializers.DateField()
    outcome = serializers.CharField(allow_blank=True)
    trial_on = serializers.DateField(allow_null=True)
    trial_court = serializers.CharField(allow_blank=True)
    confiscated_nok = serializers.IntegerField()
    dates_approximate = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    stages = StageEntrySerializer(many=True)
    victim_links = VictimLinkSerializer(many=True)
    perpetrators = PerpetratorSerializer(many=True)
    networks = NetworkSerializer(many=True)
    cooperation = CooperationSerializer(many=True)
    participants = ParticipantSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    version = serializers.IntegerField()


class ProceedingSerializer(serializers.Serializer):
    """A criminal case as the victim's caseworker sees it: never the suspects."""

    reference = serializers.CharField()
    role = VictimRoleField()
    stage = StageField()
    stage_on = serializers.DateField()
    trial_on = serializers.DateField(allow_null=True)
    trial_court = serializers.CharField(allow_blank=True)
    police_district = serializers.CharField()


def _body(view: reads.CriminalCaseView) -> dict[str, Any]:
    c = view.case
    return {
        "id": c.pk,
        "reference": c.reference,
        "details": view.details,
        "police_district": c.police_district,
        "police_case_number": c.police_case_number if view.details else "",
        "offence": c.offence,
        "offence_section": c.offence_section,
        "facts_date": c.facts_date,
        "exploitation_form": c.exploitation_form,
        "stage": c.stage,
        "stage_on": c.stage_on,
        "outcome": c.outcome,
        "trial_on": c.trial_on,
        "trial_court": c.trial_court,
        "confiscated_nok": c.confiscated_nok,
        "dates_approximate": c.dates_approximate,
        "notes": c.notes if view.details else "",
        "stages": [
            {"stage": s.stage, "on": s.on, "court": s.court, "outcome": s.outcome, "reason": s.reason}
            for s in view.stages
        ],
        "victim_links": [
            {
                "id": v.pk,
                "case_id": v.case_id,
                "case_reference": v.case.reference,
                "role": v.role,
                "version": v.version,
            }
            for v in view.victim_links
        ],
        "perpetrators": [
            {
                "link_id": p.pk,
                "perpetrator_id": p.perpetrator_id,
                "name": p.perpetrator.name,
                "nationality": p.perpetrator.nationality,
                "role": p.perpetrator.role,
                "police_district": p.perpetrator.police_district,
                "outcome": p.outcome,
                "sentence_months": p.sentence_months,
                "sentence_text": p.sentence_text,
                "network_id": p.perpetrator.network_id,
                "version": p.version,
            }
            for p in view.perpetrator_links
        ]
        if view.details
        else [],
        # The view carries networks and cooperation only with the details (access.prosecution).
        "networks": [{"id": n.pk, "name": n.name, "countries": n.countries} for n in view.networks],
        "cooperation": [
            {"id": c.pk, "kind": c.kind, "country": c.country, "started_on": c.started_on, "note": c.note}
            for c in view.cooperations
        ],
        "participants": [
            {"agency_id": p.agency_id, "agency": p.agency.name, "role": p.role, "is_lead": p.is_lead}
            for p in view.participants
        ],
        "counts": view.counts,
        "version": c.version,
    }


def _read(request: Request, criminal_case_id: str) -> reads.CriminalCaseView:
    if not reads.may_use_criminal_cases(request.user):  # type: ignore[arg-type]
        raise Http404("Not found")
    return reads.criminal_case_get_for_user(user=request.user, criminal_case_id=criminal_case_id)  # type: ignore[arg-type]


def _acting(request: Request, criminal_case_id: str) -> reads.CriminalCaseView:
    """A write: a coordinator, who sees the case without its details, may not act in it (403)."""
    view = _read(request, criminal_case_id)
    if not view.details:
        raise NotPermitted("Only the police and prosecution taking part in the criminal case may do this.")
    return view


def _fresh(request: Request, criminal_case: CriminalCase, code: int = status.HTTP_200_OK) -> Response:
    view = reads.criminal_case_get_for_user(user=request.user, criminal_case_id=criminal_case.pk)  # type: ignore[arg-type]
    return Response(CriminalCaseSerializer(_body(view)).data, status=code)


# --- views ------------------------------------------------------------------------------------------------


class CriminalCaseListView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_list",
        tags=["prosecution"],
        responses=responses({200: CriminalCaseListSerializer(many=True)}, not_found=True),
        summary="Criminal cases you may see: yours (police, prosecution), or all without details (KOM)",
        description="404 for anyone who does not work with criminal cases.",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        if not reads.may_use_criminal_cases(user):  # type: ignore[arg-type]
            raise Http404("Not found")
        qs = reads.criminal_cases_listed_for(user=user).order_by("-stage_on", "reference")  # type: ignore[arg-type]
        page = list(self.paginate_queryset(qs) or [])
        rows = [
            {
                "id": c.pk,
                "reference": c.reference,
                "police_district": c.police_district,
                "offence": c.offence,
                "stage": c.stage,
                "stage_on": c.stage_on,
                "details": bool(c.details),  # type: ignore[attr-defined]
            }
            for c in page
        ]
        return self.get_paginated_response(CriminalCaseListSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="criminal_cases_open",
        tags=["prosecution"],
        request=CriminalCaseInputSerializer,
        responses=responses({201: CriminalCaseSerializer}, body=True, not_found=True),
        summary="Open a criminal case (police and prosecution caseworkers; 404 for anyone else)",
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not may_open_criminal_cases(user):  # type: ignore[arg-type]
            raise Http404("Not found")
        data = self.input(CriminalCaseInputSerializer).validated_data
        criminal_case = services.criminal_case_open(actor=user, data=services.CriminalCaseInput(**data))  # type: ignore[arg-type]
        return _fresh(request, criminal_case, status.HTTP_201_CREATED)


class CriminalCaseDetailView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_read",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        responses=responses({200: CriminalCaseSerializer}, not_found=True),
        summary="A criminal case: with its details for the police and prosecution taking part, without for KOM",
    )
    def get(self, request: Request, criminal_case_id: str) -> Response:
        return Response(CriminalCaseSerializer(_body(_read(request, criminal_case_id))).data)


class CriminalCaseStagesView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_stage",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=StageInputSerializer,
        responses=responses({200: CriminalCaseSerializer}, body=True, not_found=True, conflict=True),
        summary="Record the next stage (400 naming the field when the stage rule refuses it)",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        data = self.input(StageInputSerializer).validated_data
        done = services.stage_record(actor=request.user, criminal_case=view.case, **data)  # type: ignore[arg-type]
        return _fresh(request, done)


class CriminalCaseFactsView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_facts",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=FactsInputSerializer,
        responses=responses({200: CriminalCaseSerializer}, body=True, not_found=True, conflict=True),
        summary="Update the police case number, form of exploitation, confiscated proceeds and notes",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        data = self.input(FactsInputSerializer).validated_data
        done = services.criminal_case_update(actor=request.user, criminal_case=view.case, **data)  # type: ignore[arg-type]
        return _fresh(request, done)


class CriminalCaseVictimsView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_link_victim",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=VictimLinkInputSerializer,
        responses=responses({201: CriminalCaseSerializer}, body=True, not_found=True),
        summary="Link a victim's case you may open: the person as aggrieved party, witness or not involved",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        data = self.input(VictimLinkInputSerializer).validated_data
        victim = cases_visible_to(user=request.user).filter(pk=data["case"]).first()  # type: ignore[arg-type]
        if victim is None:
            raise ValidationError({"case": ["No such victim's case, or one you may not see."]})
        services.victim_link_add(actor=request.user, criminal_case=view.case, case=victim, role=data["role"])  # type: ignore[arg-type]
        return _fresh(request, view.case, status.HTTP_201_CREATED)


class CriminalCasePerpetratorsView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_add_perpetrator",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=PerpetratorInputSerializer,
        responses=responses({201: CriminalCaseSerializer}, body=True, not_found=True),
        summary="Register a suspect in the criminal case, or link one known from another (their district must take part)",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        data = dict(self.input(PerpetratorInputSerializer).validated_data)
        user = request.user
        known = data.pop("perpetrator", None)
        if known is not None:
            perpetrator = reads.perpetrators_open_to(user=user).filter(pk=known).first()  # type: ignore[arg-type]
            if perpetrator is None:
                raise ValidationError({"perpetrator": ["No such perpetrator, or one you may not see."]})
            services.perpetrator_link(actor=user, criminal_case=view.case, perpetrator=perpetrator)  # type: ignore[arg-type]
        else:
            services.perpetrator_add(actor=user, criminal_case=view.case, **data)  # type: ignore[arg-type]
        return _fresh(request, view.case, status.HTTP_201_CREATED)


class CriminalCaseTrialView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_trial",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=TrialInputSerializer,
        responses=responses({200: CriminalCaseSerializer}, body=True, not_found=True, conflict=True),
        summary="Schedule the trial: its date and court (after a charge or an appeal)",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        d = self.input(TrialInputSerializer).validated_data
        done = services.trial_schedule(
            actor=request.user,  # type: ignore[arg-type]
            criminal_case=view.case,
            on=d["trial_on"],
            court=d["court"],
            version=d["version"],
        )
        return _fresh(request, done)


class PerpetratorOutcomeView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_perpetrator_outcome",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID, LINK_ID],
        request=OutcomeInputSerializer,
        responses=responses({200: CriminalCaseSerializer}, body=True, not_found=True, conflict=True),
        summary="Record a person's outcome (after a verdict) and the sentence of a convicted one",
    )
    def post(self, request: Request, criminal_case_id: str, link_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        link = reads.perpetrator_link_get_for_user(user=request.user, link_id=link_id)  # type: ignore[arg-type]
        if link.criminal_case_id != view.case.pk:
            raise Http404("Not found")
        d = self.input(OutcomeInputSerializer).validated_data
        services.perpetrator_outcome_record(actor=request.user, link=link, **d)  # type: ignore[arg-type]
        return _fresh(request, view.case)


class CriminalCaseNetworksView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_network",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=NetworkInputSerializer,
        responses=responses({201: CriminalCaseSerializer}, body=True, not_found=True),
        summary="Register a network (a name and its countries) on the case, or link one you may see",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        d = self.input(NetworkInputSerializer).validated_data
        user = request.user
        if d.get("network") is not None:
            network = reads.networks_open_to(user=user).filter(pk=d["network"]).first()  # type: ignore[arg-type]
            if network is None:
                raise ValidationError({"network": ["No such network, or one you may not see."]})
            services.network_link(actor=user, criminal_case=view.case, network=network)  # type: ignore[arg-type]
        else:
            services.network_add(
                actor=user,  # type: ignore[arg-type]
                criminal_case=view.case,
                name=d["name"],
                countries=d["countries"],
            )
        return _fresh(request, view.case, status.HTTP_201_CREATED)


class CriminalCaseCooperationView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_cooperation",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=CooperationInputSerializer,
        responses=responses({201: CriminalCaseSerializer}, body=True, not_found=True),
        summary="Record cross-border cooperation: Europol, Eurojust, a joint investigation team, a foreign police",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        d = self.input(CooperationInputSerializer).validated_data
        services.cooperation_record(actor=request.user, criminal_case=view.case, **d)  # type: ignore[arg-type]
        return _fresh(request, view.case, status.HTTP_201_CREATED)


class CriminalCaseParticipantsView(VardeAPIView):
    @extend_schema(
        operation_id="criminal_cases_participant",
        tags=["prosecution"],
        parameters=[CRIMINAL_CASE_ID],
        request=ParticipantInputSerializer,
        responses=responses({201: CriminalCaseSerializer}, body=True, not_found=True),
        summary="Take another police district or prosecution office into the case (its users then see it all)",
    )
    def post(self, request: Request, criminal_case_id: str) -> Response:
        view = _acting(request, criminal_case_id)
        d = self.input(ParticipantInputSerializer).validated_data
        agency = reads.agencies_to_take_part(criminal_case=view.case).filter(pk=d["agency"]).first()
        if agency is None:
            raise ValidationError(
                {
                    "agency": [
                        "Only active police and prosecution agencies not yet taking part may be taken in."
                    ]
                }
            )
        services.participant_add(actor=request.user, criminal_case=view.case, agency=agency, role=d["role"])  # type: ignore[arg-type]
        return _fresh(request, view.case, status.HTTP_201_CREATED)


class CaseProceedingsView(VardeAPIView):
    pagination_class = None  # type: ignore[assignment]  # a person is in a handful of criminal cases at most

    @extend_schema(
        operation_id="cases_criminal_proceedings",
        tags=["prosecution"],
        parameters=[CASE_ID],
        responses=responses({200: ProceedingSerializer(many=True)}, not_found=True),
        summary="The criminal cases the person is aggrieved party or witness in: stage and trial, never suspects",
    )
    def get(self, request: Request, case_id: str) -> Response:
        user = request.user
        if not is_case_user(user):  # type: ignore[arg-type]
            raise Http404("Not found")
        case = case_get_for_user(user=user, case_id=case_id)  # type: ignore[arg-type]
        rows = reads.criminal_proceedings_for_case(user=user, case=case)  # type: ignore[arg-type]
        return Response(ProceedingSerializer([vars(r) for r in rows], many=True).data)


PERIOD_ID = OpenApiParameter(
    "period_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^(19|20)\d\d-(19|20)\d\d$",
    description="First and last year, e.g. `2003-2008`.",
)


class ProsecutionFiguresView(VardeAPIView):
    pagination_class = None  # type: ignore[assignment]

    @extend_schema(
        operation_id="statistics_prosecution",
        tags=["statistics"],
        parameters=[PERIOD_ID],
        responses=responses({200: OpenApiTypes.OBJECT}, not_found=True),
        summary="Criminal cases in figures for a span of years (coordinators and analysts; 404 for others)",
        description="Coordinators get the internal figures, analysts the published ones (persons convicted "
        "below the threshold are null). The same JSON as `varde stats prosecution --json`.",
    )
    def get(self, request: Request, period_id: str) -> Response:
        from varde.statistics.selectors import may_see_internal, may_see_published

        user = request.user
        if not may_see_published(user):  # type: ignore[arg-type]
            raise Http404("Not found")
        parts = period_id.split("-")
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
            raise Http404("Not found")
        first, last = int(parts[0]), int(parts[1])
        if not 1900 <= first <= last <= 2100:
            raise Http404("Not found")
        body = reads.prosecution_figures_for_user(
            user=user,  # type: ignore[arg-type]
            first_year=first,
            last_year=last,
            published=not may_see_internal(user),  # type: ignore[arg-type]
        )
        return Response(body)
