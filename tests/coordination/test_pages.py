"""The pages of KOM's national work: who sees what (404 for the rest), the forms work, no victim's
data on any of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import login_verified
from varde.coordination import groups, issues
from varde.coordination import measures as svc
from varde.coordination.models import (
    FollowUpTask,
    GroupKind,
    Measure,
    Meeting,
    Ministry,
    ReportedIssue,
    ReportState,
    StatusReport,
)
from varde.core import clock
from varde.demo.coordination import load_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_group(personas, agencies):
    group = groups.group_create(actor=personas.coordinator, kind=GroupKind.REFERENCE, name="Reference group")
    member = groups.group_member_add(
        actor=personas.coordinator, group=group, agency=agencies.ngo, name="Sara Lind", user=personas.ngo,
        readiness_phone="+47 900 00 000",
    )  # fmt: skip
    return group, member


def test_a_ministry_user_reads_the_plans_and_the_portfolio_and_others_get_404(
    client, personas, ministry_users
):
    load_portfolio(coordinator=personas.coordinator)
    login_verified(client, ministry_users.ud)
    for url in (
        reverse("coordination"),
        reverse("coordination-plan", args=["2011-2014"]),
        reverse("coordination-plan", args=["2006-2009"]) + "?year=2007",
        reverse("coordination-portfolio") + "?year_from=2000&year_to=2010",
        reverse("coordination-portfolio-projects"),
        reverse("coordination-ministry-report", args=["ud", 2007]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("coordination-portfolio") + "?year_from=2000&year_to=2010").content.decode()
    assert "193" in page and "138" in page and "West Balkans Section" in page
    xlsx = client.get(reverse("coordination-ministry-report-xlsx", args=["ud", 2007]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    for name in ("outsider", "police", "analyst"):
        login_verified(client, getattr(personas, name))
        assert client.get(reverse("coordination-plan", args=["2011-2014"])).status_code == 404
        assert client.get(reverse("coordination-portfolio")).status_code == 404
        assert client.get(reverse("coordination-ministry-report", args=["ud", 2007])).status_code == 404


def test_a_ministry_user_writes_and_submits_a_status_and_a_second_person_approves_on_the_pages(
    client, ministry_users, personas
):
    measure = Measure.objects.get(plan__code="2006-2009", number=33)
    login_verified(client, ministry_users.ud)
    measure_page = client.get(reverse("coordination-measure", args=[measure.pk])).content.decode()
    assert reverse("coordination-status-edit", args=[measure.pk, "ud", 2007]) in measure_page
    url = reverse("coordination-status-edit", args=[measure.pk, "ud", 2007])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"status-status": "ongoing", "status-done": "COMMIT and IOM Kenya supported.", "status-spending_nok": "2500000",
         "status-documents": "", "status-version": "", "submit": "1"},
    )  # fmt: skip
    report = StatusReport.objects.get(measure=measure, year=2007)
    assert response.status_code == 302 and report.state == ReportState.SUBMITTED
    page = client.get(reverse("coordination-status-report", args=[report.pk])).content.decode()
    assert reverse("coordination-status-approve", args=[report.pk]) not in page  # not the writer's to approve
    assert (
        client.post(
            reverse("coordination-status-approve", args=[report.pk]), {"approve-version": report.version}
        ).status_code
        == 403
    )
    # Another ministry does not see the MFA's report before it is final, and may not write it.
    login_verified(client, ministry_users.jd)
    assert client.get(reverse("coordination-status-report", args=[report.pk])).status_code == 404
    assert client.get(url).status_code == 403
    login_verified(client, ministry_users.ud_second)
    response = client.post(
        reverse("coordination-status-approve", args=[report.pk]), {"approve-version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_final and report.approved_by == ministry_users.ud_second


def test_a_final_status_is_reopened_on_its_page_with_a_reason_and_shows_in_the_history(
    client, ministry_users
):
    measure = Measure.objects.get(plan__code="2006-2009", number=33)
    ud = Ministry.objects.get(code="ud")
    report = svc.status_report_save(
        actor=ministry_users.ud, measure=measure, ministry=ud, year=2007, status="completed", done="Done."
    )
    report = svc.status_report_submit(actor=ministry_users.ud, report=report, version=report.version)
    report = svc.status_report_approve(actor=ministry_users.ud_second, report=report, version=report.version)
    url = reverse("coordination-status-reopen", args=[report.pk])
    login_verified(client, ministry_users.jd)  # reads the final report of another ministry, may not reopen it
    page = client.get(reverse("coordination-status-report", args=[report.pk])).content.decode()
    assert url not in page
    assert client.post(url, {"reopen-version": report.version, "reopen-reason": "No."}).status_code == 403
    login_verified(client, ministry_users.ud)
    page = client.get(reverse("coordination-status-report", args=[report.pk])).content.decode()
    assert url in page
    no_reason = client.post(url, {"reopen-version": report.version, "reopen-reason": ""})
    assert no_reason.status_code == 200 and StatusReport.objects.get(pk=report.pk).is_final
    stale = client.post(url, {"reopen-version": report.version - 1, "reopen-reason": "The sum was wrong."})
    assert stale.status_code == 409 and "The sum was wrong." in stale.content.decode()
    response = client.post(url, {"reopen-version": report.version, "reopen-reason": "The sum was wrong."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.returned_reason == "The sum was wrong."
    page = client.get(reverse("coordination-status-report", args=[report.pk])).content.decode()
    assert "The sum was wrong." in page and url not in page


def test_the_coordination_views_read_through_the_access_layer_and_ask_the_shared_predicates():
    """Issue 14's rule for every view, held for KOM's pages: no ORM query and no role test of their own."""
    import ast
    import inspect

    from varde.web.views import coordination as views

    source = inspect.getsource(views)
    tree = ast.parse(source)
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not calls & {
        "filter",
        "exclude",
        "select_related",
        "prefetch_related",
        "exists",
        "count",
        "refresh_from_db",
    }
    assert ".objects" not in source and "PermissionDenied" not in source
    assert "require_coordinator" not in source and "require_reader" not in source
    decorated = {
        node.name: {ast.unparse(d) for d in node.decorator_list}
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }
    for name in ("training_page", "seminar_list", "local_unit_list", "portfolio_upload", "group_new"):
        assert "coordinators_only" in decorated[name], name
    for name in ("portfolio_summary", "portfolio_projects", "portfolio_export"):
        assert "plan_readers_only" in decorated[name], name
    assert all("login_required" in d for d in decorated.values())


def test_a_stale_status_form_answers_409_and_keeps_the_input(client, ministry_users):
    measure = Measure.objects.get(plan__code="2006-2009", number=34)
    report = svc.status_report_save(
        actor=ministry_users.ud, measure=measure, ministry=Ministry.objects.get(code="ud"), year=2007,
        status="ongoing", done="First text.",
    )  # fmt: skip
    login_verified(client, ministry_users.ud_second)
    response = client.post(
        reverse("coordination-status-edit", args=[measure.pk, "ud", 2007]),
        {
            "status-status": "completed",
            "status-done": "My new text.",
            "status-version": str(report.version + 3),
        },
    )
    assert response.status_code == 409 and "My new text." in response.content.decode()
    assert StatusReport.objects.get(pk=report.pk).done == "First text."


def test_the_coordinator_records_a_meeting_with_a_decision_and_a_task_that_only_members_see(
    client, personas, reference_group
):
    group, member = reference_group
    login_verified(client, personas.coordinator)
    response = client.post(
        reverse("coordination-meeting-new", args=[group.pk]),
        {"meeting-held_on": "2026-11-05", "meeting-place": "KOM", "meeting-agenda": "Begging", "meeting-attendees": [str(member.pk)],
         "meeting-minutes": "Discussed organised begging.", "meeting-decision": "Ask the police for figures.",
         "meeting-task": "Collect the figures", "meeting-responsible": str(member.pk), "meeting-due_on": "2026-12-01"},
    )  # fmt: skip
    meeting = Meeting.objects.get(group=group)
    assert response.status_code == 302 and response["Location"] == reverse(
        "coordination-meeting", args=[meeting.pk]
    )
    task = FollowUpTask.objects.get(decision__meeting=meeting)
    assert task.responsible == member and task.due_on == dt.date(2026, 12, 1)
    url = reverse("coordination-meeting", args=[meeting.pk])
    login_verified(client, personas.ngo)  # a member
    page = client.get(url).content.decode()
    assert "Discussed organised begging." in page and "Collect the figures" in page
    assert (
        client.post(
            reverse("coordination-meeting-decision", args=[meeting.pk]), {"decision-decision": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("coordination-task-done", args=[task.pk]), {f"task-{task.pk}-version": task.version}
        ).status_code
        == 302
    )
    assert FollowUpTask.objects.get(pk=task.pk).state == "done"
    for name in ("police", "outsider", "analyst"):
        login_verified(client, getattr(personas, name))
        assert client.get(url).status_code == 404
        assert client.get(reverse("coordination-group", args=[group.pk])).status_code == 404


def test_an_overdue_task_shows_on_the_hub(client, personas, reference_group):
    group, member = reference_group
    meeting = groups.meeting_record(actor=personas.coordinator, group=group, held_on=clock.today())
    decision = groups.decision_add(actor=personas.coordinator, meeting=meeting, text="Write the guideline.")
    groups.task_add(
        actor=personas.coordinator, decision=decision, title="Draft it", responsible=member,
        due_on=clock.today() - dt.timedelta(days=1),
    )  # fmt: skip
    login_verified(client, personas.ngo)
    page = client.get(reverse("coordination")).content.decode()
    assert "Draft it" in page and 'data-testid="overdue-tasks"' in page


def test_an_agency_user_reports_an_issue_and_sees_kom_s_answer(client, personas, reference_group):
    group, _member = reference_group
    login_verified(client, personas.police)
    response = client.post(
        reverse("coordination-issues"),
        {
            "issue-kind": "general",
            "issue-subject": "Interpreters at night",
            "issue-description": "No interpreter after 22.",
        },
    )
    issue = ReportedIssue.objects.get()
    assert response.status_code == 302 and issue.reporter == personas.police
    assert client.post(reverse("coordination-issue-triage", args=[issue.pk]), {}).status_code == 403
    login_verified(client, personas.ngo)
    assert client.get(reverse("coordination-issue", args=[issue.pk])).status_code == 404
    login_verified(client, personas.coordinator)
    response = client.post(
        reverse("coordination-issue-triage", args=[issue.pk]),
        {"triage-state": "taken_to_group", "triage-group": str(group.pk), "triage-answer": "On the next agenda.",
         "triage-version": issue.version},
    )  # fmt: skip
    assert response.status_code == 302
    login_verified(client, personas.police)
    assert (
        "On the next agenda." in client.get(reverse("coordination-issue", args=[issue.pk])).content.decode()
    )


def test_coordinator_pages_training_seminars_units_and_the_commission_report(client, personas, agencies):
    login_verified(client, personas.coordinator)
    for name in (
        "coordination-training",
        "coordination-seminars",
        "coordination-local-units",
        "coordination-groups",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    client.post(
        reverse("coordination-training-course"), {"course-topic": "Indicators", "course-audience": "Police"}
    )
    from varde.coordination.models import Course, LocalUnit, TrainingSession

    course = Course.objects.get()
    client.post(
        reverse("coordination-training-session"),
        {"session-course": course.pk, "session-held_on": "2026-10-01"},
    )
    session = TrainingSession.objects.get()
    response = client.post(
        reverse("coordination-training-participant"),
        {
            "participant-session": session.pk,
            "participant-agency": agencies.police.pk,
            "participant-user": personas.police.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("coordination-training")).content.decode()
    assert 'data-testid="trained-shares"' in page
    client.post(
        reverse("coordination-local-units"),
        {
            "unit-name": "Bergen",
            "unit-municipality": "4601",
            "unit-police_district": "",
            "unit-contact_name": "",
        },
    )
    unit = LocalUnit.objects.get()
    groups.local_unit_member_add(actor=personas.coordinator, unit=unit, user=personas.childwelfare)
    assert (
        client.post(
            reverse("coordination-local-unit-dispatch"), {"dispatch-unit": unit.pk, "dispatch-year": 2025}
        ).status_code
        == 302
    )
    assert client.get(reverse("coordination-commission-report", args=[2025])).status_code == 200
    xlsx = client.get(reverse("coordination-commission-report-xlsx", args=[2025]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    login_verified(client, personas.childwelfare)  # a member of the unit the 2025 report went to
    assert client.get(reverse("coordination-commission-report", args=[2025])).status_code == 200
    assert client.get(reverse("coordination-commission-report", args=[2024])).status_code == 404
    assert client.get(reverse("coordination-training")).status_code == 404
    login_verified(client, personas.outsider)
    assert client.get(reverse("coordination-commission-report", args=[2025])).status_code == 404


def test_the_commission_report_pdf(client, personas):
    login_verified(client, personas.coordinator)
    response = client.get(reverse("coordination-commission-report-pdf", args=[2007]))
    assert response.status_code == 200 and response.content[:4] == b"%PDF"


def test_issue_service_refuses_users_without_an_agency(personas):
    from django.contrib.auth import get_user_model

    from varde.core.errors import NotPermitted

    nobody = get_user_model().objects.create_user(username="nobody", password="x" * 20)
    with pytest.raises(NotPermitted):
        issues.issue_report(actor=nobody, kind="general", subject="s", description="d")
