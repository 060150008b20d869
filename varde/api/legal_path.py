"""After the reflection period (issue #16): a case's legal status (applications, decisions and statuses
on one timeline, each with the rights and the responsible authority that follow), the person's
cooperation with the police over time, and a safe voluntary return with its follow-ups.

The same services as the pages (varde.response.legal_status, varde.response.returns) and the reads of
varde.access.response: a case you may not see answers 404, and so does a return of another case.
Domain errors answer 400 naming the field; a stale `version` answers 409. Texts follow
`Accept-Language` (Bokmål for nb/no/nn, English otherwise).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from varde.access import response as response_reads
from varde.access.cases import case_get_for_user, get_or_404
from varde.accounts.models import User
from varde.cases.models import Case
from varde.core import clock as vclock
from varde.response import legal_status, returns
from varde.response.models import (
    Clock,
    CooperationState,
    DecidingAuthority,
    FollowUpOutcome,
    LegalStatus,
    LegalStatusKind,
    PoliceCooperation,
    ReturnFollowUp,
    ReturnOrganisation,
    ReturnState,
    Risk,
    Situation,
    VoluntaryReturn,
)
from varde.response.rules import status_spec

from .identification import _choice_field, request_lang
from .response import ClockSerializer
from .schema import CASE_ID, responses, uuid_path
from .serializers import AgencySerializer
from .views import VardeAPIView

MAX_VERSION = 2**31 - 1  # versions stay within the database's integers
MAX_ID = 2**63 - 1  # entry ids are the database's big integers
RETURN_ID = uuid_path("return_id", "The voluntary return's id (`returns[].id`).")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in enum.choices]


LegalKindField = _choice_field(
    "LegalKindField",
    _choices(LegalStatusKind),
    "The application, decision or status (varde/response/rules/legal_status.json).",
)
AuthorityField = _choice_field(
    "AuthorityField",
    [("", "none"), *_choices(DecidingAuthority)],
    "The deciding authority: udi, une, police or court ('' for none; a decision left without one is "
    "given the first of its rule's deciders).",
)
CooperationStateField = _choice_field(
    "CooperationStateField", _choices(CooperationState), "Where the cooperation with the police stands."
)
OrganisationField = _choice_field(
    "OrganisationField", _choices(ReturnOrganisation), "Who assists the return: IOM or another organisation."
)
ReturnStateField = _choice_field("ReturnStateField", _choices(ReturnState), "The return's state.")
OutcomeField = _choice_field("FollowUpOutcomeField", _choices(FollowUpOutcome), "Was the person reached?")
SituationField = _choice_field("SituationField", _choices(Situation), "How the person's situation looks.")
RiskField = _choice_field("RiskField", _choices(Risk), "The risk of being trafficked again.")


def _version(help_text: str = "The version you read (409 when someone saved since).") -> serializers.Field:
    return serializers.IntegerField(min_value=0, max_value=MAX_VERSION, help_text=help_text)


def _note() -> serializers.Field:
    """An optional note (free text: never in the audit, never printed by the CLI)."""
    return serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _entry_id(help_text: str = "An entry of this case that this one corrects.") -> serializers.Field:
    """An optional id of another entry of the case (checked by `_case_entry`)."""
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None, help_text=help_text
    )


def _acting_on_case(request: Request, case_id: str) -> tuple[User, Case]:
    """The user and the case (404 when unseen)."""
    user: User = request.user  # type: ignore[assignment]
    return user, case_get_for_user(user=user, case_id=case_id)


def _case_entry(entries: QuerySet[Any], case: Case, field: str, pk: int | None, missing: str) -> Any:
    """The entry `pk` of this case among those the user may see (None for none; 400 on `field` for an
    entry that is not there)."""
    if pk is None:
        return None
    entry = entries.filter(case=case, pk=pk).first()
    if entry is None:
        raise ValidationError({field: [missing]})
    return entry


def _timeline(entries: QuerySet[Any], case: Case, on: str) -> tuple[list[Any], set[int]]:
    """The case's entries oldest first (by `on`, then as recorded), and the ids a later entry corrects."""
    found = list(
        entries.filter(case=case).select_related("recorded_by_agency").order_by(on, "recorded_at", "id")
    )
    return found, {e.corrects_id for e in found if e.corrects_id}


# --- legal status: serializers --------------------------------------------------------------------------


