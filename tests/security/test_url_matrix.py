"""The authorization matrix (issue #7): every URL pattern of the URLconf is classified
(tests/security/url_classes.py), and every persona x URL x relation to the record gets the answer its
class prescribes. Hidden records answer 404 and change nothing; lists return exactly the expected records.

One fixture world is built once for the module (inside a transaction rolled back at the end); every
request runs inside a savepoint that is rolled back afterwards, so no cell depends on another's writes.
Expected answers come from the class, the persona's roles and the facts of the world as it was built
(who leads, who takes part, who was invited), never from calling the code under test.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, break_glass, login_verified, otp_code, verified
from tests.factories import PERSONA_CASES, make_user, report_persona_case
from tests.security.url_classes import RECORD_SCOPED, URL_CLASSES, Access, classify, row_matches
from varde.accounts.models import Agency, AgencyKind, Role, User
from varde.audit.models import AuditEvent
from varde.cases.models import Case, CaseParticipation
from varde.cases.services import case_invite_agency, consent_record, participation_respond
from varde.coordination.models import StatusReport
from varde.core import clock
from varde.identification.services import assessment_record, catalogues_load, local_question_add
from varde.interchange.approval import export_request_approve, export_request_create
from varde.linkage import services as linkage_services
from varde.linkage.models import LinkageRun, ReviewDecision, ReviewItem
from varde.response import disappearances, health, plans, returns
from varde.response.models import Clock, ClockState, IndividualPlan, Notification
from varde.response.worker import heartbeat

pytestmark = pytest.mark.django_db

# --- the URLconf ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the name (with namespace), or the full route for an unnamed pattern
    route: str


def url_patterns() -> list[Pattern]:
    """Every pattern of the project's URLconf, walked recursively through include()s."""
    found: list[Pattern] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                key = name or route
                found.append(Pattern(key, route))

    walk(get_resolver(), "", "")
    return found


def test_every_url_pattern_is_classified():
    unclassified = sorted(p.key for p in url_patterns() if classify(p.key) is None)
    assert not unclassified, f"URL patterns with no row in tests/security/url_classes.py: {unclassified}"


def test_no_row_names_a_pattern_that_no_longer_exists():
    keys = {p.key for p in url_patterns()}
    stale = sorted(row for row in URL_CLASSES if not row_matches(row, keys))
    assert not stale, f"rows in tests/security/url_classes.py naming no URL pattern: {stale}"


def test_every_pattern_key_is_unique():
    counts = Counter(p.key for p in url_patterns())
    assert not [k for k, n in counts.items() if n > 1], counts


# --- personas and the facts of the world ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaFacts:
    agency: str
    role: str

    @property
    def case_user(self) -> bool:
        return self.role in (Role.CASEWORKER, Role.COORDINATOR)

    @property
    def coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def administers(self, agency: str) -> bool:
        return self.role == Role.SYSTEM_ADMIN or (self.role == Role.AGENCY_ADMIN and agency == self.agency)


# As tests/conftest.py makes them (one membership each).
PERSONAS: dict[str, PersonaFacts] = {
    "police": PersonaFacts("police", Role.CASEWORKER),
    "childwelfare": PersonaFacts("childwelfare", Role.CASEWORKER),
    "ngo": PersonaFacts("ngo", Role.CASEWORKER),
    "coordinator": PersonaFacts("kom", Role.COORDINATOR),
    "analyst": PersonaFacts("kom", Role.ANALYST),
    "outsider": PersonaFacts("labour", Role.CASEWORKER),
    "agency_admin": PersonaFacts("police", Role.AGENCY_ADMIN),
    "sysadmin": PersonaFacts("kom", Role.SYSTEM_ADMIN),
    "auditor": PersonaFacts("kom", Role.AUDITOR),
    "ministry": PersonaFacts("ministry", Role.MINISTRY),  # a Ministry of Foreign Affairs user (issue 19)
}
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class CaseFacts:
    lead: str
    partners: frozenset[str] = frozenset()  # invited and accepted
    invited: frozenset[str] = frozenset()  # invited, not answered
    glass: frozenset[str] = frozenset()  # personas with an open break-the-glass
    child: bool = False


# The cases the matrix requests, chosen so that each caseworker has each relation: police own an adult's
# and a child's case; ROSA takes part in the police's adult case; child welfare is invited (not yet
# answered) into the police's child case; the coordinator has broken the glass on ROSA's child case.
CASES: dict[str, CaseFacts] = {
    "police_adult": CaseFacts("police", partners=frozenset({"ngo"})),
    "police_child": CaseFacts("police", invited=frozenset({"childwelfare"}), child=True),
    "ngo_child": CaseFacts("ngo", glass=frozenset({"coordinator"}), child=True),
    "childwelfare_adult": CaseFacts("childwelfare"),
}
# All six cases of the world, for the lists.
ALL_CASES: dict[str, CaseFacts] = {
    **CASES,
    "childwelfare_child": CaseFacts("childwelfare", child=True),
    "ngo_adult": CaseFacts("ngo"),
}
NAMES = {name: (case["given"], case["family"]) for name, case in PERSONA_CASES.items()}


def relation(persona: str, facts: CaseFacts) -> str:
    """The persona's agency's relation to the case (whatever the persona's role)."""
    if persona == ANONYMOUS:
        return "none"
    agency = PERSONAS[persona].agency
    if agency == facts.lead:
        return "own"
    if agency in facts.partners:
        return "shared"
    if persona in facts.glass:
        return "break-glass"
    if agency in facts.invited:
        return "invited"
    return "other"


def case_visible(persona: str, facts: CaseFacts) -> bool:
    if persona == ANONYMOUS:
        return False
    rel = relation(persona, facts)
    return (PERSONAS[persona].case_user and rel in ("own", "shared")) or rel == "break-glass"


def case_manager(persona: str, facts: CaseFacts) -> bool:
    return case_visible(persona, facts) and (
        PERSONAS[persona].coordinator or relation(persona, facts) == "own"
    )


# --- the world, built once -------------------------------------------------------------------------------------


@dataclass
class Target:
    """A record the matrix points a URL at, and the persona-independent facts about it."""

    kind: str
    label: str
    params: dict[str, str]
    case: CaseFacts | None = None
    agency: str = ""  # agency-scoped: the agency; invitations: the invited agency
    pending: bool = True  # invitations and export requests: not answered / not approved
    requester: str = ""  # export requests
    recipients: frozenset[str] = frozenset()  # notifications
    members: frozenset[str] = frozenset()  # coordination: a group's members, a local unit's members
    writers: frozenset[str] = frozenset()  # coordination: who (besides coordinators) acts on the record
    criminal: frozenset[str] = frozenset()  # criminal cases: the agencies taking part


