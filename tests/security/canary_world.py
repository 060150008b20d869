"""A world of cases with a unique canary marker in every sensitive text field (issue #7, the proofs).

The cases are made through the real services (report, invite, consent, notes, identification,
response, break-the-glass, linkage decisions, four-eyes exports), each given marked text where the
service takes text; then every canaried field of every row that belongs to a case is overwritten with
its own marker, so that a field a service left empty (or normalised) still carries one.

Marker: ``CANARY<case index>X<field code><row serial>``, e.g. ``CANARY3XGN1`` (the first given name of
case 3): letters and digits only, so HTML, JSON and CSV escaping leave it alone, and short enough for
the national id (11 characters). Nothing personal-looking.

Who may see case i's markers is written here from the access rules, independently of varde.access:
the caseworkers and coordinators of an agency whose participation in the case is ACTIVE (the lead,
or an invited agency that accepted and was not revoked), and a coordinator with an unexpired
break-the-glass of their own. Invited-only, declined and revoked agencies, analysts, agency and system
administrators and auditors see nothing; the one exception in the data classification is the
break-the-glass reason, which the auditors are also told.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from tests.conftest import Agencies, Personas
from tests.factories import make_user, report
from varde.accounts.models import Agency, Role, User
from varde.cases.models import Case, CaseParticipation, Consent, ParticipationState
from varde.cases.services import (
    NameInput,
    case_add_note,
    case_change_status,
    case_invite_agency,
    consent_record,
    consent_withdraw,
    participation_respond,
    participation_revoke,
    person_add_name,
)
from varde.core import clock

MARKER_RE = re.compile(r"CANARY(\d+)X([A-Z0-9]*)", re.IGNORECASE)


def marker(case_index: int, code: str, serial: int | str = "") -> str:
    return f"CANARY{case_index}X{code}{serial}"


# --- the inventory ------------------------------------------------------------------------------------
# Every CharField / TextField / JSONField of a model tied to a case or a person is either canaried here
# (model label, field) -> (code, lookup from the model to its case), or listed in NON_SENSITIVE with the
# reason. Fields with `choices` are codes from a fixed list (status, kind, sex, ...): they cannot hold
# free text, so they are accepted by that rule. test_inventory_covers_the_schema keeps this honest.


@dataclass(frozen=True)
class Canary:
    code: str
    case_path: str  # lookup from the model to Case, "" for Case itself
    who: str = "case"  # "case": case users; "glass": case users + auditors; "linkage": coordinators;
    # "criminal": the users of the agencies taking part in the criminal case (never KOM, never the
    # victim's caseworker)


CANARIED: dict[tuple[str, str], Canary] = {
    ("persons.Person", "national_id"): Canary("NI", "cases"),
    ("persons.PersonName", "given"): Canary("GN", "person__cases"),
    ("persons.PersonName", "family"): Canary("FN", "person__cases"),
    ("persons.IdentityDocument", "number"): Canary("DN", "person__cases"),
    ("persons.PhoneNumber", "number"): Canary("PH", "person__cases"),
    ("persons.PhoneNumber", "note"): Canary("PN", "person__cases"),
    # The case search's keys (issue 20): name parts, phone and document numbers, birth dates as
    # normalised; read only by the search, never shown.
    ("cases.PersonSearchKey", "key"): Canary("SK", "person__cases"),
    ("cases.Referral", "external_id"): Canary("EX", "case"),
    ("cases.Referral", "met_where"): Canary("MW", "case"),
    ("cases.Referral", "description"): Canary("DE", "case"),
    ("cases.CaseParticipation", "invitation_note"): Canary("IN", "case"),
    ("cases.Consent", "purpose"): Canary("CP", "case"),
    ("cases.StatusChange", "reason"): Canary("SR", "case"),
    ("cases.CaseEvent", "text"): Canary("ET", "case"),
    ("identification.Assessment", "reasoning"): Canary("AR", "case"),
    ("identification.AgeEvidence", "assessed_by"): Canary("AB", "case"),
    ("identification.AgeEvidence", "note"): Canary("AN", "case"),
    ("identification.AgePresumption", "lifted_reason"): Canary("PL", "case"),
    ("response.ClockChange", "reason"): Canary("CC", "clock__case"),
    ("response.ClockPause", "reason"): Canary("CQ", "clock__case"),
    ("response.ClockExtension", "reason"): Canary("CE", "clock__case"),
    ("response.LegalStatus", "note"): Canary("LS", "case"),
    ("response.LegalStatus", "reason"): Canary("LR", "case"),
    ("response.PoliceCooperation", "note"): Canary("PC", "case"),
    ("response.VoluntaryReturn", "organisation_name"): Canary("VO", "case"),
    ("response.VoluntaryReturn", "reception"): Canary("VR", "case"),
    ("response.VoluntaryReturn", "note"): Canary("VN", "case"),
    ("response.ReturnFollowUp", "note"): Canary("RF", "voluntary_return__case"),
    ("response.Placement", "description"): Canary("PD", "case"),
    ("response.PlanGoal", "text"): Canary("PG", "plan__case"),
    ("response.Task", "title"): Canary("TT", "case"),
    ("response.MeetingDecision", "text"): Canary("MD", "meeting__case"),
    ("audit.BreakGlassAccess", "reason"): Canary("BG", "case", who="glass"),
    ("linkage.ReviewDecision", "reason"): Canary("RD", "record_a__case", who="linkage"),
    ("linkage.ReviewDecision", "withdrawal_reason"): Canary("RW", "record_a__case", who="linkage"),
    # criminal cases: investigation details, filled through the victim's case linked to the criminal case
    ("prosecution.CriminalCase", "police_case_number"): Canary("KN", "victim_links__case", who="criminal"),
    ("prosecution.CriminalCase", "notes"): Canary("KO", "victim_links__case", who="criminal"),
    ("prosecution.Perpetrator", "name"): Canary(
        "KP", "case_links__criminal_case__victim_links__case", who="criminal"
    ),
    ("prosecution.PerpetratorLink", "sentence_text"): Canary(
        "KS", "criminal_case__victim_links__case", who="criminal"
    ),
    ("prosecution.Network", "name"): Canary(
        "KW", "case_links__criminal_case__victim_links__case", who="criminal"
    ),
    ("prosecution.Cooperation", "note"): Canary("KC", "criminal_case__victim_links__case", who="criminal"),
}

NON_SENSITIVE: dict[tuple[str, str], str] = {
    ("persons.Person", "nationalities"): "ISO 3166 codes (statistics as counts)",
    ("persons.Person", "languages"): "ISO 639 codes",
    ("persons.IdentityDocument", "issuing_country"): "ISO 3166 code",
    ("cases.Case", "reference"): "operational: the national list shows it by design",
    ("cases.Referral", "municipality"): "4-digit municipality number (statistics as counts)",
    ("cases.Referral", "exploitation_forms"): "codes from ExploitationForm",
    ("cases.Consent", "agency_kind"): "an AgencyKind code",
    ("cases.CaseEvent", "data"): "ids and codes only (varde.cases.services._event)",
    ("events.Event", "data"): "outbox: ids and codes only",
    ("identification.Assessment", "indicator_ids"): "catalogue indicator ids",
    ("identification.Assessment", "local_answers"): "ids and texts of the agency's own questions",
    ("identification.Assessment", "result"): "the rule's result: element and indicator ids",
    ("identification.Assessment", "outcome"): "the rule's outcome code",
    ("identification.AgePresumption", "reasons"): "PresumptionReason codes",
    ("response.Clock", "kind"): "a clock kind from rules/clocks.json",
    ("response.Clock", "rule_source"): "the legal source named by the rule file",
    ("response.Clock", "origin"): "what started it, ids only",
    ("response.ClockChange", "data"): "ids only",
    ("response.LegalStatus", "criteria"): "four booleans",
    ("response.Notification", "recipient_role"): "a Role code",
    (
        "response.Notification",
        "text_nb",
    ): "built from non-personal fields (rules.MESSAGE_FIELDS); checked below",
    (
        "response.Notification",
        "text_en",
    ): "built from non-personal fields (rules.MESSAGE_FIELDS); checked below",
    ("response.Notification", "dedupe_key"): "ids and kinds",
    ("response.Notification", "subject"): "what happened, ids and kinds only (routing.notify)",
    ("response.MissingEpisode", "located_country"): "ISO 3166 code (where abroad; statistics as counts)",
    ("response.VoluntaryReturn", "country"): "ISO 3166 code (statistics as counts)",
    ("response.Notification", "email_to"): "the recipient agency's notification address (agency data)",
    ("response.Notification", "claimed_by"): "worker id",
    ("linkage.ClusterMember", "person_key"): "a key computed from record ids (linkage.cluster.person_key)",
    ("linkage.RecordKey", "key"): "a keyed hash (HMAC) of a blocking key, never the value itself",
    ("prosecution.CriminalCase", "reference"): "operational: Varde's own reference of the criminal case",
    (
        "prosecution.CriminalCase",
        "police_district",
    ): "a district code (statistics/rules/police_districts.json)",
    ("prosecution.CriminalCase", "offence_section"): "the section of law named by rules/offences.json",
    (
        "prosecution.CriminalCase",
        "trial_court",
    ): "the court's name (a public institution; the trial is public)",
    ("prosecution.StageEntry", "court"): "the court's name (a public institution)",
    ("prosecution.Network", "countries"): "ISO 3166 codes",
    ("prosecution.Perpetrator", "nationality"): "an ISO 3166 code, shown only with the name",
    ("prosecution.Perpetrator", "police_district"): "a district code",
    ("prosecution.Cooperation", "country"): "an ISO 3166 code",
}

# Models tied to a case or a person (a foreign key path to Case, Person or Referral). New ones are
# found by case_models(); this is only the root set.
# Not here, on purpose: identification.AnonymousNotification (issue 22). It has no path to a case or a
# person (it is never linked to one), and no sensitive text to canary: a date, an age band, sex,
# nationality and forms of exploitation as codes from fixed lists, a municipality number, and a
# withdrawal reason code; no free-text field at all (tests/identification/test_anonymous.py checks
# that the model has none). Who sees it is tested by the URL matrix (Access.ANONYMOUS_NOTIFICATION).
ROOTS = (
    "cases.Case",
    "persons.Person",
    "cases.Referral",
    "prosecution.CriminalCase",
    "prosecution.Perpetrator",
    "prosecution.Network",
)


def case_models() -> list[type[models.Model]]:
    """Every model of the project with a foreign-key path (any length) to a case, person or referral."""
    project = [m for m in apps.get_models() if m.__module__.startswith("varde.")]
    tied = {apps.get_model(label) for label in ROOTS}
    changed = True
    while changed:
        changed = False
        for model in project:
            if model in tied:
                continue
            for f in model._meta.get_fields():
                if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model in tied:
                    tied.add(model)
                    changed = True
                    break
    return sorted(tied, key=lambda m: m._meta.label)


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and f.concrete
    ]


# --- the world ------------------------------------------------------------------------------------------


@dataclass
class World:
    personas: Personas
    agencies: Agencies
    cases: list[Case]
    # persona name -> case indexes whose personal data the persona may open
    visible: dict[str, set[int]]
    # (case index, field key) pairs actually carrying a marker
    filled: set[tuple[int, tuple[str, str]]] = field(default_factory=set)
    markers: dict[str, tuple[int, tuple[str, str]]] = field(default_factory=dict)
    export_requests: dict[str, list[Any]] = field(default_factory=dict)
    # personas whose agency takes part in the world's criminal case (its participant rows, as stored)
    criminal_visible: set[str] = field(default_factory=set)

    def persona(self, name: str) -> User:
        user: User = getattr(self.personas, name)
        return user

    def allowed(self, persona: str, case_index: int, key: tuple[str, str]) -> bool:
        canary = CANARIED[key]
        if canary.who == "glass" and persona == "auditor":
            return True
        if canary.who == "linkage" and persona != "coordinator":
            return False
        if canary.who == "criminal":
            return persona in self.criminal_visible
        return case_index in self.visible[persona]


PERSONA_NAMES = [
    "police",
    "childwelfare",
    "ngo",
    "coordinator",
    "analyst",
    "outsider",
    "agency_admin",
    "sysadmin",
    "auditor",
]


def _expected_visibility(world_cases: list[Case], personas: Personas) -> dict[str, set[int]]:
    """The rule, written from the participation rows and break-the-glass rows as stored (not through
    varde.access): ACTIVE participation of one of the persona's case-role agencies, or a coordinator's
    own unexpired break-the-glass."""
    from varde.audit.models import BreakGlassAccess

    case_roles = {"caseworker", "coordinator"}
    out: dict[str, set[int]] = {}
    now = clock.now()
    for name in PERSONA_NAMES:
        user: User = getattr(personas, name)
        memberships = list(user.memberships.filter(is_active=True, agency__is_active=True))
        case_agencies = {m.agency_id for m in memberships if m.role in case_roles}
        is_coordinator = any(m.role == "coordinator" for m in memberships)
        seen: set[int] = set()
        for i, case in enumerate(world_cases):
            active = set(
                CaseParticipation.objects.filter(case=case, state=ParticipationState.ACTIVE).values_list(
                    "agency_id", flat=True
                )
            )
            glass = is_coordinator and any(
                b.coordinator_id == user.pk and b.expires_at > now
                for b in BreakGlassAccess.objects.filter(case=case)
            )
            if case_agencies & active or glass:
                seen.add(i)
        out[name] = seen
    return out


def _fill(world: World) -> None:
    """Overwrite every canaried field of every row tied to case i with a marker of its own."""
    for key, canary in CANARIED.items():
        model = apps.get_model(key[0])
        fname = key[1]
        max_length = model._meta.get_field(fname).max_length
        for i, case in enumerate(world.cases):
            lookup = {canary.case_path: case} if canary.case_path else {"pk": case.pk}
            rows = list(model.objects.filter(**lookup).order_by("pk").values_list("pk", flat=True).distinct())
            for serial, pk in enumerate(rows, start=1):
                value = marker(i, canary.code, serial)
                assert max_length is None or len(value) <= max_length, (key, value)
                model.objects.filter(pk=pk).update(**{fname: value})
                world.markers[value.upper()] = (i, key)
                world.filled.add((i, key))


def build_world(personas: Personas, agencies: Agencies) -> World:
    """Seven cases, each with every kind of case data, and the participation patterns that matter:

    0 police adult, ROSA invited with consent and taking part
    1 police child, child welfare taking part (no consent needed), a missing episode
    2 child-welfare adult, ROSA took part until the consent was withdrawn (revoked)
    3 child-welfare child, police only invited (not answered), presumption of minority lifted
    4 ROSA adult, police invited and declined
    5 ROSA child, KOM's coordinator broke the glass
    6 police adult, KOM invited with consent and taking part; a linkage decision with case 5
    """
    from varde.access.break_glass import break_glass_open
    from varde.identification.services import (
        age_evidence_record,
        assessment_record,
        presumption_evaluate,
        presumption_lift,
    )
    from varde.interchange import approval
    from varde.linkage.services import review_decide_pair, review_undo
    from varde.response import clocks as rclocks
    from varde.response.disappearances import missing_episode_record
    from varde.response.legal_status import legal_status_record, police_cooperation_record
    from varde.response.placements import placement_record
    from varde.response.plans import DecisionInput, meeting_record, plan_create, plan_goal_add, task_add
    from varde.response.returns import follow_up_record, return_plan, return_record

    p, a = personas, agencies
    # 24-hour contacts with e-mail, so that notifications are also mailed (and the mail checked)
    from varde.response.models import AgencyContact

    for agency in (a.police, a.childwelfare, a.ngo, a.kom, a.labour):
        AgencyContact.objects.create(
            agency=agency, email=f"{agency.code}@example.org", on_call_phone="+4700000000"
        )
    spec: list[tuple[User, Agency, bool]] = [
        (p.police, a.police, False),
        (p.police, a.police, True),
        (p.childwelfare, a.childwelfare, False),
        (p.childwelfare, a.childwelfare, True),
        (p.ngo, a.ngo, False),
        (p.ngo, a.ngo, True),
        (p.police, a.police, False),
    ]
    today = clock.today()
    cases: list[Case] = []
    for i, (actor, agency, child) in enumerate(spec):
        case = report(
            actor,
            agency,
            given=marker(i, "GN", 0),
            family=marker(i, "FN", 0),
            child=child,
            referral_date=today - dt.timedelta(days=20),
            phones=[marker(i, "PH", 0)],
            documents=[],
            description=marker(i, "DE", 0),
            met_where=marker(i, "MW", 0),
            external_id=marker(i, "EX", 0),
            national_id=marker(i, "NI"),
        )
        person_add_name(
            actor=actor, case=case, name=NameInput(given=marker(i, "GN", 9), family="", kind="alias")
        )
        case_add_note(actor=actor, case=case, text=marker(i, "ET", 0))
        case = Case.objects.get(pk=case.pk)
        case_change_status(
            actor=actor, case=case, status="under_assessment", reason=marker(i, "SR", 0), version=case.version
        )
        cases.append(Case.objects.get(pk=case.pk))

    from varde.persons.models import IdentityDocument, PhoneNumber

    for i, case in enumerate(cases):
        IdentityDocument.objects.create(person=case.person, doc_type="passport", number=marker(i, "DN", 0))
        PhoneNumber.objects.filter(person=case.person).update(note=marker(i, "PN", 0))

    # participation patterns
    def share(
        i: int, lead: User, guest: Agency, guest_user: User, *, accept: bool | None, consent: bool
    ) -> Any:
        if consent:
            consent_record(
                actor=lead,
                case=cases[i],
                purpose=marker(i, "CP", 0),
                given_on=today - dt.timedelta(days=5),
                agency=guest,
            )
        invitation = case_invite_agency(actor=lead, case=cases[i], agency=guest, note=marker(i, "IN", 0))
        if accept is not None:
            participation_respond(actor=guest_user, participation=invitation, accept=accept)
        return invitation

    share(0, p.police, a.ngo, p.ngo, accept=True, consent=True)
    share(1, p.police, a.childwelfare, p.childwelfare, accept=True, consent=False)
    share(2, p.childwelfare, a.ngo, p.ngo, accept=True, consent=True)
    consent_withdraw(actor=p.childwelfare, consent=Consent.objects.get(case=cases[2]))
    assert not CaseParticipation.objects.filter(
        case=cases[2], agency=a.ngo, state=ParticipationState.ACTIVE
    ).exists()
    share(3, p.childwelfare, a.police, p.police, accept=None, consent=True)
    share(4, p.ngo, a.police, p.police, accept=False, consent=True)
    share(6, p.police, a.kom, p.coordinator, accept=True, consent=True)
    # a revoked participation with a reason, on case 6 (labour inspection invited, then revoked)
    inv = share(6, p.police, a.labour, p.outsider, accept=None, consent=True)
    participation_revoke(actor=p.police, participation=inv, reason=marker(6, "ET", 7))
    # consents for cases without one yet (the purpose is case data everywhere)
    for i in (1, 5):
        consent_record(
            actor=spec[i][0], case=cases[i], purpose=marker(i, "CP", 1), given_on=today, agency=a.labour
        )

    # break-the-glass (the coordinator must pass the second factor as in a request)
    break_glass_open(
        actor=_verified(p.coordinator), case=cases[5], reason=marker(5, "BG", 0) + " urgent, gone missing"
    )

    # identification and response, for every case, by a user of the lead agency
    now = clock.now()
    for i, case in enumerate(cases):
        actor = _verified(spec[i][0])
        case = Case.objects.get(pk=case.pk)
        assessment_record(
            actor=actor,
            case=case,
            catalogue_id="national_child" if case.is_child else "national_general",
            indicator_ids=[],
            conclusion="inconclusive",
            reasoning=marker(i, "AR", 0),
        )
        age_evidence_record(
            actor=actor,
            case=case,
            kind="own_statement" if case.is_child else "age_assessment",
            age_min=16 if case.is_child else 25,
            age_max=None,
            on=today,
            assessed_by=marker(i, "AB", 0),
            note=marker(i, "AN", 0),
        )
        placement_record(
            actor=actor,
            case=case,
            kind="shelter",
            from_at=now - dt.timedelta(hours=3),
            description=marker(i, "PD", 0),
        )
        plan = plan_create(actor=actor, case=case)
        plan_goal_add(actor=actor, plan=plan, text=marker(i, "PG", 0))
        task_add(
            actor=actor,
            case=case,
            title=marker(i, "TT", 0),
            responsible_agency=spec[i][1],
            due_date=today + dt.timedelta(days=10),
            plan=plan,
        )
        meeting_record(
            actor=actor,
            case=case,
            held_at=now - dt.timedelta(hours=1),
            participants=[spec[i][1]],
            decisions=[
                DecisionInput(
                    text=marker(i, "MD", 0),
                    task_title=marker(i, "TT", 1),
                    responsible_agency=spec[i][1],
                    due_date=today + dt.timedelta(days=7),
                )
            ],
        )
        legal_status_record(
            actor=actor,
            case=case,
            kind="asylum_seeker",
            from_date=today - dt.timedelta(days=10),
            note=marker(i, "LS", 0),
        )
        legal_status_record(
            actor=actor,
            case=case,
            kind="asylum_rejected",
            from_date=today - dt.timedelta(days=5),
            reason=marker(i, "LR", 0),
        )
        police_cooperation_record(
            actor=actor, case=case, state="considering", on_date=today, note=marker(i, "PC", 0)
        )
        ret = return_plan(
            actor=actor,
            case=case,
            organisation="other",
            organisation_name=marker(i, "VO", 0),
            country="NG",
            planned_on=today,
            reception=marker(i, "VR", 0),
            note=marker(i, "VN", 0),
            guardian_consulted=True,
            best_interests_assessed=True,
        )
        ret = return_record(actor=actor, ret=ret, returned_on=today, version=ret.version)
        follow_up_record(
            actor=actor, ret=ret, stage=3, on_date=today, outcome="reached", note=marker(i, "RF", 0)
        )
        review = plan.review_clock
        assert review is not None
        review = rclocks.clock_pause(
            actor=actor, clock=review, reason=marker(i, "CQ", 0), version=review.version
        )
        review = rclocks.clock_resume(actor=actor, clock=review, version=review.version)
        rclocks.clock_extend(
            actor=actor, clock=review, reason=marker(i, "CE", 0), version=review.version, days=7
        )

    # a disappearance after the names are in place: notifications are built now, and must hold no marker
    missing_episode_record(
        actor=_verified(p.police),
        case=Case.objects.get(pk=cases[1].pk),
        missing_from="shelter",
        last_seen_at=now - dt.timedelta(hours=2),
    )
    # the presumption of minority in case 3: verified adult document, then lifted with a reason
    c3 = Case.objects.get(pk=cases[3].pk)
    age_evidence_record(
        actor=_verified(p.childwelfare),
        case=c3,
        kind="document",
        age_min=19,
        on=today,
        verified=True,
        assessed_by=marker(3, "AB", 1),
        note=marker(3, "AN", 1),
    )
    presumption_evaluate(actor=_verified(p.childwelfare), case=c3)
    from varde.identification.models import AgePresumption

    if AgePresumption.objects.filter(case=c3, lifted_at__isnull=True).exists():
        presumption_lift(actor=_verified(p.childwelfare), case=c3, reason=marker(3, "PL", 0))

    # a linkage decision between cases 5 and 6 (coordinator), withdrawn with a reason
    r5, r6 = cases[5].referrals.get(), cases[6].referrals.get()
    decision = review_decide_pair(
        actor=p.coordinator, record_a=r5, record_b=r6, decision="not_same", reason=marker(5, "RD", 0)
    )
    review_undo(actor=p.coordinator, decision=decision, reason=marker(5, "RW", 0))

    # approved four-eyes export requests (two each: one for the page, one for the API)
    # (the coordinator's are approved by a second KOM coordinator, who is not a crawled persona)
    second_coordinator = make_user("kom-second", a.kom, Role.COORDINATOR)
    requests: dict[str, list[Any]] = {}
    for name in ("police", "childwelfare", "ngo", "coordinator"):
        requester = getattr(p, name)
        approver = {"police": p.agency_admin, "coordinator": second_coordinator}.get(name, p.coordinator)
        made = []
        for _n in range(2):
            req = approval.export_request_create(actor=requester, reason="Court case 26-123, hearing")
            approval.export_request_approve(actor=approver, request=req)
            made.append(req)
        requests[name] = made

    _criminal_case(p, cases[0])
    cases = [Case.objects.get(pk=c.pk) for c in cases]
    world = World(personas=p, agencies=a, cases=cases, visible=_expected_visibility(cases, p))
    world.export_requests = requests
    world.criminal_visible = _criminal_visibility(p)
    _fill(world)
    return world


def _criminal_case(p: Personas, victim: Case) -> None:
    """A criminal case of the police with case 0 (the police's adult case, shared with ROSA) as aggrieved
    party: a case number, notes, a named suspect convicted with a sentence, a network, cooperation, and
    the trial date the victim's caseworker may see."""
    from varde.prosecution import services as prosecution

    police = _verified(p.police)
    today = clock.today()
    cc = prosecution.criminal_case_open(
        actor=police,
        data=prosecution.CriminalCaseInput(
            police_district="oslo",
            offence="trafficking",
            facts_date=today - dt.timedelta(days=60),
            opened_on=today - dt.timedelta(days=50),
            police_case_number=marker(0, "KN", 0),
            notes=marker(0, "KO", 0),
        ),
    )
    prosecution.victim_link_add(actor=police, criminal_case=cc, case=victim, role="aggrieved_party")
    network = prosecution.network_add(
        actor=police, criminal_case=cc, name=marker(0, "KW", 0), countries=["RO"]
    )
    link = prosecution.perpetrator_add(
        actor=police, criminal_case=cc, name=marker(0, "KP", 0), role="leader", network=network
    )
    prosecution.cooperation_record(
        actor=police,
        criminal_case=cc,
        kind="jit",
        started_on=today - dt.timedelta(days=40),
        note=marker(0, "KC", 0),
    )
    for stage, days, extra in (
        ("charged", 30, {}),
        ("trial", 20, {"court": "Oslo tingrett"}),
        ("verdict", 10, {"court": "Oslo tingrett", "outcome": "convicted_trafficking"}),
    ):
        cc = prosecution.stage_record(
            actor=police,
            criminal_case=cc,
            stage=stage,
            on=today - dt.timedelta(days=days),
            version=cc.version,
            **extra,
        )
    prosecution.perpetrator_outcome_record(
        actor=police,
        link=link,
        outcome="convicted_trafficking",
        version=link.version,
        sentence_text=marker(0, "KS", 0),
    )


def _criminal_visibility(p: Personas) -> set[str]:
    """Personas with a case role in an agency on the criminal cases' participant rows (as stored)."""
    from varde.prosecution.models import CriminalCaseParticipant

    agencies = set(CriminalCaseParticipant.objects.values_list("agency_id", flat=True))
    out = set()
    for name in PERSONA_NAMES:
        user: User = getattr(p, name)
        roles = user.memberships.filter(
            is_active=True, agency_id__in=agencies, role__in=("caseworker", "coordinator")
        )
        if roles.exists():
            out.add(name)
    return out


def _verified(user: User) -> User:
    from tests.conftest import verified

    out = verified(user)
    assert out is not None
    return out