class RightsSerializer(serializers.Serializer):
    """What follows from an entry: the help system that answers for the person, the authority
    responsible, the rights, and the legal source (as in force; marked where not verified)."""

    status = serializers.CharField(help_text="The entry's kind.")
    label = serializers.CharField(help_text="The kind in the request's language.")  # type: ignore[assignment]
    role = serializers.ChoiceField(choices=["application", "decision", "status"])
    line = serializers.CharField(
        allow_blank=True, help_text="The matter the entry belongs to (e.g. `temporary_permit`)."
    )
    help_system = serializers.ChoiceField(
        choices=["municipal", "state_reception", "child_welfare", "none"],
        help_text="Who helps: municipal services, the state reception system, child welfare, or none set.",
    )
    help_system_label = serializers.CharField()
    responsible_authority = serializers.CharField(help_text="The authority responsible, in words.")
    rights = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField(  # type: ignore[assignment]  # a declared field, popped by the metaclass
        help_text="The legal source as in force ('ikke kontrollert' when not verified)."
    )
    rule_version = serializers.IntegerField()


def _rights(kind_or_entry: str | LegalStatus, lang: str) -> dict[str, Any]:
    r = legal_status.rights_and_authority(kind_or_entry, lang)
    r["responsible_authority"] = r.pop("authority")
    return r


class LegalStatusEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = LegalKindField()
    from_date = serializers.DateField()
    to_date = serializers.DateField(allow_null=True)
    authority = AuthorityField(help_text="The deciding authority ('' for none).")
    reason = serializers.CharField(allow_blank=True, help_text="The reason the decision gives.")
    note = serializers.CharField(allow_blank=True)
    criteria = serializers.DictField(
        child=serializers.BooleanField(), help_text="A temporary permit's four criteria, met or not."
    )
    application_id = serializers.IntegerField(
        allow_null=True, help_text="The application this decision decides."
    )
    withdraws_id = serializers.IntegerField(
        allow_null=True, help_text="The application this entry withdrew (reflection withdraws asylum)."
    )
    corrects_id = serializers.IntegerField(allow_null=True, help_text="The entry this one corrects.")
    renews_id = serializers.IntegerField(allow_null=True, help_text="The granted permit a renewal renews.")
    corrected = serializers.BooleanField(help_text="A later entry corrects this one.")
    recorded_at = serializers.DateTimeField()
    recorded_by_agency = AgencySerializer(allow_null=True)
    rule_version = serializers.IntegerField()
    rights = RightsSerializer()


class MatterSerializer(serializers.Serializer):
    """An application with what became of it (a decision recorded without its application stands alone)."""

    line = serializers.CharField()
    state = serializers.CharField(
        help_text="pending, withdrawn, or the decision's outcome: granted, rejected, dropped, "
        "granted_refugee, granted_humanitarian, limited_until_18, dublin, expelled."
    )
    application_id = serializers.IntegerField(allow_null=True)
    decision_id = serializers.IntegerField(allow_null=True)
    withdrawn_by_id = serializers.IntegerField(allow_null=True)


class LegalStatusListSerializer(serializers.Serializer):
    entries = LegalStatusEntrySerializer(
        many=True, help_text="The timeline, oldest first (corrected ones too)."
    )
    matters = MatterSerializer(many=True)
    current_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="The entries in force today."
    )
    current = RightsSerializer(
        allow_null=True, help_text="Rights and responsibility under the latest entry in force today."
    )


class LegalStatusInputSerializer(serializers.Serializer):
    kind = LegalKindField()
    from_date = serializers.DateField(help_text="The date of the application, decision or status.")
    to_date = serializers.DateField(required=False, allow_null=True, default=None)
    authority = AuthorityField(required=False, default="")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    note = _note()
    criteria = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        default=dict,
        help_text="For a temporary permit: contact_ceased, traffickers_reported, police_investigating, "
        "presence_needed, each true or false.",
    )
    application = _entry_id("The application a decision decides (default: the matter's oldest open one).")
    corrects = _entry_id()


class LegalStatusResultSerializer(serializers.Serializer):
    entry = LegalStatusEntrySerializer()
    withdrew_id = serializers.IntegerField(allow_null=True, help_text="The application the entry withdrew.")
    before = RightsSerializer(allow_null=True, help_text="Rights and responsibility before the entry.")
    after = RightsSerializer(help_text="Rights and responsibility under the entry.")
    clocks_started = ClockSerializer(many=True)
    clocks_met = ClockSerializer(many=True)


