"""Every case endpoint under every persona: hidden is 404, visible works, and hidden requests change nothing."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import transaction

from tests.conftest import break_glass
from varde.audit.models import AuditEvent
from varde.cases.models import CaseEvent, CaseParticipation, Consent, ParticipationState
from varde.cases.services import consent_record
from varde.core import clock
from varde.response.models import ReturnState, VoluntaryReturn
from varde.response.returns import return_plan, voluntary_return_record


def _participation(case):
    """A non-lead participation where there is one (police_adult: ROSA), else the lead's."""
    parts = list(CaseParticipation.objects.filter(case=case).order_by("is_lead"))
    return parts[0]


def _consent_id(case):
    consent = Consent.objects.filter(case=case).first()
    return consent.pk if consent else "00000000-0000-0000-0000-000000000000"


def _lead(w, case):
    return {
        w.agencies.police.pk: w.personas.police,
        w.agencies.childwelfare.pk: w.personas.childwelfare,
        w.agencies.ngo.pk: w.personas.ngo,
    }[case.lead_agency_id]


def _return(case, state):
    ret = VoluntaryReturn.objects.filter(case=case, state=state).first()
    return ret.pk if ret else "00000000-0000-0000-0000-000000000000"


def _version(case, state):
    ret = VoluntaryReturn.objects.filter(case=case, state=state).first()
    return ret.version if ret else 1


def _planned(w, case):
    return_plan(actor=_lead(w, case), case=case, organisation="iom", country="RO", planned_on=clock.today())


def _returned(w, case):
    voluntary_return_record(
        actor=_lead(w, case),
        case=case,
        returned_on=clock.today(),
        country="RO",
        guardian_consulted=True,
        best_interests_assessed=True,
    )


PLANNED, RETURNED = ReturnState.PLANNED, ReturnState.RETURNED

# What an endpoint needs in the case before it is called (as the case's lead agency).
SETUP = {
    "return": _planned,
    "return-change": _planned,
    "return-cancel": _planned,
    "return-record": _planned,
    "follow-ups": _returned,
    "follow-up": _returned,
}

# name -> (method, url builder, body builder)
ENDPOINTS = {
    "detail": ("get", lambda w, c: f"/api/cases/{c.pk}/", None),
    "timeline": ("get", lambda w, c: f"/api/cases/{c.pk}/timeline/", None),
    "person": ("get", lambda w, c: f"/api/persons/{c.person_id}/", None),
    "status": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/status/",
        lambda w, c: {"status": "under_assessment", "reason": "Assessment started", "version": c.version},
    ),
    "note": ("post", lambda w, c: f"/api/cases/{c.pk}/notes/", lambda w, c: {"text": "Called the shelter."}),
    "consent": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/consents/",
        lambda w, c: {
            "agency": str(w.agencies.labour.pk),
            "purpose": "Workplace follow-up",
            "given_on": "2026-10-03",
        },
    ),
    "invite": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/participants/",
        lambda w, c: {"agency": str(w.agencies.childwelfare.pk), "note": "Needs follow-up"},
    ),
    "revoke": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/participants/{_participation(c).pk}/revoke/",
        lambda w, c: {"reason": "No longer involved"},
    ),
    "withdraw": ("post", lambda w, c: f"/api/cases/{c.pk}/consents/{_consent_id(c)}/withdraw/", None),
}