@dataclass
class World:
    users: dict[str, User]
    agencies: dict[str, Agency]
    cases: dict[str, Case]
    case_targets: list[Target]
    invitation_targets: list[Target]
    notification_targets: list[Target]
    export_targets: list[Target]
    agency_targets: list[Target]
    linkage_targets: list[Target]
    clocks_in_national_view: set[str]
    inactive_agency: Agency
    coordination_targets: dict[Access, list[Target]] = field(default_factory=dict)
    criminal_targets: list[Target] = field(default_factory=list)
    anonymous_targets: list[Target] = field(default_factory=list)  # issue 22


CATALOGUE = {False: "ilo_adult_labour", True: "ilo_child_labour"}


def _make_agencies() -> dict[str, Agency]:
    return {
        "police": Agency.objects.create(
            code="oslo-pd-stop", name="Oslo politidistrikt, STOP", kind=AgencyKind.POLICE_DISTRICT
        ),
        "childwelfare": Agency.objects.create(
            code="bufetat-ost", name="Bufetat region øst", kind=AgencyKind.CHILD_WELFARE_STATE
        ),
        "ngo": Agency.objects.create(code="rosa", name="ROSA", kind=AgencyKind.NGO),
        "kom": Agency.objects.create(code="kom", name="KOM", kind=AgencyKind.KOM),
        "labour": Agency.objects.create(
            code="arbeidstilsynet", name="Arbeidstilsynet", kind=AgencyKind.LABOUR_INSPECTION
        ),
        "ministry": Agency.objects.create(
            code="dep-ud", name="Utenriksdepartementet", kind=AgencyKind.MINISTRY
        ),
    }


def _make_users(agencies: dict[str, Agency]) -> dict[str, User]:
    usernames = {"agency_admin": "agencyadmin"}
    return {
        name: make_user(
            usernames.get(name, name),
            agencies[facts.agency],
            facts.role,
            **({"is_staff": True} if facts.role == Role.SYSTEM_ADMIN else {}),
        )
        for name, facts in PERSONAS.items()
    }


def _make_cases(users: dict[str, User], agencies: dict[str, Agency]) -> dict[str, Case]:
    """The six cases of tests/conftest.py's `cases` fixture, built the same way."""
    return {
        name: report_persona_case(name, users[facts.lead], agencies[facts.lead])
        for name, facts in ALL_CASES.items()
    }


def build_world() -> World:
    catalogues_load()
    agencies = _make_agencies()
    inactive = Agency.objects.create(
        code="closed", name="Closed shelter", kind=AgencyKind.SHELTER, is_active=False
    )
    users = _make_users(agencies)
    cases = _make_cases(users, agencies)
    police, ngo = users["police"], users["ngo"]
    given_on = dt.date(2026, 10, 2)
    consent_record(
        actor=police, case=cases["police_adult"], purpose="Shelter", given_on=given_on, agency=agencies["ngo"]
    )
    shared = case_invite_agency(actor=police, case=cases["police_adult"], agency=agencies["ngo"])
    participation_respond(actor=ngo, participation=shared, accept=True)
    invitation = case_invite_agency(actor=police, case=cases["police_child"], agency=agencies["childwelfare"])
    break_glass(users["coordinator"], cases["ngo_child"])

    now = clock.now()
    case_targets = []
    for name, facts in CASES.items():
        case = cases[name]
        lead = users[facts.lead]
        consent = consent_record(
            actor=lead, case=case, purpose="Workplace follow-up", given_on=given_on, agency=agencies["labour"]
        )
        plan = plans.plan_create(actor=lead, case=case)
        task = plans.task_add(
            actor=lead,
            case=case,
            title="Call the shelter",
            responsible_agency=agencies[facts.lead],
            due_date=now.date() + dt.timedelta(days=7),
        )
        episode = disappearances.missing_episode_record(
            actor=lead, case=case, missing_from="other", last_seen_at=now - dt.timedelta(hours=2)
        )
        meeting = plans.meeting_record(
            actor=lead,
            case=case,
            held_at=now - dt.timedelta(hours=1),
            participants=[agencies[facts.lead]],
            decisions=[],
        ).meeting
        assessment = assessment_record(
            actor=lead,
            case=case,
            catalogue_id=CATALOGUE[facts.child],
            indicator_ids=[],
            conclusion="inconclusive",
            reasoning="Seen at the site.",
        )
        others = CaseParticipation.objects.filter(case=case, is_lead=False).order_by("invited_at")
        participation = others.first() or CaseParticipation.objects.get(case=case, is_lead=True)
        # A planned voluntary return (issue #16): the API addresses it by id under its case.
        planned = returns.return_plan(
            actor=lead, case=case, organisation="iom", country="RO", planned_on=clock.today()
        )
        case.refresh_from_db()
        case_targets.append(
            Target(
                kind="case",
                label=name,
                case=facts,
                params={
                    "case_id": str(case.pk),
                    "person_id": str(case.person_id),
                    "assessment_id": str(assessment.pk),
                    "catalogue_id": CATALOGUE[facts.child],
                    "participation_id": str(participation.pk),
                    "consent_id": str(consent.pk),
                    "clock_id": str(IndividualPlan.objects.get(pk=plan.pk).review_clock_id),
                    "action": "meet",
                    "episode_id": str(episode.pk),
                    "task_id": str(task.pk),
                    "meeting_id": str(meeting.pk),
                    "return_id": str(planned.pk),
                },
            )
        )

    invitation_targets = [
        Target(
            "invitation",
            "pending invitation of child welfare",
            {"participation_id": str(invitation.pk)},
            agency="childwelfare",
        ),
        Target(
            "invitation",
            "ROSA's accepted participation",
            {"participation_id": str(shared.pk)},
            agency="ngo",
            pending=False,
        ),
    ]
    for t in invitation_targets:
        t.params["invitation_id"] = t.params["participation_id"]

    notification_targets = []
    for agency in ("childwelfare", "kom", "police"):
        n = Notification.objects.filter(recipient_agency=agencies[agency]).order_by("created_at").first()
        if n is None:
            continue
        recipients = frozenset(
            p
            for p, facts in PERSONAS.items()
            if (n.recipient_user_id == users[p].pk)
            or (
                n.recipient_user_id is None
                and facts.case_user
                and facts.agency == agency
                and n.recipient_role in ("", facts.role)
            )
        )
        notification_targets.append(
            Target(
                "notification",
                f"notification to {agency}",
                {"notification_id": str(n.pk)},
                recipients=recipients,
            )
        )

    pending = export_request_create(actor=police, reason="Quarterly follow-up of our referrals.")
    approved = export_request_create(actor=ngo, reason="Follow-up of the shelter's referrals.")
    export_request_approve(actor=users["coordinator"], request=approved)
    export_targets = [
        Target("export", "police's pending export", {"request_id": str(pending.pk)}, requester="police"),
        Target(
            "export",
            "ROSA's approved export",
            {"request_id": str(approved.pk)},
            requester="ngo",
            pending=False,
        ),
    ]

    agency_targets = []
    for agency in ("police", "ngo"):
        question = local_question_add(
            actor=users["sysadmin"],
            agency=agencies[agency],
            catalogue_id="ilo_adult_labour",
            text_nb="Har personen fått beskjed om å lyve?",
            text_en="Was the person told to lie?",
        )
        membership = users[agency].memberships.get()
        agency_targets.append(
            Target(
                "agency",
                f"agency {agency}",
                {
                    "agency_id": str(agencies[agency].pk),
                    "membership_id": str(membership.pk),
                    "question_id": str(question.pk),
                },
                agency=agency,
            )
        )

    # The linkage queue: a pair awaiting review, and a coordinator's decision that can be undone.
    run = LinkageRun.objects.create(started=now, started_by=users["coordinator"])
    referral = {name: case.referrals.get() for name, case in cases.items()}
    item = ReviewItem.objects.create(
        run=run, record_a=referral["police_adult"], record_b=referral["ngo_adult"], match_probability=0.4
    )
    decided = ReviewItem.objects.create(
        run=run, record_a=referral["police_child"], record_b=referral["ngo_child"], match_probability=0.6
    )
    decision = linkage_services.review_decide(actor=users["coordinator"], item=decided, decision="not_same")
    linkage_targets = [
        Target(
            "linkage",
            "a pair in the review queue, and a decision",
            {"pair_id": str(item.pk), "decision_id": str(decision.pk)},
        )
    ]

    # The national view lists every running, paused and missed clock of the open cases (the children's
    # started with their reports); one of them, child welfare's own plan review, recorded missed.
    plan = plans.plan_create(actor=users["childwelfare"], case=cases["childwelfare_child"])
    review = IndividualPlan.objects.get(pk=plan.pk).review_clock
    assert review is not None
    Clock.objects.filter(pk=review.pk).update(state=ClockState.MISSED)
    # A worker beats, so that /health/ answers 200 (it answers 503 when no worker has beaten lately).
    heartbeat(worker_id="matrix", started_at=now)
    national = {
        str(c.pk)
        for c in Clock.objects.exclude(case__status="closed")
        if c.state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.MISSED)
    }
    criminal_targets = [_criminal_target(users, cases)]
    anonymous_targets = _anonymous_targets(users, agencies)
    for case in cases.values():
        case.refresh_from_db()
    return World(
        coordination_targets=_coordination_targets(users, agencies),
        users=users,
        agencies=agencies,
        cases=cases,
        case_targets=case_targets,
        invitation_targets=invitation_targets,
        notification_targets=notification_targets,
        export_targets=export_targets,
        agency_targets=agency_targets,
        linkage_targets=linkage_targets,
        clocks_in_national_view=national,
        inactive_agency=inactive,
        criminal_targets=criminal_targets,
        anonymous_targets=anonymous_targets,
    )