def _entry(e: LegalStatus, lang: str, corrected: set[int]) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "from_date": e.from_date,
        "to_date": e.to_date,
        "authority": e.authority,
        "reason": e.reason,
        "note": e.note,
        "criteria": e.criteria or {},
        "application_id": e.application_id,
        "withdraws_id": e.withdraws_id,
        "corrects_id": e.corrects_id,
        "renews_id": e.renews_id,
        "corrected": e.pk in corrected,
        "recorded_at": e.recorded_at,
        "recorded_by_agency": e.recorded_by_agency,
        "rule_version": e.rule_version,
        "rights": _rights(e, lang),
    }


def _matter(m: legal_status.Matter) -> dict[str, Any]:
    first = m.application or m.decision
    assert first is not None
    return {
        "line": str(status_spec(first.kind).get("line", "")),
        "state": m.state,
        "application_id": m.application.pk if m.application else None,
        "decision_id": m.decision.pk if m.decision else None,
        "withdrawn_by_id": m.withdrawn_by.pk if m.withdrawn_by else None,
    }


# --- legal status: views --------------------------------------------------------------------------------


class CaseLegalStatusView(VardeAPIView):
    @extend_schema(
        operation_id="cases_legal_status_list",
        tags=["legal status"],
        parameters=[CASE_ID],
        responses=responses({200: LegalStatusListSerializer}, not_found=True),
        summary="The case's legal-status timeline, its matters (applications and their outcome) and what "
        "follows today",
        description="Each entry carries the rights, the help system (municipal services, the state "
        "reception system, child welfare) and the authority responsible under it.",
    )
    def get(self, request: Request, case_id: str) -> Response:
        user, case = _acting_on_case(request, case_id)
        lang = request_lang(request)
        entries, corrected = _timeline(response_reads.legal_statuses_visible_to(user=user), case, "from_date")
        current = legal_status.legal_status_current(case=case)
        body = {
            "entries": [_entry(e, lang, corrected) for e in entries],
            "matters": [_matter(m) for m in legal_status.legal_matters(entries)],
            "current_ids": [e.pk for e in current],
            "current": _rights(current[-1], lang) if current else None,
        }
        return Response(LegalStatusListSerializer(body).data)

    @extend_schema(
        operation_id="cases_legal_status_record",
        tags=["legal status"],
        parameters=[CASE_ID],
        request=LegalStatusInputSerializer,
        responses=responses({201: LegalStatusResultSerializer}, body=True, not_found=True),
        summary="Record an application, a decision or a status (never edits one: a correction is a new entry)",
        description="A decision decides its matter's open application (the one named in `application`, "
        "else the oldest) and cannot be dated before it nor given to a withdrawn one; a renewal needs a "
        "granted permit; applying for a reflection period withdraws a pending asylum application; a "
        "grant starts its deadline. 400 names the field; nothing is saved.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        user, case = _acting_on_case(request, case_id)
        d = self.input(LegalStatusInputSerializer).validated_data
        statuses = response_reads.legal_statuses_visible_to(user=user)
        missing = "No such entry in this case's legal status."
        change = legal_status.legal_status_record(
            actor=user,
            case=case,
            kind=d["kind"],
            from_date=d["from_date"],
            to_date=d["to_date"],
            criteria=d["criteria"] or None,
            note=d["note"],
            corrects=_case_entry(statuses, case, "corrects", d["corrects"], missing),
            authority=d["authority"],
            reason=d["reason"],
            application=_case_entry(statuses, case, "application", d["application"], missing),
        )
        lang = request_lang(request)
        entry = LegalStatus.objects.select_related("recorded_by_agency").get(pk=change.entry.pk)
        body = {
            "entry": _entry(entry, lang, set()),
            "withdrew_id": change.withdrew.pk if change.withdrew else None,
            "before": _rights(change.before["status"], lang) if change.before else None,
            "after": _rights(entry, lang),
            "clocks_started": [ClockSerializer.body(c, lang) for c in change.clocks_started],
            "clocks_met": [ClockSerializer.body(c, lang) for c in change.clocks_met],
        }
        return Response(LegalStatusResultSerializer(body).data, status=status.HTTP_201_CREATED)


# --- cooperation with the police ------------------------------------------------------------------------


class PoliceCooperationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = CooperationStateField()
    label = serializers.CharField(help_text="The state in the request's language.")  # type: ignore[assignment]
    on_date = serializers.DateField(help_text="Where things stood as of this date.")
    note = serializers.CharField(allow_blank=True)
    corrects_id = serializers.IntegerField(allow_null=True)
    corrected = serializers.BooleanField(help_text="A later entry corrects this one.")
    recorded_at = serializers.DateTimeField()
    recorded_by_agency = AgencySerializer(allow_null=True)


class PoliceCooperationListSerializer(serializers.Serializer):
    current = PoliceCooperationSerializer(allow_null=True, help_text="Where things stand today.")
    entries = PoliceCooperationSerializer(many=True, help_text="Oldest first, corrected ones too.")


class PoliceCooperationInputSerializer(serializers.Serializer):
    state = CooperationStateField()
    on_date = serializers.DateField(help_text="As of this date (not in the future).")
    note = _note()
    corrects = _entry_id()


def _cooperation(e: PoliceCooperation, lang: str, corrected: set[int]) -> dict[str, Any]:
    with translation.override(lang):
        label = str(CooperationState(e.state).label)
    return {
        "id": e.pk,
        "state": e.state,
        "label": label,
        "on_date": e.on_date,
        "note": e.note,
        "corrects_id": e.corrects_id,
        "corrected": e.pk in corrected,
        "recorded_at": e.recorded_at,
        "recorded_by_agency": e.recorded_by_agency,
    }


class CasePoliceCooperationView(VardeAPIView):
    @extend_schema(
        operation_id="cases_police_cooperation_list",
        tags=["legal status"],
        parameters=[CASE_ID],
        responses=responses({200: PoliceCooperationListSerializer}, not_found=True),
        summary="The person's cooperation with the police over time, and where it stands today",
    )
    def get(self, request: Request, case_id: str) -> Response:
        user, case = _acting_on_case(request, case_id)
        lang = request_lang(request)
        entries, corrected = _timeline(
            response_reads.police_cooperation_visible_to(user=user), case, "on_date"
        )
        current = legal_status.police_cooperation_current(entries, vclock.today())
        body = {
            "current": _cooperation(current, lang, corrected) if current else None,
            "entries": [_cooperation(e, lang, corrected) for e in entries],
        }
        return Response(PoliceCooperationListSerializer(body).data)

    @extend_schema(
        operation_id="cases_police_cooperation_record",
        tags=["legal status"],
        parameters=[CASE_ID],
        request=PoliceCooperationInputSerializer,
        responses=responses({201: PoliceCooperationSerializer}, body=True, not_found=True),
        summary="Record where the person stands with the police as of a date (any agency in the case)",
        description="Never edits an entry: a later entry says where things stand; a correction names "
        "the entry it corrects.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        user, case = _acting_on_case(request, case_id)
        d = self.input(PoliceCooperationInputSerializer).validated_data
        corrects = _case_entry(
            response_reads.police_cooperation_visible_to(user=user),
            case,
            "corrects",
            d["corrects"],
            "No such entry in this case's cooperation with the police.",
        )
        entry = legal_status.police_cooperation_record(
            actor=user, case=case, state=d["state"], on_date=d["on_date"], note=d["note"], corrects=corrects
        )
        entry = PoliceCooperation.objects.select_related("recorded_by_agency").get(pk=entry.pk)
        return Response(
            PoliceCooperationSerializer(_cooperation(entry, request_lang(request), set())).data,
            status=status.HTTP_201_CREATED,
        )


# --- voluntary return and follow-ups ---------------------------------------------------------------------


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.IntegerField(help_text="Months after the return (3, 6 or 12 by default).")
    on_date = serializers.DateField()
    outcome = OutcomeField()
    housing = SituationField()
    income = SituationField()
    education_work = SituationField()
    health = SituationField()
    re_trafficking_risk = RiskField()
    note = serializers.CharField(allow_blank=True)
    clock_id = serializers.UUIDField(allow_null=True, help_text="The deadline the follow-up met.")
    recorded_at = serializers.DateTimeField()


class StageSerializer(serializers.Serializer):
    """One follow-up after the return: its deadline and, once recorded, the follow-up."""

    stage = serializers.IntegerField(help_text="Months after the return.")
    clock_id = serializers.UUIDField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    clock_state = serializers.CharField(
        allow_blank=True, help_text="running, met, missed, ... ('' without a clock)."
    )
    follow_up_id = serializers.IntegerField(allow_null=True)


class VoluntaryReturnSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    state = ReturnStateField()
    organisation = OrganisationField()
    organisation_name = serializers.CharField(allow_blank=True, help_text="When not IOM.")
    country = serializers.CharField(help_text="The country of return (ISO 3166 code).")
    planned_on = serializers.DateField()
    escort = serializers.BooleanField()
    reception = serializers.CharField(
        allow_blank=True, help_text="Who meets the person, where they will live."
    )
    guardian_consulted = serializers.BooleanField(allow_null=True)
    best_interests_assessed = serializers.BooleanField(
        allow_null=True, help_text="Child welfare assessed the child's best interests."
    )
    returned_on = serializers.DateField(allow_null=True)
    was_child = serializers.BooleanField(help_text="A child's case when planned (the extra checks apply).")
    note = serializers.CharField(allow_blank=True)
    recorded_by_agency = AgencySerializer(allow_null=True)
    version = serializers.IntegerField()
    stages = StageSerializer(many=True, help_text="The follow-ups after the return (none before it).")
    follow_ups = FollowUpSerializer(many=True)


class ReturnPlanInputSerializer(serializers.Serializer):
    organisation = OrganisationField(required=False, default=ReturnOrganisation.IOM)
    organisation_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Needed when not IOM."
    )
    country = serializers.CharField(max_length=2, help_text="The country of return (ISO 3166 code, e.g. RO).")
    planned_on = serializers.DateField(help_text="Not before the case opened.")
    escort = serializers.BooleanField(required=False, default=False)
    reception = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    guardian_consulted = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="A child's return needs it true."
    )
    best_interests_assessed = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="A child's return needs it true."
    )
    note = _note()