# After the reflection period (issue #16): the same two checks, all endpoints in one test a persona and
# case (each call in its own savepoint), so that twelve more endpoints do not add 156 worlds to build.
LEGAL_PATH = {
    "legal-status": ("get", lambda w, c: f"/api/cases/{c.pk}/legal-status/", None),
    "legal-status-record": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/legal-status/",
        lambda w, c: {"kind": "temporary_permit_applied", "from_date": "2026-09-01"},
    ),
    "cooperation": ("get", lambda w, c: f"/api/cases/{c.pk}/police-cooperation/", None),
    "cooperation-record": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/police-cooperation/",
        lambda w, c: {"state": "reported", "on_date": "2026-09-01"},
    ),
    "returns": ("get", lambda w, c: f"/api/cases/{c.pk}/returns/", None),
    "return-plan": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/returns/",
        lambda w, c: {"country": "RO", "planned_on": str(clock.today())},
    ),
    "return": ("get", lambda w, c: f"/api/cases/{c.pk}/returns/{_return(c, PLANNED)}/", None),
    "return-change": (
        "patch",
        lambda w, c: f"/api/cases/{c.pk}/returns/{_return(c, PLANNED)}/",
        lambda w, c: {"escort": True, "version": _version(c, PLANNED)},
    ),
    "return-cancel": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/returns/{_return(c, PLANNED)}/cancel/",
        lambda w, c: {"reason": "She chose to stay.", "version": _version(c, PLANNED)},
    ),
    "return-record": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/returns/{_return(c, PLANNED)}/record/",
        lambda w, c: {"returned_on": str(clock.today()), "version": _version(c, PLANNED)},
    ),
    "follow-ups": ("get", lambda w, c: f"/api/cases/{c.pk}/returns/{_return(c, RETURNED)}/follow-ups/", None),
    "follow-up": (
        "post",
        lambda w, c: f"/api/cases/{c.pk}/returns/{_return(c, RETURNED)}/follow-ups/",
        lambda w, c: {"stage": 3, "on_date": str(clock.today()), "outcome": "reached"},
    ),
}


def call(api, world, name, case):
    method, url, body = {**ENDPOINTS, **LEGAL_PATH}[name]
    kwargs = {"format": "json"} if method in ("post", "patch") else {}
    if body:
        kwargs["data"] = body(world, case)
    return getattr(api, method)(url(world, case), **kwargs)


HIDDEN = [
    ("outsider", "police_adult"),
    ("outsider", "ngo_child"),
    ("analyst", "police_adult"),
    ("auditor", "childwelfare_child"),
    ("agency_admin", "police_adult"),  # an administrator of the police agency still sees no cases
    ("sysadmin", "police_child"),
    ("police", "ngo_child"),  # another agency's case
    ("police", "childwelfare_adult"),
    ("childwelfare", "police_adult"),  # shared with ROSA, not with child welfare
    ("ngo", "police_child"),  # ROSA takes part in the police's adult case only
]


@contextmanager
def rolled_back():
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("persona", "case_name"), HIDDEN)
def test_hidden_case_answers_404_and_changes_nothing(api, world, endpoint, persona, case_name):
    check_hidden(api, world, endpoint, persona, getattr(world.cases, case_name))


@pytest.mark.parametrize(("persona", "case_name"), HIDDEN)
def test_hidden_case_answers_404_and_changes_nothing_after_the_reflection_period(
    api, world, persona, case_name
):
    for endpoint in LEGAL_PATH:
        with rolled_back():
            check_hidden(api, world, endpoint, persona, getattr(world.cases, case_name))


def check_hidden(api, world, endpoint, persona, case):
    if endpoint in SETUP:
        SETUP[endpoint](world, case)
    events, audits = CaseEvent.objects.count(), AuditEvent.objects.count()
    returns = list(VoluntaryReturn.objects.values_list("pk", "version"))
    response = call(api.as_(getattr(world.personas, persona)), world, endpoint, case)
    assert response.status_code == 404, (endpoint, response.content)
    assert response.json() == {"detail": "Not found"}
    assert CaseEvent.objects.count() == events
    assert AuditEvent.objects.count() == audits
    assert list(VoluntaryReturn.objects.values_list("pk", "version")) == returns
    assert case.reference.encode() not in response.content


