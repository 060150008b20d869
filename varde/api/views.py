"""The REST API. Thin views: the access layer (varde.access.cases) decides what a user may see, the
services (varde.cases.services) do every write and its audit; views only translate HTTP.

A record the user may not see answers 404 (never 403); 403 is kept for "you may see it, but not do
this". Case ids in paths are UUIDs; no personal data travels in a URL or a query string, with one
exception: the case search's text (`GET /api/cases/?q=`), which no log of Varde's writes (see
varde.access.search and docs/DATA_CLASSIFICATION.md).
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from varde.access.break_glass import break_glass_open
from varde.access.cases import (
    case_get_for_user,
    case_listed_get,
    cases_of_person_visible_to,
    get_or_404,
    invitation_get_for_user,
    invitations_newest_first,
    person_get_for_user,
)
from varde.access.interchange import export_rows, request_get_for_user, requests_for
from varde.access.matches import own_agency_matches
from varde.access.search import CaseFilter, case_list_audit, case_list_queryset
from varde.accounts.models import Agency
from varde.accounts.second_factor import check_code, confirmed_device, reauthenticate, second_factor_required
from varde.accounts.selectors import agencies_active
from varde.accounts.services import sign_in_step_failed_record, token_issue, token_refused_record
from varde.cases import services
from varde.cases.models import Case, CaseParticipation
from varde.cases.selectors import (
    case_events,
    case_with_detail,
    consents_of,
    inviting_agencies,
    names_where_open,
    participation_current,
    participations_of,
)
from varde.interchange import approval
from varde.persons.selectors import person_with_details

from . import serializers as s
from .authentication import VerifiedTokenAuthentication
from .filters import CaseFilterBackend, CaseListPagination
from .pagination import VardePagination
from .permissions import CoordinatorsOnly
from .schema import CASE_ID, ErrorSerializer, responses, uuid_path

# --- plumbing ---------------------------------------------------------------------------------------


class VardeAPIView(generics.GenericAPIView):
    # Token first, so that an anonymous request answers 401 with `WWW-Authenticate: Token` (the
    # first authentication class decides the challenge). No docstring: it would become every
    # operation's description in the schema.
    authentication_classes = [VerifiedTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = VardePagination

    def input(self, serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer


def detail_response(case: Case, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.CaseDetailSerializer(case_with_detail(case=case)).data, status=code)


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Anything under /api/ that is no endpoint: JSON, like every other API answer."""
    return JsonResponse({"detail": "Not found."}, status=404)


# --- who am I, tokens, the directory ------------------------------------------------------------------


class TokenThrottle(AnonRateThrottle):
    scope = "api_token"
    rate = "20/minute"