class ReturnChangeInputSerializer(serializers.Serializer):
    """The fields to change (any of the plan's) and the version read."""

    # Never partial, also for a PATCH: `version` is required (drf-spectacular documents a PATCH body
    # as partial unless the serializer refuses to be).
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass

    version = _version()
    organisation = OrganisationField(required=False)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False)
    planned_on = serializers.DateField(required=False)
    escort = serializers.BooleanField(required=False)
    reception = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    guardian_consulted = serializers.BooleanField(required=False, allow_null=True)
    best_interests_assessed = serializers.BooleanField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if set(attrs) == {"version"}:
            raise serializers.ValidationError({"non_field_errors": ["Give at least one field to change."]})
        return attrs


class ReturnCancelInputSerializer(serializers.Serializer):
    version = _version()
    reason = serializers.CharField(max_length=2000, help_text="Why the return is cancelled.")


class ReturnRecordInputSerializer(serializers.Serializer):
    version = _version()
    returned_on = serializers.DateField(help_text="Not in the future, not before the case opened.")


class FollowUpInputSerializer(serializers.Serializer):
    stage = serializers.IntegerField(
        min_value=0, max_value=1200, help_text="Months after the return: 3, 6 or 12."
    )
    on_date = serializers.DateField(help_text="Not before the return, not in the future.")
    outcome = OutcomeField()
    housing = SituationField(required=False, default=Situation.UNKNOWN)
    income = SituationField(required=False, default=Situation.UNKNOWN)
    education_work = SituationField(required=False, default=Situation.UNKNOWN)
    health = SituationField(required=False, default=Situation.UNKNOWN)
    re_trafficking_risk = RiskField(required=False, default=Risk.UNKNOWN)
    note = _note()