def _anonymous_targets(users: dict[str, User], agencies: dict[str, Agency]) -> list[Target]:
    """Anonymous notifications (issue 22) of the police and of ROSA: no person, no case."""
    from varde.identification.anonymous import anonymous_notification_record

    targets = []
    for agency in ("police", "ngo"):
        notification = anonymous_notification_record(
            actor=users[agency],
            agency=agencies[agency],
            noticed_on=clock.today(),
            age_band="25-34",
            exploitation_forms=["sexual"],
        )
        targets.append(
            Target(
                "anonymous",
                f"{agency}'s anonymous notification",
                {"notification_id": str(notification.pk)},
                agency=agency,
            )
        )
    return targets


def _criminal_target(users: dict[str, User], cases: dict[str, Case]) -> Target:
    """A criminal case of the police (the only agency taking part), with the police's adult case (shared
    with ROSA) linked as aggrieved party and a named suspect."""
    from varde.prosecution import services as prosecution

    police = users["police"]
    criminal_case = prosecution.criminal_case_open(
        actor=police,
        data=prosecution.CriminalCaseInput(
            police_district="oslo",
            offence="trafficking",
            facts_date=dt.date(2026, 1, 5),
            opened_on=dt.date(2026, 2, 2),
        ),
    )
    prosecution.victim_link_add(
        actor=police, criminal_case=criminal_case, case=cases["police_adult"], role="aggrieved_party"
    )
    link = prosecution.perpetrator_add(
        actor=police, criminal_case=criminal_case, name="Zoltan Quarrington", role="leader"
    )
    return Target(
        "criminal",
        "the police's criminal case",
        {"criminal_case_id": str(criminal_case.pk), "link_id": str(link.pk)},
        criminal=frozenset({"police"}),
    )


def _coordination_targets(users: dict[str, User], agencies: dict[str, Agency]) -> dict[Access, list[Target]]:
    """KOM's national work (issue 19): the MFA (the ministry persona's ministry) has written and submitted its
    2007 status on 2006-2009 measure 33; 2011-2014 measure 5 is the Ministry of Justice's alone; the
    reference group has the police investigator as its member, responsible for a follow-up task; ROSA's
    worker reported an issue to KOM; the 2025 report went to a local unit whose member is child welfare's
    caseworker."""
    from varde.coordination import groups, issues, measures
    from varde.coordination.models import Measure, Ministry

    kom = users["coordinator"]
    Ministry.objects.filter(code="ud").update(agency=agencies["ministry"])
    m33 = Measure.objects.get(plan__code="2006-2009", number=33)
    m5 = Measure.objects.get(plan__code="2011-2014", number=5)
    ud = Ministry.objects.get(code="ud")
    report = measures.status_report_save(
        actor=users["ministry"], measure=m33, ministry=ud, year=2007, status="ongoing", done="IOM Kenya."
    )
    report = measures.status_report_submit(actor=users["ministry"], report=report, version=report.version)
    group = groups.group_create(actor=kom, kind="reference", name="Reference group")
    member = groups.group_member_add(
        actor=kom, group=group, agency=agencies["police"], name="P", user=users["police"]
    )
    meeting = groups.meeting_record(actor=kom, group=group, held_on=dt.date(2026, 11, 5))
    decision = groups.decision_add(actor=kom, meeting=meeting, text="Ask for figures.")
    task = groups.task_add(
        actor=kom, decision=decision, title="Figures", responsible=member, due_on=dt.date(2026, 12, 1)
    )
    issue = issues.issue_report(
        actor=users["ngo"], kind="general", subject="Interpreters", description="None at night."
    )
    unit = groups.local_unit_create(
        actor=kom, name="Bergen", municipality="4601", members=[users["childwelfare"]]
    )
    groups.report_dispatch(actor=kom, unit=unit, year=2025)
    measure_targets = [
        Target("measure", "MFA measure 33 (2006-2009)", {"measure_id": str(m33.pk), "ministry": "ud", "year": "2007"},
               writers=frozenset({"ministry"})),
        Target("measure", "JD measure 5 (2011-2014)", {"measure_id": str(m5.pk), "ministry": "jd", "year": "2012"}),
    ]  # fmt: skip
    report_target = Target(
        "status report", "the MFA's submitted 2007 status", {"report_id": str(report.pk)},
        writers=frozenset({"ministry"}), requester="ministry",
    )  # fmt: skip
    group_target = Target(
        "group", "the reference group",
        {"group_id": str(group.pk), "meeting_id": str(meeting.pk), "task_id": str(task.pk), "member_id": str(member.pk)},
        members=frozenset({"police"}), writers=frozenset({"police"}),
    )  # fmt: skip
    issue_target = Target("issue", "ROSA's issue", {"issue_id": str(issue.pk)}, requester="ngo")
    commission = Target(
        "commission report", "2025, sent to Bergen", {"year": "2025"}, members=frozenset({"childwelfare"})
    )
    return {
        Access.MEASURE: measure_targets,
        Access.MEASURE_REPORT: measure_targets,
        Access.STATUS_REPORT: [report_target],
        Access.STATUS_REPORT_APPROVE: [report_target],
        Access.GROUP: [group_target],
        Access.GROUP_MANAGE: [group_target],
        Access.GROUP_TASK: [group_target],
        Access.ISSUE: [issue_target],
        Access.ISSUE_TRIAGE: [issue_target],
        Access.COMMISSION: [commission],
    }


