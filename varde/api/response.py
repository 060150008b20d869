"""The coordinated-response API: the notification inbox and its acknowledgement, a case's deadlines,
placements and disappearances, and the coordinators' national view of deadlines (no personal data).

The same services and selectors as the pages (varde.response): a case you may not see answers 404,
a notification not addressed to you or your agency answers 404. Texts follow `Accept-Language`
(Bokmål for nb/no/nn, English for en; English when the header names neither).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from varde.access import response as response_reads
from varde.access.cases import case_get_for_user
from varde.core import clock as vclock
from varde.core.errors import TransitionNotAllowed
from varde.response import disappearances, notifications, placements
from varde.response.models import (
    Clock,
    ClockState,
    MissingEpisode,
    MissingFrom,
    MissingStatus,
    Notification,
    NotificationKind,
    Placement,
    PlacementKind,
)
from varde.response.rules import clock_label

from .identification import _choice_field, request_lang
from .permissions import CoordinatorsOnly
from .schema import CASE_ID, ErrorSerializer, responses, uuid_path
from .serializers import AgencySerializer
from .views import VardeAPIView


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in enum.choices]


NotificationKindField = _choice_field(
    "NotificationKindField", _choices(NotificationKind), "What the notification is about."
)
ClockStateField = _choice_field("ClockStateField", _choices(ClockState), "The deadline's state.")
PlacementKindField = _choice_field("PlacementKindField", _choices(PlacementKind), "The kind of place.")
MissingFromField = _choice_field(
    "MissingFromField", _choices(MissingFrom), "Where the person went missing from."
)
MissingStatusField = _choice_field("MissingStatusField", _choices(MissingStatus), "The episode's status.")


# --- serializers ----------------------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    """A notification as its recipient sees it: never more personal data than the recipient may see
    (texts carry the case reference and what to do, no names)."""

    id = serializers.UUIDField()
    kind = NotificationKindField()
    case_id = serializers.UUIDField(allow_null=True)
    case_reference = serializers.CharField(allow_null=True)
    recipient_agency = AgencySerializer()
    recipient_role = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    ack_due_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    @staticmethod
    def body(n: Notification, lang: str) -> dict[str, Any]:
        return {
            "id": n.pk,
            "kind": n.kind,
            "case_id": n.case_id,
            "case_reference": n.case.reference if n.case else None,
            "recipient_agency": n.recipient_agency,
            "recipient_role": n.recipient_role,
            "text": n.text(lang),
            "created_at": n.created_at,
            "ack_due_at": n.ack_due_at,
            "acknowledged_at": n.acknowledged_at,
        }


class ClockSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(
        help_text="The deadline's kind, from the clock rules (e.g. `safe_placement`)."
    )
    label = serializers.CharField(help_text="The kind in the request's language.")  # type: ignore[assignment]
    state = ClockStateField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    ends_on = serializers.DateField(allow_null=True, help_text="The last day, for deadlines counted in days.")
    paused_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    met_late = serializers.BooleanField()
    responsible_agency_id = serializers.UUIDField(allow_null=True)
    rule_source = serializers.CharField(help_text="The legal source of the deadline's length.")
    rule_version = serializers.IntegerField()
    version = serializers.IntegerField()

    @staticmethod
    def body(c: Clock, lang: str) -> dict[str, Any]:
        return {
            "id": c.pk,
            "kind": c.kind,
            "label": clock_label(c.kind, lang),
            "state": c.state,
            "started_at": c.started_at,
            "due_at": c.due_at,
            "ends_on": c.ends_on,
            "paused_at": c.paused_at,
            "closed_at": c.closed_at,
            "met_late": c.met_late,
            "responsible_agency_id": c.responsible_agency_id,
            "rule_source": c.rule_source,
            "rule_version": c.rule_version,
            "version": c.version,
        }


class PlacementInputSerializer(serializers.Serializer):
    kind = PlacementKindField()
    from_at = serializers.DateTimeField(help_text="When the stay began (not in the future).")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlacementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    kind = PlacementKindField()
    description = serializers.CharField(allow_blank=True)
    from_at = serializers.DateTimeField()
    to_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class PlacementResultSerializer(serializers.Serializer):
    placement = PlacementSerializer()
    clocks = ClockSerializer(
        many=True,
        help_text="The case's deadlines after the placement (the 24-hour "
        "deadline of a presumed child is met by a safe place).",
    )


class MissingEpisodeInputSerializer(serializers.Serializer):
    missing_from = MissingFromField()
    last_seen_at = serializers.DateTimeField()
    reported_to_police_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MissingEpisodeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    missing_from = MissingFromField()
    last_seen_at = serializers.DateTimeField()
    reported_to_police_at = serializers.DateTimeField(allow_null=True)
    status = MissingStatusField()
    ended_at = serializers.DateTimeField(allow_null=True)
    located_country = serializers.CharField(help_text="ISO 3166 code when located abroad, else ''.")
    was_child = serializers.BooleanField()
    police_report_clock_id = serializers.UUIDField(allow_null=True)
    version = serializers.IntegerField()


class ClockRowSerializer(serializers.Serializer):
    """One deadline in the national view: the case reference, never a name."""

    clock_id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    reference = serializers.CharField()
    is_child = serializers.BooleanField()
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, popped by the metaclass
    responsible = serializers.CharField(help_text="The responsible agency's name ('' when none is named).")
    due_at = serializers.DateTimeField()
    ends_on = serializers.DateField(allow_null=True)
    state = ClockStateField()
    display_state = serializers.ChoiceField(
        choices=["running", "paused", "warning", "missed"],
        help_text="running; paused; warning (in its warning window); missed (recorded missed, or past due).",
    )
    seconds_left = serializers.IntegerField(help_text="Until the due time; negative when past it.")
    overdue = serializers.BooleanField()


def _clock_row_body(row: response_reads.ClockRow) -> dict[str, Any]:
    body = {k: v for k, v in vars(row).items() if k not in ("time_left", "title", "state_label")}
    body["seconds_left"] = int(row.time_left.total_seconds())
    return body


CLOCK_FILTERS = [
    OpenApiParameter(
        "kind", OpenApiTypes.STR, OpenApiParameter.QUERY, description="A clock kind (rules/clocks.json)."
    ),
    OpenApiParameter(
        "agency", OpenApiTypes.UUID, OpenApiParameter.QUERY, description="The responsible agency."
    ),
    OpenApiParameter(
        "child",
        OpenApiTypes.BOOL,
        OpenApiParameter.QUERY,
        description="Children's cases (true) or adults' (false).",
    ),
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=["running", "warning", "missed"],
        description="running (running or paused), warning (about to run out), missed; all three when left out.",
    ),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=["due", "-due"],
        description="By time left (default: least first).",
    ),
]


# --- views ----------------------------------------------------------------------------------------------


_NOTIFICATION = uuid_path("notification_id", "The notification's id.")
ALREADY = OpenApiResponse(
    response=ErrorSerializer,
    description="The notification is already acknowledged (`code`: `already_acknowledged`).",
)


class NotificationListView(VardeAPIView):
    @extend_schema(
        operation_id="notifications_list",
        tags=["response"],
        responses=responses({200: NotificationSerializer(many=True)}),
        summary="Your inbox: notifications to you and to your agency, newest first",
        description="Texts in the language of `Accept-Language` (nb or en, default en).",
    )
    def get(self, request: Request) -> Response:
        lang = request_lang(request)
        qs = response_reads.notifications_inbox(user=request.user).order_by("-created_at", "id")  # type: ignore[arg-type]
        page = list(self.paginate_queryset(qs) or [])
        data = NotificationSerializer([NotificationSerializer.body(n, lang) for n in page], many=True).data
        return self.get_paginated_response(data)


class NotificationAcknowledgeView(VardeAPIView):
    @extend_schema(
        operation_id="notifications_acknowledge",
        tags=["response"],
        parameters=[_NOTIFICATION],
        request=None,
        responses={**responses({200: NotificationSerializer}, not_found=True), 409: ALREADY},
        summary="Acknowledge a notification to you or your agency",
        description="A deadline waiting for the acknowledgement (child welfare informed) is met.",
    )
    def post(self, request: Request, notification_id: str) -> Response:
        user = request.user
        notification = response_reads.notification_get_for_user(user=user, notification_id=notification_id)  # type: ignore[arg-type]
        try:
            done = notifications.notification_acknowledge(actor=user, notification=notification)  # type: ignore[arg-type]
        except TransitionNotAllowed as error:
            return Response(
                {"detail": str(error), "code": "already_acknowledged"}, status=status.HTTP_409_CONFLICT
            )
        done = response_reads.notifications_inbox(user=user).get(pk=done.pk)  # type: ignore[arg-type]
        return Response(NotificationSerializer(NotificationSerializer.body(done, request_lang(request))).data)


class CaseClocksView(VardeAPIView):
    @extend_schema(
        operation_id="cases_clocks_list",
        tags=["response"],
        parameters=[CASE_ID],
        responses=responses({200: ClockSerializer(many=True)}, not_found=True),
        summary="The case's deadlines, soonest first",
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        lang = request_lang(request)
        qs = response_reads.clocks_of_case(user=request.user, case=case)  # type: ignore[arg-type]
        page = list(self.paginate_queryset(qs) or [])
        return self.get_paginated_response(
            ClockSerializer([ClockSerializer.body(c, lang) for c in page], many=True).data
        )


def _placement(p: Placement) -> dict[str, Any]:
    return {
        "id": p.pk,
        "case_id": p.case_id,
        "kind": p.kind,
        "description": p.description,
        "from_at": p.from_at,
        "to_at": p.to_at,
        "version": p.version,
    }


class CasePlacementsView(VardeAPIView):
    @extend_schema(
        operation_id="cases_placements_record",
        tags=["response"],
        parameters=[CASE_ID],
        request=PlacementInputSerializer,
        responses=responses({201: PlacementResultSerializer}, body=True, not_found=True),
        summary="Record where the person stays from now on",
        description="The previous stay ends then. In a child's case a safe place meets the 24-hour deadline.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        user = request.user
        case = case_get_for_user(user=user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(PlacementInputSerializer).validated_data
        placement = placements.placement_record(
            actor=user,  # type: ignore[arg-type]
            case=case,
            kind=data["kind"],
            from_at=data["from_at"],
            description=data["description"],
        )
        lang = request_lang(request)
        clocks = response_reads.clocks_of_case(user=user, case=case)  # type: ignore[arg-type]
        body = {"placement": _placement(placement), "clocks": [ClockSerializer.body(c, lang) for c in clocks]}
        return Response(PlacementResultSerializer(body).data, status=status.HTTP_201_CREATED)


def _episode(e: MissingEpisode) -> dict[str, Any]:
    return {
        "id": e.pk,
        "case_id": e.case_id,
        "missing_from": e.missing_from,
        "last_seen_at": e.last_seen_at,
        "reported_to_police_at": e.reported_to_police_at,
        "status": e.status,
        "ended_at": e.ended_at,
        "located_country": e.located_country,
        "was_child": e.was_child,
        "police_report_clock_id": e.police_report_clock_id,
        "version": e.version,
    }


class CaseMissingEpisodesView(VardeAPIView):
    @extend_schema(
        operation_id="cases_missing_episodes_record",
        tags=["response"],
        parameters=[CASE_ID],
        request=MissingEpisodeInputSerializer,
        responses=responses({201: MissingEpisodeSerializer}, body=True, not_found=True),
        summary="Record a disappearance",
        description="The police and (for a child) child welfare are told at once, and a deadline runs "
        "for the report to the police (met at once when `reported_to_police_at` is given). 400 when "
        "the person is already recorded as missing.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        user = request.user
        case = case_get_for_user(user=user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(MissingEpisodeInputSerializer).validated_data
        episode = disappearances.missing_episode_record(actor=user, case=case, **data)  # type: ignore[arg-type]
        return Response(MissingEpisodeSerializer(_episode(episode)).data, status=status.HTTP_201_CREATED)


class NationalClocksView(VardeAPIView):
    permission_classes = [IsAuthenticated, CoordinatorsOnly]

    @extend_schema(
        operation_id="response_clocks_national",
        tags=["response"],
        parameters=CLOCK_FILTERS,
        responses=responses({200: ClockRowSerializer(many=True)}, body=True, not_found=True),
        summary="Coordinators: every running, paused and missed deadline of the open cases, by time left",
        description="Case references only, never names. Filters: kind, agency, child, state "
        "(400 for an agency that is not a UUID or an unknown state). 404 for anyone but coordinators.",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        params = request.query_params
        try:
            agency = UUID(params["agency"]) if params.get("agency") else None
        except ValueError:
            raise ValidationError({"agency": ["Not a valid UUID."]}) from None
        state = params.get("state", "")
        if state and state not in response_reads.STATE_FILTERS:
            raise ValidationError({"state": ["One of running, warning, missed."]})
        child = {"true": True, "false": False}.get(params.get("child", "").lower())
        f = response_reads.ClockFilter(
            kind=params.get("kind", ""),
            agency=agency,
            child=child,
            state=state,
            descending=params.get("ordering") == "-due",
        )
        now = vclock.now()
        qs = response_reads.national_clocks_queryset(user=user, filter=f)  # type: ignore[arg-type]
        page = self.paginate_queryset(response_reads.ordered_clocks(qs, f, now)) or []
        lang = request_lang(request)
        rows = [response_reads.clock_row(c, now, lang) for c in page]
        return self.get_paginated_response(
            ClockRowSerializer([_clock_row_body(r) for r in rows], many=True).data
        )