class TokenView(VardeAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=["auth"],
        auth=[],
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 400: responses({}, body=True)[400], 429: ErrorSerializer},
        summary="Obtain an API token with username, password and one-time code",
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        device = None
        if user is not None and user.is_active:
            needs_code = second_factor_required(user) or confirmed_device(user) is not None
            if needs_code:
                device = check_code(user, serializer.validated_data["otp_code"])
                if device is None:
                    user = None
        if user is None or not user.is_active:
            # Answered without raising, so the failed attempt's audit event is kept (ATOMIC_REQUESTS).
            # The same answer for a wrong password, a wrong code and an unknown user.
            token_refused_record()
            return Response(
                {"non_field_errors": ["Unable to sign in with these credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = token_issue(user=user, device=device)  # a new token each time; the old one stops working
        return Response({"token": token.key})


class MeView(VardeAPIView):
    @extend_schema(
        operation_id="me",
        tags=["me"],
        responses=responses({200: s.MeSerializer}),
        summary="Who am I: agencies and roles (no case data)",
    )
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user).data)


class AgencyListView(VardeAPIView):
    serializer_class = s.AgencySerializer

    def get_queryset(self) -> QuerySet[Agency]:
        return agencies_active()

    @extend_schema(
        operation_id="agencies_list",
        tags=["agencies"],
        responses=responses({200: s.AgencySerializer(many=True)}),
        summary="The agency directory",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.AgencySerializer(page, many=True).data)


# --- cases ---------------------------------------------------------------------------------------------

CASE_LIST_DESCRIPTION = """\
The query syntax is stable; unknown parameters are ignored, a value a parameter does not accept
answers 400 naming the parameter. Every parameter narrows the list (they combine with AND; a
repeated `status` or `form` means any of its values).

- `q`: search. Every word must match: a name part in any spelling, script or order (the linkage's
  normalisation: "Mohamed" finds "Muhammad", "Okafor Blessing" finds "Blessing Okafor"; three letters
  or more also find names beginning so), a phone number (with or without country code), a document
  number, a birth date (`YYYY-MM-DD` or `DD.MM.YYYY`), an age or a birth year (`17`, `1995`), or a
  case reference or its beginning (`V26-ABC`). The whole text is also tried as one phone number,
  document number or reference, so `+47 912 34 567` and `KL 123 4567` work. A name, number or date
  matches only cases whose personal data you may open (a coordinator's national list is searched by
  reference only otherwise). The search is audited by what it was read as (name, phone, ...), never
  by its text.
- `status` (repeatable), `child` (`true` / `false`), `lead_agency` (agency id), `agency` (an agency
  taking part, lead included), `form` (repeatable: forms of exploitation named in a referral; like
  a search, only among the cases whose personal data you may open),
  `clocks` (`running` / `warning` / `missed`), `opened_from` / `opened_to` (`YYYY-MM-DD`, inclusive,
  Norwegian time).
- `sort`: `-opened` (default, newest first), `opened`, `reference`, `-reference`, `status`
  (lifecycle order), `-status`.
- Pages: `limit` (default 50, at most 200) and `offset`. `count` is exact up to 10 000
  (`count_is_exact`); `next` is given while more cases follow.
"""


def _query(name: str, kind: Any, description: str, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **extra)


# The filters' parameters as the schema names them (English, whatever the request's language); the
# enumerations (status, form, clocks, sort, child) come from the filter itself.
CASE_LIST_PARAMETERS = [
    _query(
        "q",
        OpenApiTypes.STR,
        "Search text (personal data: a name, phone or document number, birth date, age or case reference; "
        "see the operation's description).",
    ),
    _query("lead_agency", OpenApiTypes.UUID, "The lead agency's id."),
    _query("agency", OpenApiTypes.UUID, "An agency taking part (active participation; the lead agency too)."),
    _query("opened_from", OpenApiTypes.DATE, "Opened on or after this day (Norwegian time)."),
    _query("opened_to", OpenApiTypes.DATE, "Opened on or before this day (Norwegian time)."),
]


class CaseListView(VardeAPIView):
    serializer_class = s.CaseListSerializer
    filter_backends = [CaseFilterBackend]
    filterset_class = CaseFilter
    pagination_class = CaseListPagination

    def get_queryset(self) -> QuerySet[Case]:
        return case_list_queryset(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="cases_list",
        tags=["cases"],
        responses=responses({200: s.CaseListSerializer(many=True)}, body=True),
        summary="Cases you may see, searched, filtered and sorted (coordinators: every case, names only "
        "where opened; analysts and administrators: none)",
        description=CASE_LIST_DESCRIPTION,
        parameters=CASE_LIST_PARAMETERS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        names_where_open(page)
        filters: CaseFilter = self.filterset  # type: ignore[attr-defined]  # set by CaseFilterBackend
        case_list_audit(user=request.user, cases=page, filters=filters, page="api")  # type: ignore[arg-type]
        return self.get_paginated_response(s.CaseListSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_report",
        tags=["cases"],
        request=s.CaseReportSerializer,
        responses={
            **responses({201: s.CaseDetailSerializer}, body=True),
            409: OpenApiResponse(
                response=s.PossibleMatchesSerializer,
                description="Nothing saved: the reporting agency probably has the person in an earlier case "
                "you may open (the same phone or document number, or the same name with a compatible "
                "birth and sex). Open one of `matches`, or send the report again with "
                '`"confirm_new_case": true`.',
            ),
        },
        summary="Report a possible victim (creates the person, the case and the referral)",
        description="403 when `reporting_agency` is not one of your agencies (coordinators may report for "
        "any agency). 409 when your agency probably has the person already (`possible_match`; only cases "
        "you may open are named, never another agency's record), unless `confirm_new_case` is true.",
    )
    def post(self, request: Request) -> Response:
        serializer = self.input(s.CaseReportSerializer)
        agency, data = serializer.to_report_input()  # type: ignore[attr-defined]
        if not serializer.validated_data["confirm_new_case"]:
            matches = own_agency_matches(user=request.user, agency=agency, data=data, page="api")  # type: ignore[arg-type]
            if matches:
                body = {
                    "detail": "Your agency probably has this person in an earlier case. Open it, or send "
                    'the report again with "confirm_new_case": true to save a new case.',
                    "code": "possible_match",
                    "matches": s.PossibleMatchSerializer(matches, many=True).data,
                }
                return Response(body, status=status.HTTP_409_CONFLICT)
        case = services.referral_report(actor=request.user, agency=agency, data=data)  # type: ignore[arg-type]
        return detail_response(case, status.HTTP_201_CREATED)


class CaseDetailView(VardeAPIView):
    @extend_schema(
        operation_id="cases_retrieve",
        tags=["cases"],
        parameters=[CASE_ID],
        responses=responses({200: s.CaseDetailSerializer}, not_found=True),
        summary="One case, with person, referrals, participants, consents and history",
    )
    def get(self, request: Request, case_id: str) -> Response:
        return detail_response(case_get_for_user(user=request.user, case_id=case_id))  # type: ignore[arg-type]


class CaseStatusView(VardeAPIView):
    @extend_schema(
        operation_id="cases_status",
        tags=["cases"],
        parameters=[CASE_ID],
        request=s.StatusChangeInputSerializer,
        responses=responses({200: s.CaseDetailSerializer}, body=True, not_found=True, conflict=True),
        summary="Change a case's status (400 for a transition the lifecycle does not allow)",
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(s.StatusChangeInputSerializer).validated_data
        case = services.case_change_status(actor=request.user, case=case, **data)  # type: ignore[arg-type]
        return detail_response(case)


class CaseTimelineView(VardeAPIView):
    serializer_class = s.CaseEventSerializer

    @extend_schema(
        operation_id="cases_timeline",
        tags=["cases"],
        parameters=[CASE_ID],
        responses=responses({200: s.CaseEventSerializer(many=True)}, not_found=True),
        summary="The case's timeline, newest first",
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        page = self.paginate_queryset(case_events(case=case))
        return self.get_paginated_response(s.CaseEventSerializer(page, many=True).data)


class CaseParticipantsView(VardeAPIView):
    @extend_schema(
        operation_id="cases_participants_invite",
        tags=["participants"],
        parameters=[CASE_ID],
        request=s.InviteInputSerializer,
        responses=responses({201: s.ParticipationSerializer}, body=True, not_found=True, conflict=True),
        summary="Invite an agency into the case",
        description="400 when the person's consent is needed first (adults; child welfare in a child's case "
        "needs none); 403 when you are not the lead agency or a coordinator.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(s.InviteInputSerializer).validated_data
        participation = services.case_invite_agency(actor=request.user, case=case, **data)  # type: ignore[arg-type]
        return Response(s.ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)


class ParticipationRevokeView(VardeAPIView):
    @extend_schema(
        operation_id="cases_participants_revoke",
        tags=["participants"],
        parameters=[CASE_ID, uuid_path("participation_id", "The participation's id.")],
        request=s.RevokeInputSerializer,
        responses=responses({200: s.ParticipationSerializer}, body=True, not_found=True, conflict=True),
        summary="Revoke an agency's access to the case (lead agency or coordinator); 409 when someone "
        "else changed it meanwhile",
    )
    def post(self, request: Request, case_id: str, participation_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        participation = get_or_404(participations_of(case=case), participation_id)
        participation.case = case
        reason = self.input(s.RevokeInputSerializer).validated_data["reason"]
        services.participation_revoke(actor=request.user, participation=participation, reason=reason)  # type: ignore[arg-type]
        participation.refresh_from_db()
        return Response(s.ParticipationSerializer(participation).data)


class CaseConsentsView(VardeAPIView):
    @extend_schema(
        operation_id="cases_consents_record",
        tags=["consents"],
        parameters=[CASE_ID],
        request=s.ConsentInputSerializer,
        responses=responses({201: s.ConsentSerializer}, body=True, not_found=True),
        summary="Record what the person agreed to share, with one agency or a kind of agency",
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(s.ConsentInputSerializer).validated_data
        consent = services.consent_record(actor=request.user, case=case, **data)  # type: ignore[arg-type]
        return Response(s.ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(VardeAPIView):
    @extend_schema(
        operation_id="cases_consents_withdraw",
        tags=["consents"],
        parameters=[CASE_ID, uuid_path("consent_id", "The consent's id.")],
        request=None,
        responses=responses({200: s.ConsentSerializer}, not_found=True, conflict=True),
        summary="Withdraw a consent: agencies let in on it lose access (409 if already withdrawn)",
    )
    def post(self, request: Request, case_id: str, consent_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        consent = get_or_404(consents_of(case=case), consent_id)
        consent.case = case
        consent = services.consent_withdraw(actor=request.user, consent=consent)  # type: ignore[arg-type]
        return Response(s.ConsentSerializer(consent).data)


class CaseNotesView(VardeAPIView):
    @extend_schema(
        operation_id="cases_notes_add",
        tags=["cases"],
        parameters=[CASE_ID],
        request=s.NoteInputSerializer,
        responses=responses({201: s.CaseEventSerializer}, body=True, not_found=True),
        summary="Add a note to the case's timeline",
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_get_for_user(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        text = self.input(s.NoteInputSerializer).validated_data["text"]
        event = services.case_add_note(actor=request.user, case=case, text=text)  # type: ignore[arg-type]
        return Response(s.CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


class BreakGlassView(VardeAPIView):
    permission_classes = [IsAuthenticated, CoordinatorsOnly]

    @extend_schema(
        operation_id="cases_break_glass",
        tags=["cases"],
        parameters=[CASE_ID],
        request=s.BreakGlassInputSerializer,
        responses=responses({201: s.BreakGlassSerializer}, body=True, not_found=True),
        summary="Coordinators: open a case outside your agency's participation (break the glass)",
        description="Needs a written reason and your password and a fresh one-time code. Lasts a limited time; "
        "audited; the case's lead agency and the auditors are told. 403 for anyone but coordinators or with a "
        "wrong password/code.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        user = request.user
        case = case_listed_get(user=user, case_id=case_id)  # type: ignore[arg-type]
        data = self.input(s.BreakGlassInputSerializer).validated_data
        if (refused := _reauthenticate(request, data)) is not None:
            return refused
        access = break_glass_open(actor=user, case=case, reason=data["reason"])  # type: ignore[arg-type]
        return Response(s.BreakGlassSerializer(access).data, status=status.HTTP_201_CREATED)


def _reauthenticate(request: Request, data: dict[str, Any]) -> Response | None:
    """Password and a fresh code in the request body (APIs carry no session to remember it in).
    A failure is answered (403), not raised, so that the failed attempt's audit event, the lockout
    count and the code throttle are kept (ATOMIC_REQUESTS rolls back on exceptions)."""
    ok = reauthenticate(
        request._request,
        user=request.user,  # type: ignore[arg-type]
        password=data["password"],
        code=data["otp_code"],
        remember=False,
    )
    if ok:
        return None
    sign_in_step_failed_record(user=request.user, step="reauth", via="api")  # type: ignore[arg-type]
    return Response(
        {"detail": "The password or the one-time code is not right.", "code": "reauthentication_failed"},
        status=status.HTTP_403_FORBIDDEN,
    )


# --- exports (four eyes) --------------------------------------------------------------------------------


class ExportRequestListView(VardeAPIView):
    @extend_schema(
        operation_id="exports_list",
        tags=["exports"],
        responses=responses({200: s.ExportRequestSerializer(many=True)}),
        summary="Your export requests and those waiting for your approval",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(requests_for(user=request.user))  # type: ignore[arg-type]
        return self.get_paginated_response(s.ExportRequestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="exports_request",
        tags=["exports"],
        request=s.ExportRequestInputSerializer,
        responses=responses({201: s.ExportRequestSerializer}, body=True),
        summary="Ask to export the referrals you may see (identified data; another person approves)",
    )
    def post(self, request: Request) -> Response:
        reason = self.input(s.ExportRequestInputSerializer).validated_data["reason"]
        export = approval.export_request_create(actor=request.user, reason=reason)  # type: ignore[arg-type]
        return Response(s.ExportRequestSerializer(export).data, status=status.HTTP_201_CREATED)


class ExportApproveView(VardeAPIView):
    @extend_schema(
        operation_id="exports_approve",
        tags=["exports"],
        parameters=[uuid_path("request_id", "The export request's id.")],
        request=s.ReauthSerializer,
        responses=responses({200: s.ExportRequestSerializer}, body=True, not_found=True),
        summary="Approve another person's export request (coordinators; the requester's agency "
        "administrator); 403 for your own",
    )
    def post(self, request: Request, request_id: str) -> Response:
        export = request_get_for_user(user=request.user, request_id=request_id)  # type: ignore[arg-type]
        if (refused := _reauthenticate(request, self.input(s.ReauthSerializer).validated_data)) is not None:
            return refused
        export = approval.export_request_approve(actor=request.user, request=export)  # type: ignore[arg-type]
        return Response(s.ExportRequestSerializer(export).data)


class ExportDownloadView(VardeAPIView):
    @extend_schema(
        operation_id="exports_download",
        tags=["exports"],
        parameters=[uuid_path("request_id", "The export request's id.")],
        request=s.ReauthSerializer,
        responses={200: OpenApiTypes.STR, **responses({}, body=True, not_found=True)},
        summary="Download an approved export once (interchange CSV with a watermark line)",
    )
    def post(self, request: Request, request_id: str) -> HttpResponse:
        export = request_get_for_user(user=request.user, request_id=request_id)  # type: ignore[arg-type]
        if (refused := _reauthenticate(request, self.input(s.ReauthSerializer).validated_data)) is not None:
            return refused
        out = io.StringIO()
        export_rows(user=request.user, out=out, request=export)  # type: ignore[arg-type]
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{approval.filename(export)}"'
        return response


# --- invitations ---------------------------------------------------------------------------------------


class InvitationListView(VardeAPIView):
    serializer_class = s.InvitationSerializer

    def get_queryset(self) -> QuerySet[CaseParticipation]:
        return invitations_newest_first(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="invitations_list",
        tags=["invitations"],
        responses=responses({200: s.InvitationSerializer(many=True)}),
        summary="Open invitations to your agencies (no personal data)",
    )
    def get(self, request: Request) -> Response:
        page = list(self.paginate_queryset(self.get_queryset()) or [])
        context = {"inviting_agencies": inviting_agencies(page)}
        return self.get_paginated_response(s.InvitationSerializer(page, many=True, context=context).data)


class InvitationRespondView(VardeAPIView):
    accept = True

    def post(self, request: Request, invitation_id: str) -> Response:
        invitation = invitation_get_for_user(user=request.user, participation_id=invitation_id)  # type: ignore[arg-type]
        answered = services.participation_respond(
            actor=request.user,  # type: ignore[arg-type]
            participation=invitation,
            accept=self.accept,
        )
        answered = participation_current(participation=answered)
        context = {"inviting_agencies": inviting_agencies([answered])}
        return Response(s.InvitationSerializer(answered, context=context).data)


_INVITATION = uuid_path("invitation_id", "The invitation's (participation's) id.")


@extend_schema_view(
    post=extend_schema(
        operation_id="invitations_accept",
        tags=["invitations"],
        parameters=[_INVITATION],
        request=None,
        responses=responses({200: s.InvitationSerializer}, not_found=True, conflict=True),
        summary="Accept an invitation: your agency takes part in the case",
    )
)
class InvitationAcceptView(InvitationRespondView):
    accept = True


@extend_schema_view(
    post=extend_schema(
        operation_id="invitations_decline",
        tags=["invitations"],
        parameters=[_INVITATION],
        request=None,
        responses=responses({200: s.InvitationSerializer}, not_found=True, conflict=True),
        summary="Decline an invitation",
    )
)
class InvitationDeclineView(InvitationRespondView):
    accept = False


# --- persons -------------------------------------------------------------------------------------------


class PersonDetailView(VardeAPIView):
    @extend_schema(
        operation_id="persons_retrieve",
        tags=["persons"],
        parameters=[uuid_path("person_id", "The person's id.")],
        responses=responses({200: s.PersonDetailSerializer}, not_found=True),
        summary="A person as reported, with the cases about them that you may see",
    )
    def get(self, request: Request, person_id: str) -> Response:
        person = person_get_for_user(user=request.user, person_id=person_id)  # type: ignore[arg-type]
        person = person_with_details(person=person)
        visible = cases_of_person_visible_to(user=request.user, person=person)  # type: ignore[arg-type]
        return Response(s.PersonDetailSerializer(person, context={"visible_cases": list(visible)}).data)