def _coordination_expected(access: Access, persona: str, target: Target | None) -> frozenset[str] | None:
    """Issue 19's classes; None for any other class."""
    p = PERSONAS[persona]
    reader = p.role in (Role.COORDINATOR, Role.MINISTRY)
    allow, hidden, forbidden = frozenset({OK, INVALID}), frozenset({HIDDEN}), frozenset({FORBIDDEN})
    if access in (Access.COORDINATION, Access.MEASURE):
        return allow if reader else hidden
    if target is None:
        return None
    if access is Access.MEASURE_REPORT:
        if p.coordinator or persona in target.writers:
            return allow
        return forbidden if reader else hidden
    if access in (Access.STATUS_REPORT, Access.STATUS_REPORT_APPROVE):
        if not (p.coordinator or persona in target.writers):
            return hidden
        return forbidden if access is Access.STATUS_REPORT_APPROVE and persona == target.requester else allow
    if access is Access.GROUP:
        return allow if p.coordinator or persona in target.members else hidden
    if access in (Access.GROUP_MANAGE, Access.GROUP_TASK):
        if p.coordinator or (access is Access.GROUP_TASK and persona in target.writers):
            return allow
        return forbidden if persona in target.members else hidden
    if access in (Access.ISSUE, Access.ISSUE_TRIAGE):
        if p.coordinator or (access is Access.ISSUE and persona == target.requester):
            return allow
        return forbidden if persona == target.requester else hidden
    if access is Access.COMMISSION:
        return allow if reader or persona in target.members else hidden
    return None


# --- what each cell should answer --------------------------------------------------------------------------

OK, INVALID, SIGN_IN, UNAUTHENTICATED, FORBIDDEN, HIDDEN, METHOD, ERROR = (
    "ok",
    "invalid",
    "sign-in",
    "401",
    "403",
    "404",
    "405",
    "error",
)
READ = frozenset({OK})
WRITE = frozenset({OK, INVALID})  # passed the gate; the body may still be refused (400, 409, form errors)
ANY_BUT_SIGN_IN = frozenset({OK, INVALID, FORBIDDEN, HIDDEN, METHOD})


def expected(access: Access, persona: str, target: Target | None, method: str, api: bool) -> frozenset[str]:
    allow = WRITE if method == "POST" else READ
    hidden = frozenset({HIDDEN})
    forbidden = frozenset({FORBIDDEN})
    if access is Access.NOT_FOUND:
        return hidden
    if access is Access.PUBLIC:
        return allow
    if persona == ANONYMOUS:
        return (
            frozenset({UNAUTHENTICATED})
            if api and access is not Access.SYSTEM_ADMIN
            else frozenset({SIGN_IN})
        )
    p = PERSONAS[persona]
    if access is Access.SIGNED_IN:
        return allow
    coordination = _coordination_expected(access, persona, target)
    if coordination is not None:
        return allow if coordination == WRITE else coordination
    if access is Access.SYSTEM_ADMIN:
        return ANY_BUT_SIGN_IN if p.role == Role.SYSTEM_ADMIN else frozenset({SIGN_IN})
    if access is Access.CASE_USER:
        return allow if p.case_user else (forbidden if api else hidden)
    if access is Access.COORDINATOR:
        return allow if p.coordinator else hidden
    if access is Access.STATISTICS:
        return allow if p.role in (Role.COORDINATOR, Role.ANALYST) else hidden
    if access is Access.STATISTICS_EDIT:
        if p.role == Role.ANALYST:
            return forbidden
        return allow if p.role == Role.COORDINATOR else hidden
    if access is Access.AUDITOR:
        return allow if p.role == Role.AUDITOR else hidden
    if access is Access.ADMINISTRATOR:
        return allow if p.role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN) else hidden
    if access is Access.EXPORTS:
        if p.case_user:
            return allow
        if p.role == Role.AGENCY_ADMIN:
            return allow if method == "GET" else forbidden  # sees requests to approve; asks for none
        return hidden
    if access is Access.CRIMINAL_USER:
        return allow if p.case_user and (p.agency == "police" or p.coordinator) else hidden
    if access is Access.CRIMINAL_OPEN:
        return allow if p.case_user and p.agency == "police" else hidden
    assert target is not None, access
    if access in (Access.CRIMINAL_CASE, Access.CRIMINAL_CASE_ACT):
        if p.case_user and p.agency in target.criminal:
            return allow
        if p.coordinator:
            return allow if access is Access.CRIMINAL_CASE else forbidden
        return hidden
    if access in (Access.CASE, Access.PERSON, Access.ASSESSMENT):
        assert target.case is not None
        return allow if case_visible(persona, target.case) else hidden
    if access is Access.CASE_MANAGE:
        assert target.case is not None
        if case_manager(persona, target.case):
            return allow
        return forbidden if case_visible(persona, target.case) else hidden
    if access is Access.CASE_COORDINATOR:
        return allow if p.coordinator else hidden
    if access is Access.INVITATION:
        return allow if target.pending and p.case_user and p.agency == target.agency else hidden
    if access is Access.NOTIFICATION:
        return allow if persona in target.recipients else hidden
    if access in (Access.EXPORT_APPROVE, Access.EXPORT_DOWNLOAD):
        requester = PERSONAS[target.requester]
        approver = p.coordinator or (p.role == Role.AGENCY_ADMIN and p.agency == requester.agency)
        sees = persona == target.requester or (target.pending and approver)
        if not sees:
            return hidden
        if access is Access.EXPORT_APPROVE:
            return allow if persona != target.requester and target.pending else forbidden
        return allow if persona == target.requester and not target.pending else forbidden
    if access is Access.AGENCY:
        return allow if p.administers(target.agency) else hidden
    if access is Access.LINKAGE:
        return allow if p.coordinator else hidden
    if access is Access.ANONYMOUS_NOTIFICATION:
        if p.case_user and p.agency == target.agency:
            return allow
        return forbidden if p.coordinator else hidden
    raise AssertionError(f"no expectation for {access}")


