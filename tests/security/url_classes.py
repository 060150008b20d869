"""Who may reach which URL: one row per URL pattern of the URLconf (issue #7).

Every pattern that `django.urls.get_resolver()` knows must be classified here, keyed by its name
(`"case-detail"`, `"admin:index"`) or, for an unnamed pattern, by its full route string
(`"api/^.*$"`). A key may end in `*` to cover a family of patterns whose members come and go with
installed apps (Django admin's model pages); such a key must still match at least one pattern.
`tests/security/test_url_matrix.py` fails for any pattern that no row classifies and for any row
that names a pattern that no longer exists, and then requests every classified URL as every persona
against every relation to the record, expecting what the class says.

To classify a new URL, add a row: `"statistics-annual": get(Access.STATISTICS)`, or
`"linkage-decide": post(Access.COORDINATOR)`. Use `rule({"GET": ..., "POST": ...})` when the methods
differ. Route parameters are filled from the record the matrix points the URL at (case_id,
person_id, clock_id, ... for the record-scoped classes), then from the row's own `params`
(`get(Access.STATISTICS, params={"year": "2025", "chart": "by-form"})`), then from `PARAMETERS` in the
test; a parameter none of them fills shows as an error cell naming it. A URL keyed by a record id of
a new kind (e.g. a linkage pair) needs a target in the test's world to be more than "404 for all".
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass


class Access(enum.Enum):
    """Who passes, and what everyone else gets. The expected answers per persona and relation are
    derived from these in test_url_matrix.expected()."""

    PUBLIC = "anyone, also anonymous (sign-in, language switch, API schema, token)"
    NOT_FOUND = "nobody: the API catch-all answers JSON 404 to everyone"
    SIGNED_IN = "any signed-in user (lists filter to what the user may see)"
    CASE_USER = "caseworkers and coordinators; others 404 on pages, 403 on the API"
    COORDINATOR = "KOM coordinators only; others 404"
    STATISTICS = "coordinators and analysts only (figures, never identities); others 404"
    STATISTICS_EDIT = "coordinators write the report's sections; analysts 403 (they read); others 404"
    AUDITOR = "auditors only; others 404"
    ADMINISTRATOR = "agency administrators and system administrators; others 404"
    EXPORTS = "case users and agency administrators (approvers) see; case users ask (admins 403); others 404"
    SYSTEM_ADMIN = "Django admin: system administrators only; others are sent to the admin sign-in"
    # Record-scoped: the record is reached through the access layer; hidden answers 404.
    CASE = "the case is visible to the user (own or partner agency, or break-the-glass); else 404"
    CASE_MANAGE = "as CASE; a visible case's partner agency gets 403 (lead agency and coordinators act)"
    CASE_COORDINATOR = "coordinators, for any case in the national list (break-the-glass); else 404"
    PERSON = "the person of a case visible to the user; else 404"
    ASSESSMENT = "an assessment of a case visible to the user; else 404"
    INVITATION = "an open invitation to one of the user's case agencies; else 404"
    NOTIFICATION = "a notification to the user, or to their agency and case role; else 404"
    EXPORT_APPROVE = "visible export request: requester 403, approver acts; else 404"
    EXPORT_DOWNLOAD = "visible export request: the requester downloads once approved, others 403; else 404"
    AGENCY = "an agency (membership, local question) the user administers; else 404"
    LINKAGE = "a review pair or decision of the linkage queue: coordinators only; else 404"
    # KOM's national work (issue 19): no victim's data; ministry users are Role.MINISTRY.
    COORDINATION = "KOM coordinators and ministry users (plans, portfolio, ministry reports); others 404"
    MEASURE = "a measure of an action plan: coordinators and ministry users; others 404"
    MEASURE_REPORT = (
        "a measure's status for a ministry: KOM and that ministry's users; other ministries 403; else 404"
    )
    STATUS_REPORT = "a status report not yet final: KOM and its ministry's users; others 404"
    STATUS_REPORT_APPROVE = "as STATUS_REPORT; the one who wrote or submitted it 403 (four eyes)"
    GROUP = "a project or reference group and its meetings: coordinators and its members; others 404"
    GROUP_MANAGE = "as GROUP; members 403 (KOM records meetings, decisions, members)"
    GROUP_TASK = (
        "a group's follow-up task: coordinators and the responsible member; other members 403; else 404"
    )
    ISSUE = "an issue reported to KOM: its reporter and the coordinators; others 404"
    ISSUE_TRIAGE = "as ISSUE; the reporter 403 (KOM answers)"
    COMMISSION = (
        "KOM's yearly report: coordinators, ministry users, members of a local unit it went to; else 404"
    )
    CRIMINAL_USER = "police and prosecution caseworkers, and KOM coordinators (criminal case lists); else 404"
    CRIMINAL_OPEN = "caseworkers of police and prosecution agencies (open a criminal case); else 404"
    CRIMINAL_CASE = (
        "a criminal case: its participating agencies' users; coordinators without details; else 404"
    )
    CRIMINAL_CASE_ACT = "as CRIMINAL_CASE; coordinators 403 (they see it without details); participants act"
    # Anonymous notifications (issue 22): no person, no case; an agency's own, coordinators see all.
    ANONYMOUS_NOTIFICATION = (
        "an anonymous notification: its agency's case users withdraw it; coordinators 403 (they see every "
        "agency's, withdraw their own); else 404"
    )


RECORD_SCOPED = frozenset(
    {
        Access.CASE,
        Access.CASE_MANAGE,
        Access.CASE_COORDINATOR,
        Access.PERSON,
        Access.ASSESSMENT,
        Access.INVITATION,
        Access.NOTIFICATION,
        Access.EXPORT_APPROVE,
        Access.EXPORT_DOWNLOAD,
        Access.AGENCY,
        Access.LINKAGE,
        Access.MEASURE,
        Access.MEASURE_REPORT,
        Access.STATUS_REPORT,
        Access.STATUS_REPORT_APPROVE,
        Access.GROUP,
        Access.GROUP_MANAGE,
        Access.GROUP_TASK,
        Access.ISSUE,
        Access.ISSUE_TRIAGE,
        Access.COMMISSION,
        Access.CRIMINAL_CASE,
        Access.CRIMINAL_CASE_ACT,
        Access.ANONYMOUS_NOTIFICATION,
    }
)


@dataclass(frozen=True)
class Rule:
    """The access class of each HTTP method the matrix requests (GET for reads, POST for writes)."""

    methods: tuple[tuple[str, Access], ...]
    # Fixed values for route parameters that no record target fills, e.g. {"year": "2025"}.
    params: tuple[tuple[str, str], ...] = ()

    def items(self) -> Iterable[tuple[str, Access]]:
        return self.methods


def rule(methods: dict[str, Access], params: dict[str, str] | None = None) -> Rule:
    return Rule(tuple(methods.items()), tuple((params or {}).items()))


def get(access: Access, params: dict[str, str] | None = None) -> Rule:
    return rule({"GET": access}, params)


def post(access: Access, params: dict[str, str] | None = None) -> Rule:
    return rule({"POST": access}, params)


def get_post(access: Access, post_access: Access | None = None, params: dict[str, str] | None = None) -> Rule:
    return rule({"GET": access, "POST": post_access or access}, params)


URL_CLASSES: dict[str, Rule] = {
    # --- sign-in and language (varde/web/urls.py, django.conf.urls.i18n) ---------------------------
    "login": get(Access.PUBLIC),
    # Database and worker health for load balancers: two flags and the last beat's time, nothing else.
    "health": get(Access.PUBLIC),
    "login-otp": get(Access.SIGNED_IN),
    "reauthenticate": get(Access.SIGNED_IN),
    "logout": post(Access.PUBLIC),
    "set_language": post(Access.PUBLIC),
    # --- pages ---------------------------------------------------------------------------------------
    "dashboard": get(Access.SIGNED_IN),
    "report": get_post(Access.CASE_USER),
    # The case list with search and filters (issue 20): the user's own list, as the dashboard's.
    "case-list": get(Access.CASE_USER),
    "case-list-views": post(Access.CASE_USER),  # save or delete one's own saved lists
    "case-detail": get(Access.CASE),
    "break-glass": get_post(Access.CASE_COORDINATOR),
    "case-status": post(Access.CASE_MANAGE),
    "case-note": post(Access.CASE),
    "case-invite": post(Access.CASE_MANAGE),
    "case-revoke": post(Access.CASE_MANAGE),
    "case-consent": post(Access.CASE),
    "case-consent-withdraw": post(Access.CASE),
    "case-name": post(Access.CASE),
    "case-age-evidence": post(Access.CASE),
    "case-presumption-lift": post(Access.CASE),
    "assessment-new": get_post(Access.CASE),
    "assessment-preview": post(Access.CASE),
    "assessment-detail": get(Access.ASSESSMENT),
    "person-detail": get(Access.PERSON),
    "invitation-accept": post(Access.INVITATION),
    "invitation-decline": post(Access.INVITATION),
    "exports": get_post(Access.EXPORTS),
    "export-approve": post(Access.EXPORT_APPROVE),
    "export-download": get(Access.EXPORT_DOWNLOAD),
    "agency-admin": get(Access.ADMINISTRATOR),
    "agency-admin-detail": get(Access.AGENCY),
    "agency-admin-add-member": post(Access.AGENCY),
    "agency-admin-change-role": post(Access.AGENCY),
    "agency-admin-deactivate": post(Access.AGENCY),
    "agency-admin-local-question-add": post(Access.AGENCY),
    "agency-admin-local-question-retire": post(Access.AGENCY),
    "agency-admin-contact": post(Access.AGENCY),
    "response-clocks": get(Access.COORDINATOR),
    "response-next": get(Access.CASE_USER),
    "notifications": get(Access.CASE_USER),
    "notifications-acknowledge": post(Access.CASE_USER),
    "notification-detail": get(Access.NOTIFICATION),
    "notification-acknowledge": post(Access.NOTIFICATION),
    "directory": get(Access.CASE_USER),
    "case-response": get(Access.CASE),
    "case-clock-action": post(Access.CASE),
    "case-placement": post(Access.CASE),
    "case-missing": post(Access.CASE),
    "case-missing-close": post(Access.CASE),
    "case-meeting-decisions": post(Access.CASE),
    "case-plan": post(Access.CASE),
    "case-plan-goal": post(Access.CASE),
    "case-task": post(Access.CASE),
    "case-task-done": post(Access.CASE),
    "case-meeting": post(Access.CASE),
    "case-legal-status": post(Access.CASE),
    "case-police-cooperation": post(Access.CASE),
    "case-return-plan": post(Access.CASE),
    "case-return-change": post(Access.CASE),
    "case-return-record": post(Access.CASE),
    "case-return-cancel": post(Access.CASE),
    "case-return-follow-up": post(Access.CASE),
    # --- criminal cases (varde/web/views/prosecution.py) -----------------------------------------
    "criminal-cases": get(Access.CRIMINAL_USER),
    "criminal-case-new": get_post(Access.CRIMINAL_OPEN),
    "criminal-case-detail": get(Access.CRIMINAL_CASE),
    "criminal-case-stage": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-trial": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-facts": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-victim": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-perpetrator": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-outcome": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-network": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-cooperation": post(Access.CRIMINAL_CASE_ACT),
    "criminal-case-participant": post(Access.CRIMINAL_CASE_ACT),
    "case-criminal-proceedings": get(Access.CASE),
    "statistics-prosecution": get(Access.STATISTICS),
    # --- KOM's national work (varde/web/views/coordination.py) ------------------------------------
    "coordination": get(Access.SIGNED_IN),
    "coordination-plan": get(Access.COORDINATION, params={"plan_code": "2011-2014"}),
    "coordination-measure": get(Access.MEASURE),
    "coordination-status-edit": get_post(Access.MEASURE_REPORT),
    "coordination-status-report": get(Access.STATUS_REPORT),
    "coordination-status-submit": post(Access.STATUS_REPORT),
    "coordination-status-approve": post(Access.STATUS_REPORT_APPROVE),
    "coordination-status-return": post(Access.STATUS_REPORT),
    "coordination-status-reopen": post(Access.STATUS_REPORT),
    "coordination-ministry-report": get(Access.COORDINATION, params={"ministry": "ud", "year": "2007"}),
    "coordination-ministry-report-xlsx": get(Access.COORDINATION, params={"ministry": "ud", "year": "2007"}),
    "coordination-portfolio": get(Access.COORDINATION),
    "coordination-portfolio-projects": get(Access.COORDINATION),
    "coordination-portfolio-export": get(Access.COORDINATION, params={"fmt": "csv"}),
    "coordination-portfolio-import": get_post(Access.COORDINATOR),
    "coordination-groups": get(Access.SIGNED_IN),
    "coordination-group-new": post(Access.COORDINATOR),
    "coordination-group": get(Access.GROUP),
    "coordination-group-edit": get_post(Access.GROUP_MANAGE),
    "coordination-member-edit": get_post(Access.GROUP_MANAGE),
    "coordination-group-member": post(Access.GROUP_MANAGE),
    "coordination-meeting-new": get_post(Access.GROUP_MANAGE),
    "coordination-meeting": get(Access.GROUP),
    "coordination-meeting-edit": get_post(Access.GROUP_MANAGE),
    "coordination-meeting-decision": post(Access.GROUP_MANAGE),
    "coordination-task-done": post(Access.GROUP_TASK),
    "coordination-issues": get_post(Access.SIGNED_IN),
    "coordination-issue": get(Access.ISSUE),
    "coordination-issue-triage": post(Access.ISSUE_TRIAGE),
    "coordination-training": get(Access.COORDINATOR),
    "coordination-training-course": post(Access.COORDINATOR),
    "coordination-training-session": post(Access.COORDINATOR),
    "coordination-training-participant": post(Access.COORDINATOR),
    "coordination-seminars": get_post(Access.COORDINATOR),
    "coordination-seminar-participant": post(Access.COORDINATOR),
    "coordination-local-units": get_post(Access.COORDINATOR),
    "coordination-local-unit-dispatch": post(Access.COORDINATOR),
    "coordination-commission": get(Access.SIGNED_IN),
    "coordination-commission-report": get(Access.COMMISSION),
    "coordination-commission-report-pdf": get(Access.COMMISSION),
    "coordination-commission-report-xlsx": get(Access.COMMISSION),
    # --- anonymous notifications (varde/web/views/anonymous.py, issue 22) --------------------------
    "anonymous-notifications": get(Access.CASE_USER),
    "anonymous-notification-new": get_post(Access.CASE_USER),
    "anonymous-notification-withdraw": get_post(Access.ANONYMOUS_NOTIFICATION),
    # --- linkage review (varde/web/views/linkage.py) ----------------------------------------------
    "linkage-review": get(Access.COORDINATOR),
    "linkage-review-pair": get_post(Access.LINKAGE),
    "linkage-merges": get(Access.COORDINATOR),
    "linkage-merge-undo": post(Access.LINKAGE),
    # --- the annual status report (varde/web/views/statistics.py) ---------------------------------
    "statistics-index": get(Access.STATISTICS),
    "statistics-report": get(Access.STATISTICS, params={"year": "2026"}),
    "statistics-report-pdf": get(Access.STATISTICS, params={"year": "2026"}),
    "statistics-report-xlsx": get(Access.STATISTICS, params={"year": "2026"}),
    "statistics-chart": get(Access.STATISTICS, params={"year": "2026", "chart": "trend"}),
    "statistics-report-edit": get_post(Access.STATISTICS_EDIT, params={"year": "2026"}),
    # --- the auditor's pages (varde/web/views/audit_trail.py, issue 20) -----------------------------
    "audit-trail": get(Access.AUDITOR),
    "audit-verify": post(Access.AUDITOR),
    # An unknown reference answers the auditor an empty log (a page), its export 400.
    "audit-case": get(Access.AUDITOR, params={"reference": "V26-NOSUCH"}),
    "audit-case-export": post(Access.AUDITOR, params={"reference": "V26-NOSUCH"}),
    # --- the API (varde/api/urls.py) -----------------------------------------------------------------
    "api-schema": get(Access.PUBLIC),
    "api-token": post(Access.PUBLIC),
    "api-me": get(Access.SIGNED_IN),
    "api-agencies": get(Access.SIGNED_IN),
    "api-cases": get_post(Access.SIGNED_IN, Access.CASE_USER),
    "api-case": get(Access.CASE),
    "api-case-status": post(Access.CASE_MANAGE),
    "api-case-break-glass": post(Access.CASE_COORDINATOR),
    "api-case-timeline": get(Access.CASE),
    "api-case-participants": post(Access.CASE_MANAGE),
    "api-case-participant-revoke": post(Access.CASE_MANAGE),
    "api-case-consents": post(Access.CASE),
    "api-case-consent-withdraw": post(Access.CASE),
    "api-case-notes": post(Access.CASE),
    "api-person": get(Access.PERSON),
    "api-invitations": get(Access.SIGNED_IN),
    "api-invitation-accept": post(Access.INVITATION),
    "api-invitation-decline": post(Access.INVITATION),
    "api-exports": get_post(Access.SIGNED_IN, Access.CASE_USER),
    "api-export-approve": post(Access.EXPORT_APPROVE),
    "api-export-download": post(Access.EXPORT_DOWNLOAD),
    "api-indicator-catalogues": get(Access.SIGNED_IN),
    "api-indicator-catalogue": get(Access.SIGNED_IN),
    "api-indicator-catalogue-evaluate": post(Access.SIGNED_IN),
    "api-case-assessments": get_post(Access.CASE),
    "api-assessment": get(Access.ASSESSMENT),
    "api-case-age-evidence": post(Access.CASE),
    "api-case-presumption-lift": post(Access.CASE),
    "api-notifications": get(Access.SIGNED_IN),
    "api-notification-acknowledge": post(Access.NOTIFICATION),
    "api-case-clocks": get(Access.CASE),
    "api-case-placements": post(Access.CASE),
    "api-case-missing-episodes": post(Access.CASE),
    "api-response-clocks": get(Access.COORDINATOR),
    "api-criminal-cases": rule({"GET": Access.CRIMINAL_USER, "POST": Access.CRIMINAL_OPEN}),
    "api-criminal-case": get(Access.CRIMINAL_CASE),
    "api-criminal-case-stages": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-facts": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-victims": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-perpetrators": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-perpetrator-outcome": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-trial": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-networks": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-cooperation": post(Access.CRIMINAL_CASE_ACT),
    "api-criminal-case-participants": post(Access.CRIMINAL_CASE_ACT),
    "api-case-criminal-proceedings": get(Access.CASE),
    # After the reflection period (issue #16): every agency in the case reads and records; the matrix
    # requests GET and POST (the return's PATCH is checked in tests/api/test_access_matrix.py).
    "api-case-legal-status": get_post(Access.CASE),
    "api-case-police-cooperation": get_post(Access.CASE),
    "api-case-returns": get_post(Access.CASE),
    "api-case-return": get(Access.CASE),
    "api-case-return-cancel": post(Access.CASE),
    "api-case-return-record": post(Access.CASE),
    "api-case-return-follow-ups": get_post(Access.CASE),
    "api-statistics-prosecution": get(Access.STATISTICS, params={"period_id": "2003-2008"}),
    "api-coordination-plan-measures": get(Access.COORDINATION, params={"plan_id": "2011-2014"}),
    "api-coordination-measure-status": post(Access.MEASURE_REPORT),
    "api-coordination-status-approve": post(Access.STATUS_REPORT_APPROVE),
    "api-coordination-portfolio-summary": get(Access.COORDINATION, params={"period_id": "2000-2010"}),
    "api-coordination-issues": get_post(Access.SIGNED_IN),
    "api-coordination-status-reopen": post(Access.STATUS_REPORT),
    "api-coordination-groups": get(Access.SIGNED_IN),
    "api-coordination-group": get(Access.GROUP),
    "api-coordination-group-meetings": post(Access.GROUP_MANAGE),
    "api-coordination-meeting": get(Access.GROUP),
    "api-coordination-task-done": post(Access.GROUP_TASK),
    # Anonymous notifications (issue 22): an agency's case users list and record theirs (coordinators
    # list every agency's); everyone else 403.
    "api-anonymous-notifications": get_post(Access.CASE_USER),
    "api-anonymous-notification-withdraw": post(Access.ANONYMOUS_NOTIFICATION),
    "api/^.*$": get_post(Access.NOT_FOUND),
    # --- Django admin (config/urls.py): every page behind AdminSite.has_permission ---------------------
    "admin:*": get(Access.SYSTEM_ADMIN),
    "admin/*": get(Access.SYSTEM_ADMIN),  # unnamed: the object redirect and the admin catch-all
    "admin:login": get(Access.PUBLIC),
    # POST only; anyone without admin rights is sent to the admin index (and from there to sign-in).
    "admin:logout": post(Access.PUBLIC),
}


def classify(key: str) -> Rule | None:
    """The row for a pattern key: an exact row first, else the longest matching `*` row."""
    if key in URL_CLASSES:
        return URL_CLASSES[key]
    matches = [k for k in URL_CLASSES if k.endswith("*") and fnmatch.fnmatchcase(key, k)]
    if not matches:
        return None
    return URL_CLASSES[max(matches, key=len)]


def row_matches(row: str, keys: Iterable[str]) -> bool:
    if row.endswith("*"):
        return any(fnmatch.fnmatchcase(k, row) for k in keys)
    return row in keys
