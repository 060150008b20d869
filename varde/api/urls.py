from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .identification import (
    AssessmentDetailView,
    CaseAgeEvidenceView,
    CaseAssessmentsView,
    CasePresumptionLiftView,
    CatalogueDetailView,
    CatalogueEvaluateView,
    CatalogueListView,
)

# Ids are matched as plain strings and checked by the access layer, so a malformed id answers the
# same JSON 404 as a record the user may not see.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("agencies/", views.AgencyListView.as_view(), name="api-agencies"),
    path("cases/", views.CaseListView.as_view(), name="api-cases"),
    path("cases/<str:case_id>/", views.CaseDetailView.as_view(), name="api-case"),
    path("cases/<str:case_id>/status/", views.CaseStatusView.as_view(), name="api-case-status"),
    path("cases/<str:case_id>/break-glass/", views.BreakGlassView.as_view(), name="api-case-break-glass"),
    path("exports/", views.ExportRequestListView.as_view(), name="api-exports"),
    path("exports/<str:request_id>/approve/", views.ExportApproveView.as_view(), name="api-export-approve"),
    path(
        "exports/<str:request_id>/download/", views.ExportDownloadView.as_view(), name="api-export-download"
    ),
    path("cases/<str:case_id>/timeline/", views.CaseTimelineView.as_view(), name="api-case-timeline"),
    path(
        "cases/<str:case_id>/participants/",
        views.CaseParticipantsView.as_view(),
        name="api-case-participants",
    ),
    path(
        "cases/<str:case_id>/participants/<str:participation_id>/revoke/",
        views.ParticipationRevokeView.as_view(),
        name="api-case-participant-revoke",
    ),
    path("cases/<str:case_id>/consents/", views.CaseConsentsView.as_view(), name="api-case-consents"),
    path(
        "cases/<str:case_id>/consents/<str:consent_id>/withdraw/",
        views.ConsentWithdrawView.as_view(),
        name="api-case-consent-withdraw",
    ),
    path("cases/<str:case_id>/notes/", views.CaseNotesView.as_view(), name="api-case-notes"),
    path("invitations/", views.InvitationListView.as_view(), name="api-invitations"),
    path(
        "invitations/<str:invitation_id>/accept/",
        views.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path(
        "invitations/<str:invitation_id>/decline/",
        views.InvitationDeclineView.as_view(),
        name="api-invitation-decline",
    ),
    path("persons/<str:person_id>/", views.PersonDetailView.as_view(), name="api-person"),
    path("indicator-catalogues/", CatalogueListView.as_view(), name="api-indicator-catalogues"),
    path(
        "indicator-catalogues/<str:catalogue_id>/",
        CatalogueDetailView.as_view(),
        name="api-indicator-catalogue",
    ),
    path(
        "indicator-catalogues/<str:catalogue_id>/evaluate/",
        CatalogueEvaluateView.as_view(),
        name="api-indicator-catalogue-evaluate",
    ),
    path("cases/<str:case_id>/assessments/", CaseAssessmentsView.as_view(), name="api-case-assessments"),
    path("assessments/<str:assessment_id>/", AssessmentDetailView.as_view(), name="api-assessment"),
    path("cases/<str:case_id>/age-evidence/", CaseAgeEvidenceView.as_view(), name="api-case-age-evidence"),
    path(
        "cases/<str:case_id>/presumption/lift/",
        CasePresumptionLiftView.as_view(),
        name="api-case-presumption-lift",
    ),
    re_path(r"^.*$", views.api_not_found),
]

from . import response  # noqa: E402

# The coordinated response, ahead of the catch-all (which stays last).
urlpatterns[-1:-1] = [
    path("notifications/", response.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/<str:notification_id>/acknowledge/",
        response.NotificationAcknowledgeView.as_view(),
        name="api-notification-acknowledge",
    ),
    path("cases/<str:case_id>/clocks/", response.CaseClocksView.as_view(), name="api-case-clocks"),
    path(
        "cases/<str:case_id>/placements/", response.CasePlacementsView.as_view(), name="api-case-placements"
    ),
    path(
        "cases/<str:case_id>/missing-episodes/",
        response.CaseMissingEpisodesView.as_view(),
        name="api-case-missing-episodes",
    ),
    path("response/clocks/", response.NationalClocksView.as_view(), name="api-response-clocks"),
]

from . import prosecution  # noqa: E402