def _follow_up(f: ReturnFollowUp) -> dict[str, Any]:
    return {
        "id": f.pk,
        "stage": f.stage,
        "on_date": f.on_date,
        "outcome": f.outcome,
        "housing": f.housing,
        "income": f.income,
        "education_work": f.education_work,
        "health": f.health,
        "re_trafficking_risk": f.re_trafficking_risk,
        "note": f.note,
        "clock_id": f.clock_id,
        "recorded_at": f.recorded_at,
    }


def _returns_of_case(user: User, case: Case) -> QuerySet[VoluntaryReturn]:
    return (
        response_reads.voluntary_returns_visible_to(user=user)
        .filter(case=case)
        .select_related("recorded_by_agency")
        .prefetch_related("follow_ups")
        .order_by("planned_on", "created_at", "id")
    )


def _follow_up_clocks(user: User, case: Case) -> dict[str, Clock]:
    qs = response_reads.clocks_visible_to(user=user).filter(case=case, kind=returns.FOLLOW_UP_CLOCK)
    return {c.origin: c for c in qs}


def _return(r: VoluntaryReturn, clocks: dict[str, Clock]) -> dict[str, Any]:
    follow_ups = sorted(r.follow_ups.all(), key=lambda f: (f.stage, f.pk))
    by_stage = {f.stage: f for f in follow_ups}
    prefix = f"return:{r.pk}:"
    mine = {c.stage: c for origin, c in clocks.items() if origin.startswith(prefix) and c.stage is not None}
    stages = []
    for stage in sorted(set(mine) | set(by_stage)):
        clk = mine.get(stage)
        done = by_stage.get(stage)
        stages.append(
            {
                "stage": stage,
                "clock_id": clk.pk if clk else None,
                "due_at": clk.due_at if clk else None,
                "ends_on": clk.ends_on if clk else None,
                "clock_state": clk.state if clk else "",
                "follow_up_id": done.pk if done else None,
            }
        )
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "state": r.state,
        "organisation": r.organisation,
        "organisation_name": r.organisation_name,
        "country": r.country,
        "planned_on": r.planned_on,
        "escort": r.escort,
        "reception": r.reception,
        "guardian_consulted": r.guardian_consulted,
        "best_interests_assessed": r.best_interests_assessed,
        "returned_on": r.returned_on,
        "was_child": r.was_child,
        "note": r.note,
        "recorded_by_agency": r.recorded_by_agency,
        "version": r.version,
        "stages": stages,
        "follow_ups": [_follow_up(f) for f in follow_ups],
    }