def targets_for(access: Access, world: World) -> list[Target | None]:
    if access in world.coordination_targets:
        return list(world.coordination_targets[access])
    if access in (Access.CRIMINAL_CASE, Access.CRIMINAL_CASE_ACT):
        return list(world.criminal_targets)
    if access in (Access.CASE, Access.CASE_MANAGE, Access.CASE_COORDINATOR, Access.PERSON, Access.ASSESSMENT):
        return list(world.case_targets)
    if access is Access.INVITATION:
        return list(world.invitation_targets)
    if access is Access.NOTIFICATION:
        return list(world.notification_targets)
    if access in (Access.EXPORT_APPROVE, Access.EXPORT_DOWNLOAD):
        return list(world.export_targets)
    if access is Access.AGENCY:
        return list(world.agency_targets)
    if access is Access.LINKAGE:
        return list(world.linkage_targets)
    if access is Access.ANONYMOUS_NOTIFICATION:
        return list(world.anonymous_targets)
    assert access not in RECORD_SCOPED, f"no targets for {access}"
    return [None]


# --- turning a pattern into a request ---------------------------------------------------------------------

# Parameters of patterns that are not record-scoped (or that no target fills).
PARAMETERS = {
    "catalogue_id": "ilo_adult_labour",
    "object_id": "1",
    "pk": "1",
    "content_type_id": "1",
    "app_label": "auth",
    "url": "no-such-page/",
}
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def concrete_path(route: str, params: dict[str, str]) -> str:
    """A path for a route, its parameters filled from the target (then PARAMETERS)."""
    values = {**PARAMETERS, **params}

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in values:
            raise KeyError(f"no value for the parameter {name!r} of {route!r}: teach PARAMETERS or a target")
        return values[name]

    path = _GROUP.sub(value, route)
    path = _CONVERTER.sub(value, path)
    path = path.replace("^", "").replace("$", "").replace(".*", "no-such-endpoint/")
    return "/" + path


def body_for(name: str, world: World, target: Target | None, persona: str) -> dict[str, Any] | None:
    user = world.users.get(persona)
    version = 0
    if target is not None and "case_id" in target.params:
        version = Case.objects.get(pk=target.params["case_id"]).version
    reauth = {"password": PASSWORD, "otp_code": otp_code(user) if user else "000000"}
    agency = world.agencies[PERSONAS[persona].agency] if user else world.agencies["police"]
    now = clock.now()
    labour = str(world.agencies["labour"].pk)
    bodies: dict[str, Callable[[], dict[str, Any]]] = {
        "api-token": lambda: {"username": user.username if user else "nobody", **reauth},
        "linkage-review-pair": lambda: {
            "decision": "same",
            "reason": "Same phone and document.",
            "version": ReviewItem.objects.get(pk=target.params["pair_id"]).version if target else 0,
        },
        "linkage-merge-undo": lambda: {
            "reason": "Decided on the wrong pair.",
            "version": ReviewDecision.objects.get(pk=target.params["decision_id"]).version if target else 0,
        },
        "statistics-report-edit": lambda: {
            "trends": "More children reported by child welfare.",
            "challenges": "",
            "research_needs": "",
            "version": 0,
        },
        "api-cases": lambda: {
            "person": {"names": [{"given": "Grace", "family": "Obi"}], "sex": "F", "estimated_age": 16},
            "referral": {"reporting_agency": str(agency.pk), "referral_date": "2026-10-05"},
        },
        "api-case-status": lambda: {
            "status": "under_assessment",
            "reason": "Assessment started",
            "version": version,
        },
        "api-case-break-glass": lambda: {"reason": "Urgent: the child has gone missing tonight.", **reauth},
        "api-exports": lambda: {"reason": "Quarterly follow-up of our referrals."},
        "api-export-approve": lambda: reauth,
        "api-export-download": lambda: reauth,
        "api-case-participants": lambda: {"agency": labour, "note": "Needs follow-up"},
        "api-case-participant-revoke": lambda: {"reason": "No longer involved"},
        "api-case-consents": lambda: {
            "agency": labour,
            "purpose": "Workplace follow-up",
            "given_on": "2026-10-03",
        },
        "api-case-notes": lambda: {"text": "Called the shelter."},
        "api-indicator-catalogue-evaluate": lambda: {"indicators": []},
        "api-case-assessments": lambda: {
            "catalogue": target.params["catalogue_id"] if target else "",
            "indicators": [],
            "conclusion": "inconclusive",
            "reasoning": "Seen at the site.",
        },
        "api-case-age-evidence": lambda: {"kind": "own_statement", "age_min": 16, "on": "2026-10-01"},
        "api-case-presumption-lift": lambda: {"reason": "Passport checked as genuine."},
        "api-case-placements": lambda: {
            "kind": "shelter",
            "from_at": (now - dt.timedelta(hours=1)).isoformat(),
        },
        "api-case-missing-episodes": lambda: {
            "missing_from": "other",
            "last_seen_at": (now - dt.timedelta(hours=1)).isoformat(),
        },
        "set_language": lambda: {"language": "en", "next": "/"},
        "case-note": lambda: {"note-text": "Called the shelter."},
        "case-status": lambda: {
            "status-status": "under_assessment",
            "status-reason": "Assessment started",
            "status-version": str(version),
        },
        "break-glass": lambda: {"glass-reason": "Urgent: the child has gone missing tonight."},
        "exports": lambda: {"export-reason": "Quarterly follow-up of our referrals."},
        "api-coordination-measure-status": lambda: {
            "ministry": target.params["ministry"] if target else "ud",
            "year": int(target.params["year"]) if target else 2007,
            "status": "ongoing",
            "done": "Reported.",
        },
        "api-anonymous-notifications": lambda: {
            "noticed_on": clock.today().isoformat(),
            "age_band": "18-24",
            "exploitation_forms": ["forced_labour"],
        },
        "api-anonymous-notification-withdraw": lambda: {"reason": "mistake"},
        "anonymous-notification-new": lambda: {
            "noticed_on": clock.today().isoformat(),
            "age_band": "18-24",
            "exploitation_forms": ["forced_labour"],
        },
        "anonymous-notification-withdraw": lambda: {"reason": "mistake"},
        "api-coordination-status-approve": lambda: {
            "version": StatusReport.objects.get(pk=target.params["report_id"]).version if target else 0
        },
    }
    make = bodies.get(name)
    return make() if make else None


