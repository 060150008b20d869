from django.urls import path

from varde.web.views import (
    agency_admin,
    auth,
    break_glass,
    case_list,
    cases,
    dashboard,
    exports,
    health,
    identification,
    invitations,
    persons,
    report,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("health/", health.health, name="health"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-in/code/", auth.sign_in_code, name="login-otp"),
    path("confirm/", auth.reauthenticate, name="reauthenticate"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("report/", report.report, name="report"),
    path("cases/", case_list.case_list, name="case-list"),
    path("cases/saved/", case_list.case_list_views, name="case-list-views"),
    path("cases/<uuid:case_id>/", cases.case_detail, name="case-detail"),
    path("cases/<uuid:case_id>/break-glass/", break_glass.break_glass, name="break-glass"),
    path("exports/", exports.export_list, name="exports"),
    path("exports/<uuid:request_id>/approve/", exports.export_approve, name="export-approve"),
    path("exports/<uuid:request_id>/download/", exports.export_download, name="export-download"),
    path("cases/<uuid:case_id>/status/", cases.case_status, name="case-status"),
    path("cases/<uuid:case_id>/notes/", cases.case_note, name="case-note"),
    path("cases/<uuid:case_id>/invite/", cases.case_invite, name="case-invite"),
    path(
        "cases/<uuid:case_id>/participants/<uuid:participation_id>/revoke/",
        cases.case_revoke,
        name="case-revoke",
    ),
    path("cases/<uuid:case_id>/consents/", cases.case_consent, name="case-consent"),
    path(
        "cases/<uuid:case_id>/consents/<uuid:consent_id>/withdraw/",
        cases.case_consent_withdraw,
        name="case-consent-withdraw",
    ),
    path("cases/<uuid:case_id>/names/", cases.case_name, name="case-name"),
    path("cases/<uuid:case_id>/age-evidence/", identification.age_evidence_add, name="case-age-evidence"),
    path(
        "cases/<uuid:case_id>/presumption/lift/",
        identification.presumption_lift,
        name="case-presumption-lift",
    ),
    path(
        "cases/<uuid:case_id>/assessments/new/<slug:catalogue_id>/",
        identification.assessment_new,
        name="assessment-new",
    ),
    path(
        "cases/<uuid:case_id>/assessments/new/<slug:catalogue_id>/preview/",
        identification.assessment_preview,
        name="assessment-preview",
    ),
    path("assessments/<uuid:assessment_id>/", identification.assessment_detail, name="assessment-detail"),
    path("persons/<uuid:person_id>/", persons.person_detail, name="person-detail"),
    path(
        "invitations/<uuid:participation_id>/accept/", invitations.invitation_accept, name="invitation-accept"
    ),
    path(
        "invitations/<uuid:participation_id>/decline/",
        invitations.invitation_decline,
        name="invitation-decline",
    ),
    path("agency-admin/", agency_admin.agency_admin_index, name="agency-admin"),
    path("agency-admin/<uuid:agency_id>/", agency_admin.agency_admin_detail, name="agency-admin-detail"),
    path(
        "agency-admin/<uuid:agency_id>/members/",
        agency_admin.agency_admin_add_member,
        name="agency-admin-add-member",
    ),
    path(
        "agency-admin/memberships/<uuid:membership_id>/role/",
        agency_admin.agency_admin_change_role,
        name="agency-admin-change-role",
    ),
    path(
        "agency-admin/memberships/<uuid:membership_id>/deactivate/",
        agency_admin.agency_admin_deactivate,
        name="agency-admin-deactivate",
    ),
    path(
        "agency-admin/<uuid:agency_id>/local-questions/",
        agency_admin.agency_admin_local_question_add,
        name="agency-admin-local-question-add",
    ),
    path(
        "agency-admin/local-questions/<uuid:question_id>/retire/",
        agency_admin.agency_admin_local_question_retire,
        name="agency-admin-local-question-retire",
    ),
]

from varde.web.views import deadlines, response  # noqa: E402

urlpatterns += [
    path("response/clocks/", deadlines.national_clocks, name="response-clocks"),
    path("response/next/", deadlines.next_actions, name="response-next"),
    path("notifications/", deadlines.inbox, name="notifications"),
    path("notifications/acknowledge/", deadlines.notifications_acknowledge, name="notifications-acknowledge"),
    path("notifications/<uuid:notification_id>/", response.notification_detail, name="notification-detail"),
    path(
        "notifications/<uuid:notification_id>/acknowledge/",
        deadlines.notification_acknowledge,
        name="notification-acknowledge",
    ),
    path("cases/<uuid:case_id>/response/", response.case_response, name="case-response"),
    path(
        "cases/<uuid:case_id>/response/clocks/<uuid:clock_id>/<slug:action>/",
        response.case_clock_action,
        name="case-clock-action",
    ),
    path("cases/<uuid:case_id>/response/placements/", response.case_placement, name="case-placement"),
    path("cases/<uuid:case_id>/response/missing/", response.case_missing, name="case-missing"),
    path(
        "cases/<uuid:case_id>/response/missing/<uuid:episode_id>/close/",
        response.case_missing_close,
        name="case-missing-close",
    ),
    path("cases/<uuid:case_id>/response/plan/", response.case_plan, name="case-plan"),
    path("cases/<uuid:case_id>/response/plan/goals/", response.case_plan_goal, name="case-plan-goal"),
    path("cases/<uuid:case_id>/response/tasks/", response.case_task, name="case-task"),
    path(
        "cases/<uuid:case_id>/response/tasks/<uuid:task_id>/done/",
        response.case_task_done,
        name="case-task-done",
    ),
    path("cases/<uuid:case_id>/response/meetings/", response.case_meeting, name="case-meeting"),
    path(
        "cases/<uuid:case_id>/response/meetings/<uuid:meeting_id>/decisions/",
        response.case_meeting_decisions,
        name="case-meeting-decisions",
    ),
    path("cases/<uuid:case_id>/response/legal-status/", response.case_legal_status, name="case-legal-status"),
    path(
        "cases/<uuid:case_id>/response/police-cooperation/",
        response.case_police_cooperation,
        name="case-police-cooperation",
    ),
    path("cases/<uuid:case_id>/response/return/", response.case_return_plan, name="case-return-plan"),
    path(
        "cases/<uuid:case_id>/response/return/change/", response.case_return_change, name="case-return-change"
    ),
    path(
        "cases/<uuid:case_id>/response/return/record/", response.case_return_record, name="case-return-record"
    ),
    path(
        "cases/<uuid:case_id>/response/return/cancel/", response.case_return_cancel, name="case-return-cancel"
    ),
    path(
        "cases/<uuid:case_id>/response/return/follow-ups/",
        response.case_return_follow_up,
        name="case-return-follow-up",
    ),
    path("directory/", response.directory, name="directory"),
    path(
        "agency-admin/<uuid:agency_id>/contact/",
        agency_admin.agency_admin_contact,
        name="agency-admin-contact",
    ),
]

from varde.web.views import statistics  # noqa: E402

urlpatterns += [
    path("statistics/", statistics.statistics_index, name="statistics-index"),
    path("statistics/<int:year>/", statistics.statistics_report, name="statistics-report"),
    path("statistics/<int:year>/report.pdf", statistics.statistics_report_pdf, name="statistics-report-pdf"),
    path(
        "statistics/<int:year>/report.xlsx", statistics.statistics_report_xlsx, name="statistics-report-xlsx"
    ),
    path(
        "statistics/<int:year>/charts/<slug:chart>.svg", statistics.statistics_chart, name="statistics-chart"
    ),
    path("statistics/<int:year>/edit/", statistics.statistics_report_edit, name="statistics-report-edit"),
]

from varde.web.views import linkage  # noqa: E402

urlpatterns += [
    path("linkage/review/", linkage.review_queue, name="linkage-review"),
    path("linkage/review/<uuid:pair_id>/", linkage.review_pair, name="linkage-review-pair"),
    path("linkage/merges/", linkage.merges, name="linkage-merges"),
    path("linkage/merges/<uuid:decision_id>/undo/", linkage.merge_undo, name="linkage-merge-undo"),
]

from varde.web.views import prosecution  # noqa: E402

urlpatterns += [
    path("criminal-cases/", prosecution.criminal_case_list, name="criminal-cases"),
    path("criminal-cases/new/", prosecution.criminal_case_new, name="criminal-case-new"),
    path(
        "criminal-cases/<uuid:criminal_case_id>/",
        prosecution.criminal_case_detail,
        name="criminal-case-detail",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/stages/",
        prosecution.criminal_case_stage,
        name="criminal-case-stage",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/trial/",
        prosecution.criminal_case_trial,
        name="criminal-case-trial",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/facts/",
        prosecution.criminal_case_facts,
        name="criminal-case-facts",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/victims/",
        prosecution.criminal_case_victim,
        name="criminal-case-victim",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/perpetrators/",
        prosecution.criminal_case_perpetrator,
        name="criminal-case-perpetrator",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/perpetrators/<uuid:link_id>/outcome/",
        prosecution.criminal_case_outcome,
        name="criminal-case-outcome",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/networks/",
        prosecution.criminal_case_network,
        name="criminal-case-network",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/cooperation/",
        prosecution.criminal_case_cooperation,
        name="criminal-case-cooperation",
    ),
    path(
        "criminal-cases/<uuid:criminal_case_id>/participants/",
        prosecution.criminal_case_participant,
        name="criminal-case-participant",
    ),
    path(
        "cases/<uuid:case_id>/criminal-proceedings/",
        prosecution.case_criminal_proceedings,
        name="case-criminal-proceedings",
    ),
    path("statistics/prosecution/", prosecution.prosecution_statistics, name="statistics-prosecution"),
]

from varde.web.views import coordination  # noqa: E402

urlpatterns += [
    path("coordination/", coordination.index, name="coordination"),
    path("coordination/plans/<slug:plan_code>/", coordination.plan_detail, name="coordination-plan"),
    path(
        "coordination/measures/<uuid:measure_id>/", coordination.measure_detail, name="coordination-measure"
    ),
    path(
        "coordination/measures/<uuid:measure_id>/status/<slug:ministry>/<int:year>/",
        coordination.status_edit,
        name="coordination-status-edit",
    ),
    path(
        "coordination/status/<uuid:report_id>/", coordination.status_report, name="coordination-status-report"
    ),
    path(
        "coordination/status/<uuid:report_id>/submit/",
        coordination.status_submit,
        name="coordination-status-submit",
    ),
    path(
        "coordination/status/<uuid:report_id>/approve/",
        coordination.status_approve,
        name="coordination-status-approve",
    ),
    path(
        "coordination/status/<uuid:report_id>/return/",
        coordination.status_return,
        name="coordination-status-return",
    ),
    path(
        "coordination/status/<uuid:report_id>/reopen/",
        coordination.status_reopen,
        name="coordination-status-reopen",
    ),
    path(
        "coordination/ministries/<slug:ministry>/<int:year>/",
        coordination.ministry_report,
        name="coordination-ministry-report",
    ),
    path(
        "coordination/ministries/<slug:ministry>/<int:year>/report.xlsx",
        coordination.ministry_report_xlsx,
        name="coordination-ministry-report-xlsx",
    ),
    path("coordination/portfolio/", coordination.portfolio_summary, name="coordination-portfolio"),
    path(
        "coordination/portfolio/projects/",
        coordination.portfolio_projects,
        name="coordination-portfolio-projects",
    ),
    path(
        "coordination/portfolio/export.<slug:fmt>",
        coordination.portfolio_export,
        name="coordination-portfolio-export",
    ),
    path(
        "coordination/portfolio/import/", coordination.portfolio_upload, name="coordination-portfolio-import"
    ),
    path("coordination/groups/", coordination.group_list, name="coordination-groups"),
    path("coordination/groups/new/", coordination.group_new, name="coordination-group-new"),
    path("coordination/groups/<uuid:group_id>/", coordination.group_detail, name="coordination-group"),
    path(
        "coordination/groups/<uuid:group_id>/edit/", coordination.group_edit, name="coordination-group-edit"
    ),
    path(
        "coordination/members/<uuid:member_id>/edit/",
        coordination.member_edit,
        name="coordination-member-edit",
    ),
    path(
        "coordination/meetings/<uuid:meeting_id>/edit/",
        coordination.meeting_edit,
        name="coordination-meeting-edit",
    ),
    path(
        "coordination/groups/<uuid:group_id>/members/",
        coordination.group_member_add,
        name="coordination-group-member",
    ),
    path(
        "coordination/groups/<uuid:group_id>/meetings/new/",
        coordination.meeting_new,
        name="coordination-meeting-new",
    ),
    path(
        "coordination/meetings/<uuid:meeting_id>/", coordination.meeting_detail, name="coordination-meeting"
    ),
    path(
        "coordination/meetings/<uuid:meeting_id>/decisions/",
        coordination.meeting_decision,
        name="coordination-meeting-decision",
    ),
    path("coordination/tasks/<uuid:task_id>/done/", coordination.task_done, name="coordination-task-done"),
    path("coordination/issues/", coordination.issue_list, name="coordination-issues"),
    path("coordination/issues/<uuid:issue_id>/", coordination.issue_detail, name="coordination-issue"),
    path(
        "coordination/issues/<uuid:issue_id>/triage/",
        coordination.issue_triage,
        name="coordination-issue-triage",
    ),
    path("coordination/training/", coordination.training_page, name="coordination-training"),
    path("coordination/training/courses/", coordination.training_course, name="coordination-training-course"),
    path(
        "coordination/training/sessions/", coordination.training_session, name="coordination-training-session"
    ),
    path(
        "coordination/training/participants/",
        coordination.training_participant,
        name="coordination-training-participant",
    ),
    path("coordination/seminars/", coordination.seminar_list, name="coordination-seminars"),
    path(
        "coordination/seminars/participants/",
        coordination.seminar_participant,
        name="coordination-seminar-participant",
    ),
    path("coordination/local-units/", coordination.local_unit_list, name="coordination-local-units"),
    path(
        "coordination/local-units/dispatch/",
        coordination.local_unit_dispatch,
        name="coordination-local-unit-dispatch",
    ),
    path("coordination/commission/", coordination.commission_index, name="coordination-commission"),
    path(
        "coordination/commission/<int:year>/",
        coordination.commission_report,
        name="coordination-commission-report",
    ),
    path(
        "coordination/commission/<int:year>/report.pdf",
        coordination.commission_report_pdf,
        name="coordination-commission-report-pdf",
    ),
    path(
        "coordination/commission/<int:year>/report.xlsx",
        coordination.commission_report_xlsx,
        name="coordination-commission-report-xlsx",
    ),
]

from varde.web.views import anonymous  # noqa: E402

# Anonymous notifications (issue 22): adults who decline help, recorded without identity.
urlpatterns += [
    path("anonymous/", anonymous.anonymous_list, name="anonymous-notifications"),
    path("anonymous/new/", anonymous.anonymous_new, name="anonymous-notification-new"),
    path(
        "anonymous/<uuid:notification_id>/withdraw/",
        anonymous.anonymous_withdraw,
        name="anonymous-notification-withdraw",
    ),
]

from varde.web.views import audit_trail  # noqa: E402

# The auditor's pages (issue 20): the audit trail, the chain's integrity, who has seen a case.
urlpatterns += [
    path("audit/", audit_trail.audit_trail, name="audit-trail"),
    path("audit/verify/", audit_trail.audit_verify, name="audit-verify"),
    path("audit/cases/<str:reference>/", audit_trail.audit_case, name="audit-case"),
    path(
        "audit/cases/<str:reference>/export.csv", audit_trail.audit_case_export_csv, name="audit-case-export"
    ),
]
