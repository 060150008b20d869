"""Anonymous notifications (issue 22): an adult who may be a victim but declines help or registration,
recorded without identity. The same services as the pages (varde.identification.anonymous) and the
reads of varde.access.anonymous: an agency's case users list and record their agency's notifications,
coordinators list every agency's; anyone else answers 403 there. A notification the user may not
see answers 404 (also to those who see none); one of another agency (a coordinator's view) 403 on withdrawal; one already withdrawn
409. Bad input answers 400 naming the field, with nothing saved. Messages follow `Accept-Language`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from varde.access import anonymous as reads
from varde.accounts.models import Agency, User
from varde.accounts.selectors import agencies_active
from varde.cases.models import ExploitationForm
from varde.core.errors import NotPermitted
from varde.identification.anonymous import anonymous_notification_record, anonymous_notification_withdraw
from varde.identification.models import AgeBand, AnonymousNotification, WithdrawalReason
from varde.persons.models import Sex

from .identification import _choice_field
from .schema import responses, uuid_path
from .serializers import AgencySerializer
from .views import VardeAPIView

NOTIFICATION_ID = uuid_path("notification_id", "The anonymous notification's id.")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in enum.choices]


AgeBandField = _choice_field(
    "AgeBandField", _choices(AgeBand), "The adult's age band (`unknown_adult` when not known)."
)
AnonymousSexField = _choice_field("AnonymousSexField", _choices(Sex), "F, M, X (other) or '' (unknown).")
AnonymousFormField = _choice_field(
    "AnonymousFormField", _choices(ExploitationForm), "A form of exploitation (the referrals' codes)."
)
WithdrawalReasonField = _choice_field(
    "WithdrawalReasonField", _choices(WithdrawalReason), "Why the notification is withdrawn (a code)."
)
WithdrawnReasonField = _choice_field(
    "WithdrawnReasonField",
    [("", "not withdrawn"), *_choices(WithdrawalReason)],
    "Why it was withdrawn ('' while it is not).",
)


class AnonymousNotificationSerializer(serializers.Serializer):
    """Codes and dates only: nothing that identifies anyone."""

    id = serializers.UUIDField()
    noticed_on = serializers.DateField(help_text="The day the agency met the person or learned of them.")
    age_band = AgeBandField()
    sex = AnonymousSexField()
    nationality = serializers.CharField(allow_blank=True, help_text="ISO 3166 alpha-2, '' unknown.")
    exploitation_forms = serializers.ListField(child=AnonymousFormField())
    municipality = serializers.CharField(allow_blank=True, help_text="Kommunenummer, '' unknown.")
    agency = AgencySerializer()
    recorded_at = serializers.DateTimeField()
    withdrawn = serializers.BooleanField(source="is_withdrawn", help_text="Withdrawn: no longer counted.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_reason = WithdrawnReasonField()
    version = serializers.IntegerField()


class AnonymousNotificationInputSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=agencies_active(),
        pk_field=serializers.UUIDField(),
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your agencies (you work with cases there); may be left out when you have one.",
    )
    noticed_on = serializers.DateField(help_text="Not in the future, not before 2000-01-01.")
    age_band = AgeBandField()
    sex = AnonymousSexField(required=False, default="")
    nationality = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default="", help_text="ISO 3166 alpha-2, e.g. NG."
    )
    exploitation_forms = serializers.ListField(
        child=AnonymousFormField(),
        max_length=len(ExploitationForm.choices),
        help_text="At least one.",
    )
    municipality = serializers.CharField(
        max_length=4, required=False, allow_blank=True, default="", help_text="Kommunenummer, e.g. 0301."
    )


class WithdrawInputSerializer(serializers.Serializer):
    reason = WithdrawalReasonField()


def _case_user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not reads.may_use_anonymous_notifications(user):
        raise NotPermitted(_("Only those who work with cases record and see anonymous notifications."))
    return user


def _agency(user: User, chosen: Agency | None) -> Agency:
    """The agency asked for, else the user's only one (400 when they have several)."""
    if chosen is not None:
        return chosen
    agencies = reads.anonymous_agencies_for(user)
    if len(agencies) != 1:
        raise ValidationError({"agency": [_("Choose the agency the notification is recorded for.")]})
    return agencies[0]


class AnonymousNotificationListView(VardeAPIView):
    serializer_class = AnonymousNotificationSerializer

    def get_queryset(self) -> QuerySet[AnonymousNotification]:
        return reads.anonymous_notifications_newest_first(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="anonymous_notifications_list",
        tags=["anonymous notifications"],
        responses=responses({200: AnonymousNotificationSerializer(many=True)}),
        summary="Anonymous notifications of your agencies (coordinators: every agency's), the latest "
        "date first; withdrawn ones too, marked",
        description="403 for anyone who does not work with cases.",
    )
    def get(self, request: Request) -> Response:
        user = _case_user(request)
        page = list(self.paginate_queryset(self.get_queryset()) or [])
        reads.anonymous_notifications_list_audit(user=user, notifications=page, page="api")
        return self.get_paginated_response(AnonymousNotificationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="anonymous_notifications_record",
        tags=["anonymous notifications"],
        request=AnonymousNotificationInputSerializer,
        responses=responses({201: AnonymousNotificationSerializer}, body=True),
        summary="Record an adult who may be a victim but declines help or registration, without identity",
        description="Codes and a date only: there is no field for a name, a phone number or a note. "
        "An adult only: a possible child is reported as a case (`POST /api/cases/`). 400 names the "
        "field (a date in the future or before 2000, no form of exploitation, an unknown country or "
        "municipality number); 403 when `agency` is not one you work with cases in.",
    )
    def post(self, request: Request) -> Response:
        user = _case_user(request)
        d = self.input(AnonymousNotificationInputSerializer).validated_data
        notification = anonymous_notification_record(
            actor=user,
            agency=_agency(user, d["agency"]),
            noticed_on=d["noticed_on"],
            age_band=d["age_band"],
            sex=d["sex"],
            nationality=d["nationality"],
            exploitation_forms=d["exploitation_forms"],
            municipality=d["municipality"],
        )
        return Response(AnonymousNotificationSerializer(notification).data, status=status.HTTP_201_CREATED)


class AnonymousNotificationWithdrawView(VardeAPIView):
    @extend_schema(
        operation_id="anonymous_notifications_withdraw",
        tags=["anonymous notifications"],
        parameters=[NOTIFICATION_ID],
        request=WithdrawInputSerializer,
        responses=responses({200: AnonymousNotificationSerializer}, body=True, not_found=True, conflict=True),
        summary="Withdraw a mistaken notification (its agency only): kept, marked, no longer counted",
        description="403 for a notification of another agency (coordinators see every agency's); 409 "
        "when it is already withdrawn.",
    )
    def post(self, request: Request, notification_id: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        # One the user may not see is 404, also for those who see none (as a case is).
        notification = reads.anonymous_notification_get_for_user(user=user, notification_id=notification_id)
        if not reads.is_own_agency(user, notification):
            raise NotPermitted(_("Only the agency that recorded the notification can withdraw it."))
        reason = self.input(WithdrawInputSerializer).validated_data["reason"]
        notification = anonymous_notification_withdraw(actor=user, notification=notification, reason=reason)
        return Response(AnonymousNotificationSerializer(notification).data)