def status_class(response: Any) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = urlsplit(response["Location"])
        if location.path in (reverse("login"), reverse("admin:login")) and "next" in parse_qs(location.query):
            return SIGN_IN
        return OK
    if code < 300:
        return OK
    return {400: INVALID, 409: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: HIDDEN, 405: METHOD}.get(
        code, f"{code}"
    )


@functools.cache
def _fingerprint_sql() -> str:
    parts = []
    seen = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen or meta.db_table == "django_session":
            continue
        seen.add(meta.db_table)
        names = {f.column for f in meta.concrete_fields}
        version = "COALESCE(SUM(version), 0)" if "version" in names else "0"
        updated = "CAST(MAX(updated_at) AS TEXT)" if "updated_at" in names else "''"
        table = connection.ops.quote_name(meta.db_table)
        parts.append(f"SELECT '{meta.db_table}', COUNT(*), {version}, {updated} FROM {table}")
    return " UNION ALL ".join(parts)


def fingerprint() -> dict[str, tuple[str, ...]]:
    """Row counts, version sums and last update of every table but the sessions, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return {str(row[0]): tuple(str(v) for v in row[1:]) for row in cursor.fetchall()}


AUDIT_TABLE = AuditEvent._meta.db_table


def changed_tables(before: dict[str, tuple[str, ...]], after: dict[str, tuple[str, ...]]) -> set[str]:
    return {table for table in before.keys() | after.keys() if before.get(table) != after.get(table)}


# --- running the matrix ----------------------------------------------------------------------------------


@dataclass
class Cell:
    persona: str
    method: str
    key: str
    path: str
    access: Access
    target: str
    relation: str
    expected: frozenset[str]
    got: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.got in self.expected and not self.detail

    def __str__(self) -> str:
        want = "/".join(sorted(self.expected))
        extra = f" ({self.detail})" if self.detail else ""
        return (
            f"{self.persona:>12} {self.method:4} {self.key} [{self.target}: {self.relation}] "
            f"{self.access.name}: expected {want}, got {self.got}{extra}"
        )


@dataclass
class Results:
    patterns: int = 0
    classified: int = 0
    cells: list[Cell] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)  # failures of the list checks
    list_checks: int = 0


class Sessions:
    """A signed-in page client and API client per persona, reused (each new client loads the whole
    middleware stack again); signed in again when a cell ended the session (sign-out)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pages: dict[str, Client] = {ANONYMOUS: Client()}
        self.keys: dict[str, str] = {}
        self.apis: dict[str, APIClient] = {ANONYMOUS: APIClient()}

    def page(self, persona: str) -> Client:
        client = self.pages.setdefault(persona, Client())
        if persona == ANONYMOUS:
            client.cookies.clear()
            return client
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is None or cookie.value != self.keys.get(persona):
            client.cookies.clear()
            login_verified(client, self.world.users[persona])
            self.keys[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return client

    def api(self, persona: str) -> APIClient:
        if persona == ANONYMOUS:
            self.apis[ANONYMOUS].cookies.clear()
            return self.apis[ANONYMOUS]
        if persona not in self.apis:
            client = APIClient()
            client.force_authenticate(user=verified(User.objects.get(pk=self.world.users[persona].pk)))
            self.apis[persona] = client
        return self.apis[persona]


PERSONAL_NAMES = [n for pair in NAMES.values() for n in pair]


def run_cell(
    sessions: Sessions,
    world: World,
    pattern: Pattern,
    method: str,
    access: Access,
    persona: str,
    target: Target | None,
    fixed: dict[str, str] | None = None,
) -> Cell:
    api = pattern.route.startswith("api/")
    want = expected(access, persona, target, method, api)
    rel = relation(persona, target.case) if target is not None and target.case is not None else "-"
    if target is not None and target.case is None:
        rel = _record_relation(persona, target)
    cell = Cell(
        persona, method, pattern.key, pattern.route, access, target.label if target else "-", rel, want, ""
    )
    try:
        path = concrete_path(pattern.route, {**(fixed or {}), **(target.params if target else {})})
    except KeyError as error:
        cell.got, cell.detail = ERROR, str(error)
        return cell
    cell.path = path
    match = resolve(urlsplit(path).path)
    if match.view_name != pattern.key and match.route.replace("^", "") != pattern.route.replace("^", ""):
        cell.got, cell.detail = ERROR, f"{path} resolves to {match.view_name or match.route}"
        return cell
    # The client first: a sign-in made inside the savepoint would be rolled back with it.
    client = sessions.api(persona) if api else sessions.page(persona)
    sid = transaction.savepoint()
    try:
        body = body_for(pattern.key, world, target, persona) if method == "POST" else None
        denied = not (want & {OK, INVALID})
        before = fingerprint() if denied and method == "POST" else None
        try:
            if method == "POST":
                if api:
                    response = client.post(path, body or {}, format="json")
                else:
                    response = client.post(path, body or {})
            else:
                response = client.get(path)
        except Exception as error:  # noqa: BLE001 - a crashing view is a cell to report, not a stop
            cell.got, cell.detail = ERROR, f"{type(error).__name__}"
            return cell
        cell.got = status_class(response)
        if denied:
            if before is not None:
                changed = changed_tables(before, fingerprint())
                if want == {FORBIDDEN}:
                    # The user may see the record: the read before the refusal is audited (API).
                    changed.discard(AUDIT_TABLE)
                if changed:
                    cell.detail = f"the database changed: {sorted(changed)}"
            content = response.content.decode(errors="replace")
            leaked = [n for n in PERSONAL_NAMES if n in content]
            if leaked:
                cell.detail = f"personal data in a denied answer: {leaked}"
    finally:
        transaction.savepoint_rollback(sid)
    return cell


def _record_relation(persona: str, target: Target) -> str:
    if persona == ANONYMOUS:
        return "none"
    p = PERSONAS[persona]
    if target.kind == "criminal":
        return "participant" if p.agency in target.criminal else "other"
    if target.kind == "invitation":
        return "invitee" if p.agency == target.agency else "other"
    if target.kind == "notification":
        return "recipient" if persona in target.recipients else "other"
    if target.kind == "export":
        return "requester" if persona == target.requester else "other"
    if target.kind == "agency":
        return "administers" if p.administers(target.agency) else "other"
    if target.kind == "anonymous":
        return "own" if p.agency == target.agency else "other"
    return "-"


def distinct_relations(persona: str, targets: list[Target | None]) -> list[Target | None]:
    """One case per (relation, adult or child) for the persona: the police investigator gets all four
    cases (own adult, own child, another agency's adult and child), an analyst one adult's and one
    child's case (both "other"). Other records are all requested."""
    chosen: dict[Any, Target | None] = {}
    for target in targets:
        if target is not None and target.case is not None:
            key: Any = (relation(persona, target.case), target.case.child)
        else:
            key = id(target)
        chosen.setdefault(key, target)
    return list(chosen.values())


def run_matrix(world: World) -> Results:
    results = Results()
    sessions = Sessions(world)
    cache.clear()  # the token endpoint's throttle
    patterns = url_patterns()
    results.patterns = len(patterns)
    personas = [*PERSONAS, ANONYMOUS]
    for pattern in patterns:
        rule = classify(pattern.key)
        if rule is None:
            continue
        results.classified += 1
        for method, access in rule.items():
            targets = targets_for(access, world)
            for persona in personas:
                for target in distinct_relations(persona, targets):
                    results.cells.append(
                        run_cell(sessions, world, pattern, method, access, persona, target, dict(rule.params))
                    )
    check_lists(world, sessions, results)
    return results


# --- lists ---------------------------------------------------------------------------------------------------


def _ids(response: Any) -> set[str]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {str(r["id"]) for r in rows}


def check_lists(world: World, sessions: Sessions, results: Results) -> None:
    fail = results.lists.append
    case_ids = {name: str(case.pk) for name, case in world.cases.items()}
    references = {name: case.reference for name, case in world.cases.items()}

    def check(label: str, got: Any, want: Any) -> None:
        results.list_checks += 1
        if got != want:
            fail(
                f"{label}: expected {sorted(want) if isinstance(want, set) else want}, got {sorted(got) if isinstance(got, set) else got}"
            )

    for persona, p in PERSONAS.items():
        api = sessions.api(persona)
        page = sessions.page(persona)
        visible = {n for n, f in ALL_CASES.items() if case_visible(persona, f)}
        listed = set(ALL_CASES) if p.coordinator else visible

        # /api/cases/: the national list for coordinators (names only where opened), else the visible cases.
        response = api.get("/api/cases/?limit=100")
        check(f"{persona} /api/cases/ status", response.status_code, 200)
        rows = {r["id"]: r for r in response.json()["results"]}
        check(f"{persona} /api/cases/ ids", set(rows), {case_ids[n] for n in listed})
        named = {i for i, r in rows.items() if r["person_name"]}
        check(f"{persona} /api/cases/ rows with a name", named, {case_ids[n] for n in visible})
        for n in set(ALL_CASES) - visible:
            if any(name in response.content.decode() for name in NAMES[n]):
                fail(f"{persona} /api/cases/ shows a name of {n}, which the persona may not open")

        # The dashboard: the same cases by reference, names only of those the persona may open.
        body = page.get(reverse("dashboard")).content.decode()
        # Besides the list: open invitations to the persona's agency (reference and inviting agency) and
        # break-the-glass notices (to the case's lead agency and the auditors) name a case by reference.
        invited = {n for n, f in ALL_CASES.items() if p.case_user and p.agency in f.invited}
        noticed = {
            n for n, f in ALL_CASES.items() if f.glass and (p.role == Role.AUDITOR or p.agency == f.lead)
        }
        check(
            f"{persona} dashboard references",
            {n for n in ALL_CASES if references[n] in body},
            listed | invited | noticed,
        )
        check(
            f"{persona} dashboard names",
            # whole words: a three-letter name ("Eze") can turn up inside a random token of the page
            {n for n in ALL_CASES if any(re.search(rf"\b{re.escape(name)}\b", body) for name in NAMES[n])},
            visible,
        )

        # The case search (issue 20), in the API and on the case list page: a name finds the cases the
        # persona may open, never another's (a coordinator's national list included); a reference finds
        # any case of the persona's list.
        for n, (given, family) in NAMES.items():
            want = {case_ids[n]} if n in visible else set()
            response = api.get("/api/cases/", {"q": f"{family} {given}", "limit": 100})
            check(f"{persona} /api/cases/?q=<name of {n}>", _ids(response), want)
            by_reference = api.get("/api/cases/", {"q": references[n]})
            check(
                f"{persona} /api/cases/?q=<reference of {n}>",
                _ids(by_reference),
                {case_ids[n]} if n in listed else set(),
            )
            found = page.get(reverse("case-list"), {"q": f"{given} {family}"})
            check(f"{persona} case-list?q= status", found.status_code, 200 if p.case_user else 404)
            if p.case_user:
                body = found.content.decode()
                check(
                    f"{persona} case-list?q=<name of {n}>",
                    {m for m in ALL_CASES if references[m] in body},
                    {n} if n in visible else set(),
                )
        # Every persona case has the same passport number: a persona finds exactly the cases it may open.
        check(
            f"{persona} /api/cases/?q=<a passport number>",
            _ids(api.get("/api/cases/", {"q": "A1234567", "limit": 100})),
            {case_ids[n] for n in visible},
        )
        if p.case_user:
            body = page.get(reverse("case-list")).content.decode()
            check(f"{persona} case-list references", {n for n in ALL_CASES if references[n] in body}, listed)
            check(
                f"{persona} case-list names",
                {n for n in ALL_CASES if any(re.search(rf"\b{re.escape(x)}\b", body) for x in NAMES[n])},
                visible,
            )

        # Anonymous notifications (issue 22): an agency's own, coordinators every agency's; the page
        # and the API list the same; anyone who does not work with cases is refused.
        want_anonymous = {
            t.params["notification_id"]
            for t in world.anonymous_targets
            if p.case_user and (p.coordinator or p.agency == t.agency)
        }
        response = api.get("/api/anonymous-notifications/?limit=100")
        if p.case_user:
            check(f"{persona} /api/anonymous-notifications/", _ids(response), want_anonymous)
            body = page.get(reverse("anonymous-notifications")).content.decode()
            rows_shown = body.split("<tbody>", 1)[1].count("<tr>") if "anonymous-list" in body else 0
            check(f"{persona} anonymous-notifications page rows", rows_shown, len(want_anonymous))
            # The withdraw links: the persona's own agency's only (a coordinator sees, never withdraws).
            check(
                f"{persona} anonymous-notifications page withdraw links",
                {
                    t.params["notification_id"]
                    for t in world.anonymous_targets
                    if t.params["notification_id"] in body
                },
                {t.params["notification_id"] for t in world.anonymous_targets if t.agency == p.agency},
            )
        else:
            check(f"{persona} /api/anonymous-notifications/ status", response.status_code, 403)

        # /api/invitations/: open invitations to the persona's case agencies.
        want_inv = {
            t.params["participation_id"]
            for t in world.invitation_targets
            if t.pending and p.case_user and p.agency == t.agency
        }
        check(f"{persona} /api/invitations/", _ids(api.get("/api/invitations/?limit=100")), want_inv)

        # /api/notifications/ and the inbox page: to the persona or their agency and case role.
        want_notes = {
            str(n.pk)
            for n in Notification.objects.select_related("recipient_agency")
            if (n.recipient_user_id == world.users[persona].pk)
            or (
                n.recipient_user_id is None
                and p.case_user
                and n.recipient_agency_id == world.agencies[p.agency].pk
                and n.recipient_role in ("", p.role)
            )
        }
        check(f"{persona} /api/notifications/", _ids(api.get("/api/notifications/?limit=500")), want_notes)

        # /api/exports/: own requests, and those waiting for the persona's approval.
        want_exports = set()
        for t in world.export_targets:
            approver = p.coordinator or (
                p.role == Role.AGENCY_ADMIN and p.agency == PERSONAS[t.requester].agency
            )
            if persona == t.requester or (t.pending and approver):
                want_exports.add(t.params["request_id"])
        check(f"{persona} /api/exports/", _ids(api.get("/api/exports/?limit=100")), want_exports)

        # /api/agencies/: the active agencies, for everyone signed in.
        want_agencies = {str(a.pk) for a in world.agencies.values()}
        check(f"{persona} /api/agencies/", _ids(api.get("/api/agencies/?limit=100")), want_agencies)

        # The national clock list: coordinators only, every agency's clocks, references and never names.
        response = api.get("/api/response/clocks/?limit=200")
        if p.coordinator:
            rows_ = response.json()["results"]
            check(
                f"{persona} /api/response/clocks/",
                {str(r["clock_id"]) for r in rows_},
                world.clocks_in_national_view,
            )
            text = response.content.decode() + page.get(reverse("response-clocks")).content.decode()
            leaked = [name for name in PERSONAL_NAMES if name in text]
            check(f"{persona} national clock list names", leaked, [])
        else:
            check(f"{persona} /api/response/clocks/", response.status_code, 404)

        # Agency administration: the agencies the persona administers.
        if p.role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN):
            text = page.get(reverse("agency-admin")).content.decode()
            shown = {a for a, agency in world.agencies.items() if agency.name in text}
            want_admin = {a for a in world.agencies if p.administers(a)}
            check(f"{persona} agency-admin agencies", shown, want_admin)

        # The inbox page and my next actions never name a case the persona may not open.
        for url in ("notifications", "response-next"):
            inbox = page.get(reverse(url))
            check(f"{persona} {url} status", inbox.status_code, 200 if p.case_user else 404)
            text = inbox.content.decode()
            named_cases = {n for n in ALL_CASES if any(name in text for name in NAMES[n])}
            check(f"{persona} {url} names of cases not opened", named_cases - visible, set())

    # The inactive agency is in no list.
    results.list_checks += 1
    if str(world.inactive_agency.pk) in _ids(sessions.api("police").get("/api/agencies/?limit=100")):
        fail("/api/agencies/ lists an inactive agency")