def _return_body(user: User, case: Case, ret: VoluntaryReturn) -> Any:
    fresh = _returns_of_case(user, case).get(pk=ret.pk)
    return VoluntaryReturnSerializer(_return(fresh, _follow_up_clocks(user, case))).data


def _acting_on_return(request: Request, case_id: str, return_id: str) -> tuple[User, Case, VoluntaryReturn]:
    """The case (404 when unseen) and one of its returns (404 for another case's)."""
    user, case = _acting_on_case(request, case_id)
    ret = get_or_404(
        response_reads.voluntary_returns_visible_to(user=user).filter(case=case).select_related("case"),
        return_id,
    )
    return user, case, ret


class CaseReturnsView(VardeAPIView):
    @extend_schema(
        operation_id="cases_returns_list",
        tags=["voluntary return"],
        parameters=[CASE_ID],
        responses=responses({200: VoluntaryReturnSerializer(many=True)}, not_found=True),
        summary="The case's voluntary returns (planned, done, cancelled), each with its follow-ups",
    )
    def get(self, request: Request, case_id: str) -> Response:
        user, case = _acting_on_case(request, case_id)
        page = list(self.paginate_queryset(_returns_of_case(user, case)) or [])
        clocks = _follow_up_clocks(user, case)
        return self.get_paginated_response(
            VoluntaryReturnSerializer([_return(r, clocks) for r in page], many=True).data
        )

    @extend_schema(
        operation_id="cases_returns_plan",
        tags=["voluntary return"],
        parameters=[CASE_ID],
        request=ReturnPlanInputSerializer,
        responses=responses({201: VoluntaryReturnSerializer}, body=True, not_found=True),
        summary="Plan a safe voluntary return: organisation, country, date, escort, reception at home",
        description="One plan at a time (400 while another is planned: change or cancel that one). A "
        "child's return will need the guardian consulted and child welfare's assessment of the child's "
        "best interests before it can be recorded.",
    )
    def post(self, request: Request, case_id: str) -> Response:
        user, case = _acting_on_case(request, case_id)
        d = self.input(ReturnPlanInputSerializer).validated_data
        ret = returns.return_plan(actor=user, case=case, **d)
        return Response(_return_body(user, case, ret), status=status.HTTP_201_CREATED)


def _return_write_schema(
    operation_id: str, request: type[serializers.Serializer], summary: str, description: str | None = None
) -> Any:
    """The schema of a write to one planned return: the return as it is now, 400 naming the field, 404
    for a case or a return you may not see, 409 for a stale `version`."""
    return extend_schema(
        operation_id=operation_id,
        tags=["voluntary return"],
        parameters=[CASE_ID, RETURN_ID],
        request=request,
        responses=responses({200: VoluntaryReturnSerializer}, body=True, not_found=True, conflict=True),
        summary=summary,
        description=description,
    )


