"""KOM's national work in the API (varde.coordination): a plan's measures with their status, writing a
ministry's yearly status on a measure, a second person's approval, the project portfolio's summary for
a period, and issues reported to KOM.

The same services and access rules as the pages (varde.access.coordination): a plan or measure is
404 for anyone but KOM's coordinators and ministry users; a status report is written by its ministry
(or KOM) and approved by a second person (403 for the one who wrote or submitted it). No victim's data.
Path ids: `plan_id` is the plan's period (e.g. 2011-2014), `period_id` a span of years (2000-2010).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from varde.access import coordination as reads
from varde.coordination import groups, issues, measures, selectors
from varde.coordination.models import (
    Decision,
    FollowUpTask,
    GroupKind,
    IssueKind,
    IssueState,
    MeasureStatus,
    Meeting,
    ReportedIssue,
    ReportState,
    StatusReport,
    TaskState,
)
from varde.core import clock

from .identification import _choice_field
from .schema import responses, uuid_path
from .serializers import AgencySerializer
from .views import VardeAPIView

PLAN_ID = OpenApiParameter(
    "plan_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^(19|20)\d\d-(19|20)\d\d$",
    description="The plan's period, e.g. `2011-2014` or `2006-2009`.",
)
PERIOD_ID = OpenApiParameter(
    "period_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^(19|20)\d\d-(19|20)\d\d$",
    description="First and last year, e.g. `2000-2010`.",
)
MAX_VERSION = 2**31 - 1  # versions and amounts stay within the database's integers
MAX_NOK = 10**15
MEASURE_ID = uuid_path("measure_id", "The measure's id.")
REPORT_ID = uuid_path("report_id", "The status report's id.")
GROUP_ID = uuid_path("group_id", "The project or reference group's id.")
MEETING_ID = uuid_path("meeting_id", "The group meeting's id.")
TASK_ID = uuid_path("task_id", "The follow-up task's id.")
MAX_TEXT = 20_000


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in enum.choices]


MeasureStatusField = _choice_field(
    "MeasureStatusField", _choices(MeasureStatus), "The measure's status in the year."
)
ReportStateField = _choice_field(
    "ReportStateField", _choices(ReportState), "draft, submitted, or approved (final)."
)
IssueKindField = _choice_field("IssueKindField", _choices(IssueKind), "What the issue is about.")
IssueStateField = _choice_field("IssueStateField", _choices(IssueState), "What KOM did with it.")
GroupKindField = _choice_field("GroupKindField", _choices(GroupKind), "A project group or a reference group.")
TaskStateField = _choice_field("TaskStateField", _choices(TaskState), "open or done.")


# --- serializers -----------------------------------------------------------------------------------------


class VerifiedSerializer(serializers.Serializer):
    text = serializers.BooleanField(help_text="The wording is from the sources.")
    ministries = serializers.BooleanField(help_text="All the ministries are named by the sources.")
    chapter = serializers.BooleanField(help_text="The chapter is from the sources.")


class MeasureRowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    chapter = serializers.IntegerField(allow_null=True)
    ministries = serializers.ListField(
        child=serializers.CharField(), help_text="Ministry codes, the lead first."
    )
    lead = serializers.CharField(allow_null=True)
    status = MeasureStatusField(allow_null=True, help_text="The latest approved status (null: none).")
    year = serializers.IntegerField(allow_null=True, help_text="The year of that status.")
    text = serializers.CharField(allow_blank=True)
    verified = VerifiedSerializer()


class StatusInputSerializer(serializers.Serializer):
    ministry = serializers.SlugField(max_length=20, help_text="The reporting ministry's code, e.g. `ud`.")
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    status = MeasureStatusField()
    done = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    spending_nok = serializers.IntegerField(
        min_value=0, max_value=MAX_NOK, required=False, allow_null=True, default=None
    )
    documents = serializers.CharField(max_length=4_000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        allow_null=True,
        default=None,
        help_text="The report's version; leave out to create it.",
    )
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Send it for approval at once."
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class ReopenSerializer(VersionSerializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why the final report is reopened (kept and audited)."
    )


class StatusReportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    measure_id = serializers.UUIDField()
    ministry = serializers.CharField()
    year = serializers.IntegerField()
    status = MeasureStatusField()
    state = ReportStateField()
    done = serializers.CharField(allow_blank=True)
    spending_nok = serializers.IntegerField(allow_null=True)
    documents = serializers.CharField(allow_blank=True)
    revision = serializers.IntegerField()
    version = serializers.IntegerField()

    @staticmethod
    def body(r: StatusReport) -> dict[str, Any]:
        return {
            "id": r.pk,
            "measure_id": r.measure_id,
            "ministry": r.ministry.code,
            "year": r.year,
            "status": r.status,
            "state": r.state,
            "done": r.done,
            "spending_nok": r.spending_nok,
            "documents": r.documents,
            "revision": r.revision,
            "version": r.version,
        }


class ShareSerializer(serializers.Serializer):
    nok = serializers.IntegerField()
    share = serializers.IntegerField(help_text="Whole per cent of the period's total, rounded half up.")


class SectionSerializer(serializers.Serializer):
    agreements = serializers.IntegerField()
    one_year_agreements = serializers.IntegerField()
    nok = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    # "from" is a keyword: declared through the fields mapping.
    to = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField()
        return fields


class PortfolioSummarySerializer(serializers.Serializer):
    period = PeriodSerializer()
    projects = serializers.IntegerField()
    agreements = serializers.IntegerField()
    one_year = serializers.IntegerField()
    multi_year = serializers.IntegerField()
    total_nok = serializers.IntegerField()
    by_region = serializers.DictField(child=ShareSerializer())
    by_channel = serializers.DictField(child=ShareSerializer())
    by_section = serializers.DictField(child=SectionSerializer())
    by_country = serializers.DictField(child=ShareSerializer())
    by_partner = serializers.DictField(child=ShareSerializer())
    by_objective = serializers.DictField(child=ShareSerializer())
    by_size = serializers.DictField(child=serializers.IntegerField())
    small_projects = serializers.IntegerField(help_text="Projects of NOK 100,000 or less in the period.")
    agreements_annual_up_to_1m = serializers.IntegerField()


class GroupSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = GroupKindField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()


class MemberSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    agency = AgencySerializer()
    readiness_phone = serializers.CharField(allow_blank=True, help_text="The agreed 24-hour phone.")
    readiness_email = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    version = serializers.IntegerField()


class MeetingSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    held_on = serializers.DateField()
    place = serializers.CharField(allow_blank=True)


class GroupSerializer(GroupSummarySerializer):
    members = MemberSerializer(many=True)
    meetings = MeetingSummarySerializer(many=True, help_text="Newest first.")


class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    responsible_id = serializers.UUIDField(help_text="The responsible member.")
    due_on = serializers.DateField()
    state = TaskStateField()
    overdue = serializers.BooleanField()
    version = serializers.IntegerField()

    @staticmethod
    def body(t: FollowUpTask, today: Any) -> dict[str, Any]:
        return {
            "id": t.pk,
            "title": t.title,
            "responsible_id": t.responsible_id,
            "due_on": t.due_on,
            "state": t.state,
            "overdue": t.state == TaskState.OPEN and t.due_on < today,
            "version": t.version,
        }


class DecisionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    text = serializers.CharField()
    tasks = TaskSerializer(many=True)


class MeetingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    group_id = serializers.UUIDField()
    held_on = serializers.DateField()
    place = serializers.CharField(allow_blank=True)
    agenda = serializers.CharField(allow_blank=True)
    minutes = serializers.CharField(allow_blank=True)
    attendees = serializers.ListField(child=serializers.UUIDField(), help_text="Members present.")
    decisions = DecisionSerializer(many=True)
    version = serializers.IntegerField()

    @staticmethod
    def body(m: Meeting) -> dict[str, Any]:
        today = clock.today()
        decisions: list[Decision] = selectors.meeting_decisions(m)
        return {
            "id": m.pk,
            "group_id": m.group_id,
            "held_on": m.held_on,
            "place": m.place,
            "agenda": m.agenda,
            "minutes": m.minutes,
            "attendees": [a.pk for a in selectors.meeting_attendees(m)],
            "decisions": [
                {"id": d.pk, "text": d.text, "tasks": [TaskSerializer.body(t, today) for t in d.tasks.all()]}
                for d in decisions
            ],
            "version": m.version,
        }


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    responsible_id = serializers.UUIDField(help_text="An active member of the group.")
    due_on = serializers.DateField()


class DecisionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)
    tasks = serializers.ListField(child=TaskInputSerializer(), required=False, default=list, max_length=10)


class MeetingInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    attendees = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=200,
        help_text="Ids of the group's members who were present.",
    )  # fmt: skip
    decisions = serializers.ListField(
        child=DecisionInputSerializer(), required=False, default=list, max_length=20
    )


class IssueInputSerializer(serializers.Serializer):
    kind = IssueKindField()
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, help_text="No names or other personal data.")


class IssueSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = IssueKindField()
    subject = serializers.CharField()
    description = serializers.CharField()
    reporter_agency = AgencySerializer()
    state = IssueStateField()
    answer = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)

    @staticmethod
    def body(i: ReportedIssue) -> dict[str, Any]:
        return {
            "id": i.pk,
            "kind": i.kind,
            "subject": i.subject,
            "description": i.description,
            "reporter_agency": i.reporter_agency,
            "state": i.state,
            "answer": i.answer,
            "created_at": i.created_at,
            "answered_at": i.answered_at,
        }


# --- views -----------------------------------------------------------------------------------------------


def _period(period_id: str) -> tuple[int, int]:
    parts = period_id.split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
        raise Http404("Not found")
    first, last = int(parts[0]), int(parts[1])
    if not (1900 <= first <= last <= 2100):
        raise Http404("Not found")
    return first, last


class PlanMeasuresView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_plan_measures",
        tags=["coordination"],
        parameters=[PLAN_ID],
        responses=responses({200: MeasureRowSerializer(many=True)}, not_found=True),
        summary="A plan's measures with their chapter, ministries and latest approved status",
        description="Coordinators and ministry users; everyone else 404.",
    )
    def get(self, request: Request, plan_id: str) -> Response:
        rows = reads.measure_rows_for_user(user=request.user, plan_code=plan_id)  # type: ignore[arg-type]
        page = list(self.paginate_queryset(rows) or [])  # type: ignore[arg-type]
        return self.get_paginated_response(MeasureRowSerializer(page, many=True).data)


class MeasureStatusView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_measure_status_save",
        tags=["coordination"],
        parameters=[MEASURE_ID],
        request=StatusInputSerializer,
        responses=responses({200: StatusReportSerializer}, body=True, not_found=True, conflict=True),
        summary="Write a ministry's status on the measure for a year (a draft; `submit` sends it for approval)",
        description="The ministry's users or KOM (403 for anyone else who reads the plans). Leave out `version` "
        "to create the report; give it to change the draft (409 when stale). A submitted or approved report "
        "cannot be changed (400).",
    )
    def post(self, request: Request, measure_id: str) -> Response:
        user = request.user
        measure = reads.measure_get_for_user(user=user, measure_id=measure_id)  # type: ignore[arg-type]
        data = self.input(StatusInputSerializer).validated_data
        try:
            ministry = reads.ministry_get_for_user(user=user, code=data["ministry"])  # type: ignore[arg-type]
        except Http404:
            raise ValidationError({"ministry": ["No such ministry."]}) from None
        report = measures.status_report_save(
            actor=user,  # type: ignore[arg-type]
            measure=measure,
            ministry=ministry,
            year=data["year"],
            status=data["status"],
            done=data["done"],
            spending_nok=data["spending_nok"],
            documents=data["documents"],
            version=data["version"],
        )
        if data["submit"]:
            report = measures.status_report_submit(actor=user, report=report, version=report.version)  # type: ignore[arg-type]
        return Response(StatusReportSerializer(StatusReportSerializer.body(report)).data)


class StatusApproveView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_status_report_approve",
        tags=["coordination"],
        parameters=[REPORT_ID],
        request=VersionSerializer,
        responses=responses({200: StatusReportSerializer}, body=True, not_found=True, conflict=True),
        summary="Approve a submitted status report: it becomes final (four eyes)",
        description="A second person of the ministry, or KOM: 403 for the one who wrote or submitted it. 400 "
        "when the report is not waiting for approval.",
    )
    def post(self, request: Request, report_id: str) -> Response:
        user = request.user
        report = reads.status_report_get_for_user(user=user, report_id=report_id)  # type: ignore[arg-type]
        if not reads.may_approve(user=user, report=report):  # type: ignore[arg-type]
            raise PermissionDenied("A second person approves: not the one who wrote or submitted it.")
        data = self.input(VersionSerializer).validated_data
        done = measures.status_report_approve(actor=user, report=report, version=data["version"])  # type: ignore[arg-type]
        return Response(StatusReportSerializer(StatusReportSerializer.body(done)).data)


class PortfolioSummaryView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_portfolio_summary",
        tags=["coordination"],
        parameters=[PERIOD_ID],
        responses=responses({200: PortfolioSummarySerializer}, not_found=True),
        summary="The project portfolio summarised for a span of years",
        description="The shape of `varde portfolio summary --json`. Coordinators and ministry users.",
    )
    def get(self, request: Request, period_id: str) -> Response:
        first, last = _period(period_id)
        data = reads.portfolio_summary_for_user(user=request.user, year_from=first, year_to=last)  # type: ignore[arg-type]
        return Response(PortfolioSummarySerializer(data).data)


class IssueListView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_issues_list",
        tags=["coordination"],
        responses=responses({200: IssueSerializer(many=True)}),
        summary="Issues reported to KOM: your own with KOM's answer (coordinators: all)",
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        qs = (
            reads.issues_visible_to(user=user).select_related("reporter_agency").order_by("-created_at", "id")
        )
        page = list(self.paginate_queryset(qs) or [])
        return self.get_paginated_response(
            IssueSerializer([IssueSerializer.body(i) for i in page], many=True).data
        )

    @extend_schema(
        operation_id="coordination_issues_report",
        tags=["coordination"],
        request=IssueInputSerializer,
        responses=responses({201: IssueSerializer}, body=True),
        summary="Report a problematic case or a general issue to KOM, without personal data",
    )
    def post(self, request: Request) -> Response:
        data = self.input(IssueInputSerializer).validated_data
        issue = issues.issue_report(actor=request.user, **data)  # type: ignore[arg-type]
        issue = reads.issue_get_for_user(user=request.user, issue_id=issue.pk)  # type: ignore[arg-type]
        return Response(IssueSerializer(IssueSerializer.body(issue)).data, status=status.HTTP_201_CREATED)


class StatusReopenView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_status_report_reopen",
        tags=["coordination"],
        parameters=[REPORT_ID],
        request=ReopenSerializer,
        responses=responses({200: StatusReportSerializer}, body=True, not_found=True, conflict=True),
        summary="Reopen an approved (final) status report as a draft, saying why",
        description="The ministry's users or KOM (403 for other ministries' users who read it). The reason is "
        "kept in the report's history and the audit log; a second person approves it again. 400 when the "
        "report is not final.",
    )
    def post(self, request: Request, report_id: str) -> Response:
        user: Any = request.user
        report = reads.status_report_get_for_user(user=user, report_id=report_id)
        if not reads.may_report_on(user=user, measure=report.measure, ministry=report.ministry):
            raise PermissionDenied(
                "Only the ministry responsible for the measure, or KOM, reopens its report."
            )
        data = self.input(ReopenSerializer).validated_data
        done = measures.status_report_reopen(
            actor=user, report=report, version=data["version"], reason=data["reason"]
        )
        return Response(StatusReportSerializer(StatusReportSerializer.body(done)).data)


class GroupListView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_groups_list",
        tags=["coordination"],
        responses=responses({200: GroupSummarySerializer(many=True)}),
        summary="The project and reference groups you are a member of (coordinators: all)",
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        page = list(self.paginate_queryset(reads.groups_with_members_visible_to(user=user)) or [])
        return self.get_paginated_response(GroupSummarySerializer(page, many=True).data)


class GroupDetailView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_group_detail",
        tags=["coordination"],
        parameters=[GROUP_ID],
        responses=responses({200: GroupSerializer}, not_found=True),
        summary="A group with its members, their 24-hour readiness contacts, and its meetings",
        description="Its members and KOM's coordinators; everyone else 404.",
    )
    def get(self, request: Request, group_id: str) -> Response:
        group = reads.group_get_for_user(user=request.user, group_id=group_id)  # type: ignore[arg-type]
        # The serializers read the group's, members' and meetings' own attributes; members and meetings
        # as the selectors give them (the page's order).
        body: dict[str, Any] = {
            str(name): getattr(group, str(name)) for name in GroupSummarySerializer().fields
        }
        body["members"] = selectors.group_members(group)
        body["meetings"] = selectors.group_meetings(group)
        return Response(GroupSerializer(body).data)


class GroupMeetingsView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_group_meeting_record",
        tags=["coordination"],
        parameters=[GROUP_ID],
        request=MeetingInputSerializer,
        responses=responses({201: MeetingSerializer}, body=True, not_found=True),
        summary="Record a meeting of the group with its decisions and follow-up tasks (all or nothing)",
        description="KOM's coordinators; the group's members 403, everyone else 404. An error in a decision "
        "or task is reported under `decisions.<n>.<field>`.",
    )
    def post(self, request: Request, group_id: str) -> Response:
        user: Any = request.user
        group = reads.group_get_for_user(user=user, group_id=group_id)
        if not reads.may_manage_group(user):
            raise PermissionDenied("KOM's coordinators record the group's meetings.")
        data = self.input(MeetingInputSerializer).validated_data
        members = {str(m.pk): m for m in selectors.group_members(group)}
        decisions = [
            groups.DecisionInput(
                text=d["text"],
                tasks=tuple(
                    groups.TaskInput(
                        title=t["title"],
                        responsible=members.get(str(t["responsible_id"])),
                        due_on=t["due_on"],
                    )
                    for t in d["tasks"]
                ),
            )
            for d in data["decisions"]
        ]
        meeting = groups.meeting_record_with_decisions(
            actor=user,
            group=group,
            held_on=data["held_on"],
            place=data["place"],
            agenda=data["agenda"],
            minutes=data["minutes"],
            attendee_ids=data["attendees"],
            decisions=decisions,
        )
        meeting = reads.meeting_get_for_user(user=user, meeting_id=meeting.pk)
        return Response(
            MeetingSerializer(MeetingSerializer.body(meeting)).data, status=status.HTTP_201_CREATED
        )


class MeetingDetailView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_meeting_detail",
        tags=["coordination"],
        parameters=[MEETING_ID],
        responses=responses({200: MeetingSerializer}, not_found=True),
        summary="A group meeting: agenda, attendance, minutes, decisions and follow-up tasks",
        description="The group's members and KOM's coordinators; everyone else 404.",
    )
    def get(self, request: Request, meeting_id: str) -> Response:
        meeting = reads.meeting_get_for_user(user=request.user, meeting_id=meeting_id)  # type: ignore[arg-type]
        return Response(MeetingSerializer(MeetingSerializer.body(meeting)).data)


class TaskDoneView(VardeAPIView):
    @extend_schema(
        operation_id="coordination_task_done",
        tags=["coordination"],
        parameters=[TASK_ID],
        request=VersionSerializer,
        responses=responses({200: TaskSerializer}, body=True, not_found=True, conflict=True),
        summary="Mark a follow-up task done",
        description="The responsible member or KOM; the group's other members 403, everyone else 404. 400 when "
        "it is already done.",
    )
    def post(self, request: Request, task_id: str) -> Response:
        user: Any = request.user
        task = reads.task_get_for_user(user=user, task_id=task_id)
        if not groups.may_complete_task(user, task):
            raise PermissionDenied("The responsible member or KOM marks a task done.")
        data = self.input(VersionSerializer).validated_data
        done = groups.task_done(actor=user, task=task, version=data["version"])
        return Response(TaskSerializer(TaskSerializer.body(done, clock.today())).data)