# --- the tests -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> Iterator[Results]:
    """The whole matrix, run once: a world built inside a transaction that is rolled back at the end."""
    # The world's worker beat once, as it was built; the matrix takes minutes, so the beat counts as
    # fresh for the whole run (/health/ answers 200; its 503 is tested in tests/response/test_health.py).
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock(), transaction.atomic():
        patch.setattr(health, "STALE_AFTER", dt.timedelta(days=1))
        world = build_world()
        results = run_matrix(world)
        transaction.set_rollback(True)
    yield results


def test_every_cell_answers_as_its_class_prescribes(matrix):
    wrong = [str(c) for c in matrix.cells if not c.ok]
    assert not wrong, f"{len(wrong)} of {len(matrix.cells)} cells answered wrongly:\n" + "\n".join(wrong)


def test_zero_unexpected_200s(matrix):
    leaks = [str(c) for c in matrix.cells if c.got == OK and OK not in c.expected]
    assert not leaks, "successful answers where the class denies:\n" + "\n".join(leaks)


def test_lists_return_exactly_the_expected_records(matrix):
    assert matrix.list_checks > 0
    assert not matrix.lists, "\n".join(matrix.lists)


def test_matrix_covers_every_persona_relation_and_class(matrix):
    """The matrix really asks: every persona, every relation a caseworker can have, every class in use."""
    personas = {c.persona for c in matrix.cells}
    assert personas == {*PERSONAS, ANONYMOUS}
    relations = {c.relation for c in matrix.cells}
    assert {"own", "shared", "invited", "other", "break-glass"} <= relations
    in_use = {access for r in URL_CLASSES.values() for _, access in r.items()}
    assert in_use <= {c.access for c in matrix.cells}
    # Denials were really exercised, and allowed cells really passed.
    assert any(c.got == HIDDEN for c in matrix.cells)
    assert any(c.got == OK and c.access is Access.CASE for c in matrix.cells)