class ReturnDetailView(VardeAPIView):
    @extend_schema(
        operation_id="cases_return_detail",
        tags=["voluntary return"],
        parameters=[CASE_ID, RETURN_ID],
        responses=responses({200: VoluntaryReturnSerializer}, not_found=True),
        summary="One voluntary return with its follow-ups",
    )
    def get(self, request: Request, case_id: str, return_id: str) -> Response:
        user, case, ret = _acting_on_return(request, case_id, return_id)
        return Response(_return_body(user, case, ret))

    @_return_write_schema(
        "cases_return_change",
        ReturnChangeInputSerializer,
        summary="Change a planned return (any of the plan's fields, with the version read)",
        description="400 for a return that is no longer planned; 409 when someone saved it since.",
    )
    def patch(self, request: Request, case_id: str, return_id: str) -> Response:
        user, case, ret = _acting_on_return(request, case_id, return_id)
        d = dict(self.input(ReturnChangeInputSerializer).validated_data)
        version = d.pop("version")
        done = returns.return_plan_change(actor=user, ret=ret, version=version, **d)
        return Response(_return_body(user, case, done))


class ReturnCancelView(VardeAPIView):
    @_return_write_schema(
        "cases_return_cancel",
        ReturnCancelInputSerializer,
        summary="Cancel a planned return, saying why",
    )
    def post(self, request: Request, case_id: str, return_id: str) -> Response:
        user, case, ret = _acting_on_return(request, case_id, return_id)
        d = self.input(ReturnCancelInputSerializer).validated_data
        done = returns.return_cancel(actor=user, ret=ret, version=d["version"], reason=d["reason"])
        return Response(_return_body(user, case, done))


class ReturnRecordView(VardeAPIView):
    @_return_write_schema(
        "cases_return_record",
        ReturnRecordInputSerializer,
        summary="Record that the planned return has happened: the follow-up deadlines start",
        description="Refused (400, naming the field) for a date in the future or before the case opened, "
        "for a person recorded as missing, and for a child without the guardian consulted and child "
        "welfare's assessment of the child's best interests.",
    )
    def post(self, request: Request, case_id: str, return_id: str) -> Response:
        user, case, ret = _acting_on_return(request, case_id, return_id)
        d = self.input(ReturnRecordInputSerializer).validated_data
        done = returns.return_record(actor=user, ret=ret, returned_on=d["returned_on"], version=d["version"])
        return Response(_return_body(user, case, done))


class ReturnFollowUpsView(VardeAPIView):
    @extend_schema(
        operation_id="cases_return_follow_ups_list",
        tags=["voluntary return"],
        parameters=[CASE_ID, RETURN_ID],
        responses=responses({200: FollowUpSerializer(many=True)}, not_found=True),
        summary="The follow-ups recorded after the return, by stage",
    )
    def get(self, request: Request, case_id: str, return_id: str) -> Response:
        user, _case, ret = _acting_on_return(request, case_id, return_id)
        qs = (
            response_reads.return_follow_ups_visible_to(user=user)
            .filter(voluntary_return=ret)
            .order_by("stage", "id")
        )
        page = list(self.paginate_queryset(qs) or [])
        return self.get_paginated_response(FollowUpSerializer([_follow_up(f) for f in page], many=True).data)

    @extend_schema(
        operation_id="cases_return_follow_ups_record",
        tags=["voluntary return"],
        parameters=[CASE_ID, RETURN_ID],
        request=FollowUpInputSerializer,
        responses=responses({201: FollowUpSerializer}, body=True, not_found=True),
        summary="Record a follow-up after the return: reached or not; housing, income, education or work, "
        "health, risk of re-trafficking",
        description="It meets that stage's deadline. 400 before the return is recorded, for a stage "
        "not in the rules or already recorded, and for a date before the return or in the future.",
    )
    def post(self, request: Request, case_id: str, return_id: str) -> Response:
        user, _case, ret = _acting_on_return(request, case_id, return_id)
        d = self.input(FollowUpInputSerializer).validated_data
        follow_up = returns.follow_up_record(actor=user, ret=ret, **d)
        return Response(FollowUpSerializer(_follow_up(follow_up)).data, status=status.HTTP_201_CREATED)