# Expected status per persona on the police's adult case (own for police, shared for ROSA, any for KOM).
VISIBLE = {
    "detail": {"police": 200, "ngo": 200, "coordinator": 200},
    "timeline": {"police": 200, "ngo": 200, "coordinator": 200},
    "person": {"police": 200, "ngo": 200, "coordinator": 200},
    "status": {"police": 200, "ngo": 403, "coordinator": 200},
    "note": {"police": 201, "ngo": 201, "coordinator": 201},
    "consent": {"police": 201, "ngo": 201, "coordinator": 201},
    # Only the lead agency and coordinators manage participants: the partner sees the case, so 403.
    "invite": {"police": 201, "ngo": 403, "coordinator": 201},
    "revoke": {"police": 200, "ngo": 403, "coordinator": 200},
    "withdraw": {"police": 200, "ngo": 200, "coordinator": 200},
    # After the reflection period: every agency in the case records the legal path, cooperation and return (KOM after the glass).
    "legal-status": {"police": 200, "ngo": 200, "coordinator": 200},
    "legal-status-record": {"police": 201, "ngo": 201, "coordinator": 201},
    "cooperation": {"police": 200, "ngo": 200, "coordinator": 200},
    "cooperation-record": {"police": 201, "ngo": 201, "coordinator": 201},
    "returns": {"police": 200, "ngo": 200, "coordinator": 200},
    "return-plan": {"police": 201, "ngo": 201, "coordinator": 201},
    "return": {"police": 200, "ngo": 200, "coordinator": 200},
    "return-change": {"police": 200, "ngo": 200, "coordinator": 200},
    "return-cancel": {"police": 200, "ngo": 200, "coordinator": 200},
    "return-record": {"police": 200, "ngo": 200, "coordinator": 200},
    "follow-ups": {"police": 200, "ngo": 200, "coordinator": 200},
    "follow-up": {"police": 201, "ngo": 201, "coordinator": 201},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["police", "ngo", "coordinator"])
def test_visible_case_works_for_own_partner_and_coordinator(api, world, endpoint, persona):
    check_visible(api, world, endpoint, persona)


@pytest.mark.parametrize("persona", ["police", "ngo", "coordinator"])
def test_visible_case_works_after_the_reflection_period(api, world, persona):
    for endpoint in LEGAL_PATH:
        with rolled_back():
            check_visible(api, world, endpoint, persona)


def check_visible(api, world, endpoint, persona):
    case = world.cases.police_adult
    # Inviting child welfare into an adult's case needs the person's consent first.
    consent_record(
        actor=world.personas.police,
        case=case,
        purpose="Follow-up",
        given_on=dt.date(2026, 10, 2),
        agency=world.agencies.childwelfare,
    )
    case.refresh_from_db()
    if persona == "coordinator":  # KOM takes no part in the police's case: break the glass first
        break_glass(world.personas.coordinator, case)
    if endpoint in SETUP:
        SETUP[endpoint](world, case)
    response = call(api.as_(getattr(world.personas, persona)), world, endpoint, case)
    assert response.status_code == VISIBLE[endpoint][persona], (endpoint, response.content)
    if response.status_code == 403:
        assert response.json()["code"] == "not_permitted"


@pytest.mark.parametrize("endpoint", ["detail", "timeline", "person", "note", "status"])
def test_coordinator_reaches_every_agencys_case_only_after_breaking_the_glass(api, world, endpoint):
    for case in world.cases.all():
        response = call(api.as_(world.personas.coordinator), world, endpoint, case)
        assert response.status_code == 404, (case.reference, response.content)
        break_glass(world.personas.coordinator, case)
        response = call(api.as_(world.personas.coordinator), world, endpoint, case)
        assert response.status_code in (200, 201), (case.reference, response.content)


@pytest.mark.parametrize("endpoint", ["detail", "timeline", "status", "note", "consent", "invite"])
def test_malformed_ids_answer_json_404(api, world, endpoint):
    method, _url, body = ENDPOINTS[endpoint]
    url = _url(world, world.cases.police_adult).replace(str(world.cases.police_adult.pk), "not-a-uuid")
    kwargs = {"format": "json", "data": body(world, world.cases.police_adult)} if body else {}
    response = getattr(api.as_(world.personas.coordinator), method)(url, **kwargs)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_unknown_api_path_is_json_404(api, world):
    response = api.as_(world.personas.police).get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("url", ["/api/me/", "/api/agencies/", "/api/cases/", "/api/invitations/"])
def test_anonymous_gets_401(api, world, url):
    response = api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_gets_401_for_a_case(api, world):
    assert api.get(f"/api/cases/{world.cases.police_adult.pk}/").status_code == 401
    assert (
        api.post(f"/api/cases/{world.cases.police_adult.pk}/notes/", {"text": "x"}, format="json").status_code
        == 401
    )
    assert CaseParticipation.objects.filter(state=ParticipationState.ACTIVE).count() == 7