def figures(results: Results) -> dict[str, int]:
    """The numbers to quote: URL patterns classified and matrix cells checked."""
    got = Counter(c.got for c in results.cells)
    return {
        "url_patterns": results.patterns,
        "url_patterns_classified": results.classified,
        "matrix_cells": len(results.cells),
        "cells_allowed": sum(1 for c in results.cells if c.expected & {OK, INVALID}),
        "cells_denied": sum(1 for c in results.cells if not c.expected & {OK, INVALID}),
        "cells_404": got[HIDDEN],
        "cells_403": got[FORBIDDEN],
        "cells_401": got[UNAUTHENTICATED],
        "cells_sign_in": got[SIGN_IN],
        "list_checks": results.list_checks,
        "list_check_failures": len(results.lists),
        "unexpected_cells": sum(1 for c in results.cells if not c.ok),
        "unexpected_200s": sum(1 for c in results.cells if c.got == OK and OK not in c.expected),
    }


def test_summary_figures(matrix):
    numbers = figures(matrix)
    print("\nauthorization matrix: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))
    # Every classified pattern was requested, by every persona (unclassified ones fail their own test).
    assert numbers["matrix_cells"] >= numbers["url_patterns_classified"] * (len(PERSONAS) + 1)


def test_the_matrix_catches_a_leak(db, monkeypatch):
    """The detector itself: with the access layer broken so that every case is visible to everyone, the
    outsider's cell on the police's case is reported, as an unexpected success."""
    from varde.access import cases as access

    world = build_world()
    sessions = Sessions(world)
    pattern = next(p for p in url_patterns() if p.key == "case-detail")
    target = next(t for t in world.case_targets if t.label == "police_adult")
    honest = run_cell(sessions, world, pattern, "GET", Access.CASE, "outsider", target)
    assert honest.ok and honest.got == HIDDEN

    monkeypatch.setattr(access, "cases_visible_to", lambda *, user: Case.objects.all())
    leaked = run_cell(sessions, world, pattern, "GET", Access.CASE, "outsider", target)
    assert not leaked.ok
    assert leaked.got == OK and OK not in leaked.expected
