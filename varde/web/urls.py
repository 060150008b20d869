from django.urls import path

from varde.web.views import (
    agency_admin,
    auth,
    break_glass,
    cases,
    dashboard,
    exports,
    identification,
    invitations,
    persons,
    report,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-in/code/", auth.sign_in_code, name="login-otp"),
    path("confirm/", auth.reauthenticate, name="reauthenticate"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("report/", report.report, name="report"),
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
]