# Criminal cases, ahead of the catch-all (which stays last).
urlpatterns[-1:-1] = [
    path("criminal-cases/", prosecution.CriminalCaseListView.as_view(), name="api-criminal-cases"),
    path(
        "criminal-cases/<str:criminal_case_id>/",
        prosecution.CriminalCaseDetailView.as_view(),
        name="api-criminal-case",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/stages/",
        prosecution.CriminalCaseStagesView.as_view(),
        name="api-criminal-case-stages",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/facts/",
        prosecution.CriminalCaseFactsView.as_view(),
        name="api-criminal-case-facts",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/victims/",
        prosecution.CriminalCaseVictimsView.as_view(),
        name="api-criminal-case-victims",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/perpetrators/",
        prosecution.CriminalCasePerpetratorsView.as_view(),
        name="api-criminal-case-perpetrators",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/perpetrators/<str:link_id>/outcome/",
        prosecution.PerpetratorOutcomeView.as_view(),
        name="api-criminal-case-perpetrator-outcome",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/trial/",
        prosecution.CriminalCaseTrialView.as_view(),
        name="api-criminal-case-trial",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/networks/",
        prosecution.CriminalCaseNetworksView.as_view(),
        name="api-criminal-case-networks",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/cooperation/",
        prosecution.CriminalCaseCooperationView.as_view(),
        name="api-criminal-case-cooperation",
    ),
    path(
        "criminal-cases/<str:criminal_case_id>/participants/",
        prosecution.CriminalCaseParticipantsView.as_view(),
        name="api-criminal-case-participants",
    ),
    path(
        "cases/<str:case_id>/criminal-proceedings/",
        prosecution.CaseProceedingsView.as_view(),
        name="api-case-criminal-proceedings",
    ),
    path(
        "statistics/prosecution/<str:period_id>/",
        prosecution.ProsecutionFiguresView.as_view(),
        name="api-statistics-prosecution",
    ),
]

from . import coordination  # noqa: E402

# KOM's national work, ahead of the catch-all (which stays last).
urlpatterns[-1:-1] = [
    path(
        "coordination/plans/<str:plan_id>/measures/",
        coordination.PlanMeasuresView.as_view(),
        name="api-coordination-plan-measures",
    ),
    path(
        "coordination/measures/<str:measure_id>/status/",
        coordination.MeasureStatusView.as_view(),
        name="api-coordination-measure-status",
    ),
    path(
        "coordination/status-reports/<str:report_id>/approve/",
        coordination.StatusApproveView.as_view(),
        name="api-coordination-status-approve",
    ),
    path(
        "coordination/portfolio/<str:period_id>/summary/",
        coordination.PortfolioSummaryView.as_view(),
        name="api-coordination-portfolio-summary",
    ),
    path("coordination/issues/", coordination.IssueListView.as_view(), name="api-coordination-issues"),
    path(
        "coordination/status-reports/<str:report_id>/reopen/",
        coordination.StatusReopenView.as_view(),
        name="api-coordination-status-reopen",
    ),
    path("coordination/groups/", coordination.GroupListView.as_view(), name="api-coordination-groups"),
    path(
        "coordination/groups/<str:group_id>/",
        coordination.GroupDetailView.as_view(),
        name="api-coordination-group",
    ),
    path(
        "coordination/groups/<str:group_id>/meetings/",
        coordination.GroupMeetingsView.as_view(),
        name="api-coordination-group-meetings",
    ),
    path(
        "coordination/meetings/<str:meeting_id>/",
        coordination.MeetingDetailView.as_view(),
        name="api-coordination-meeting",
    ),
    path(
        "coordination/tasks/<str:task_id>/done/",
        coordination.TaskDoneView.as_view(),
        name="api-coordination-task-done",
    ),
]

from . import legal_path  # noqa: E402

# After the reflection period (issue #16): legal status, cooperation with the police, voluntary return.
urlpatterns[-1:-1] = [
    path(
        "cases/<str:case_id>/legal-status/",
        legal_path.CaseLegalStatusView.as_view(),
        name="api-case-legal-status",
    ),
    path(
        "cases/<str:case_id>/police-cooperation/",
        legal_path.CasePoliceCooperationView.as_view(),
        name="api-case-police-cooperation",
    ),
    path("cases/<str:case_id>/returns/", legal_path.CaseReturnsView.as_view(), name="api-case-returns"),
    path(
        "cases/<str:case_id>/returns/<str:return_id>/",
        legal_path.ReturnDetailView.as_view(),
        name="api-case-return",
    ),
    path(
        "cases/<str:case_id>/returns/<str:return_id>/cancel/",
        legal_path.ReturnCancelView.as_view(),
        name="api-case-return-cancel",
    ),
    path(
        "cases/<str:case_id>/returns/<str:return_id>/record/",
        legal_path.ReturnRecordView.as_view(),
        name="api-case-return-record",
    ),
    path(
        "cases/<str:case_id>/returns/<str:return_id>/follow-ups/",
        legal_path.ReturnFollowUpsView.as_view(),
        name="api-case-return-follow-ups",
    ),
]

from . import anonymous  # noqa: E402

# Anonymous notifications (issue 22): adults who decline help, recorded without identity.
urlpatterns[-1:-1] = [
    path(
        "anonymous-notifications/",
        anonymous.AnonymousNotificationListView.as_view(),
        name="api-anonymous-notifications",
    ),
    path(
        "anonymous-notifications/<str:notification_id>/withdraw/",
        anonymous.AnonymousNotificationWithdrawView.as_view(),
        name="api-anonymous-notification-withdraw",
    ),
]
