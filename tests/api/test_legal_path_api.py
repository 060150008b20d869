"""The API after the reflection period (issue #16): a case's legal status with the rights and the
responsible authority of each entry, cooperation with the police, and a voluntary return with its
follow-ups. Each endpoint: it works and matches the schema, bad input answers 400 naming the field
with nothing saved, a case (or a return) the user may not see answers 404, a stale version 409, and
every write leaves its audit row."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.test_schema import check
from tests.conftest import break_glass
from varde.audit.models import AuditEvent
from varde.core import clock
from varde.response.legal_status import legal_status_record
from varde.response.models import (
    Clock,
    ClockState,
    LegalStatus,
    PoliceCooperation,
    ReturnFollowUp,
    ReturnState,
    VoluntaryReturn,
)
from varde.response.returns import return_cancel, return_plan

NAMES = ["Mihai", "Popescu", "Amina", "Yusuf", "Liang", "Wei", "Blessing", "Okafor"]
CRITERIA = {
    "contact_ceased": True,
    "traffickers_reported": True,
    "police_investigating": True,
    "presence_needed": True,
}
LEGAL = "/api/cases/{case_id}/legal-status/"
COOPERATION = "/api/cases/{case_id}/police-cooperation/"
RETURNS = "/api/cases/{case_id}/returns/"
RETURN = "/api/cases/{case_id}/returns/{return_id}/"
CANCEL = "/api/cases/{case_id}/returns/{return_id}/cancel/"
RECORD = "/api/cases/{case_id}/returns/{return_id}/record/"
FOLLOW_UPS = "/api/cases/{case_id}/returns/{return_id}/follow-ups/"


@pytest.fixture
def schema(api, db):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def url(template: str, case, ret=None) -> str:
    return template.format(case_id=case.pk, return_id=ret.pk if ret is not None else "")


def today() -> dt.date:
    return clock.today()


def audited(obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def planned(world, case=None, **kw) -> VoluntaryReturn:
    case = case or world.cases.police_adult
    lead = world.personas.police if case.lead_agency == world.agencies.police else None
    lead = (
        lead
        or {
            world.agencies.childwelfare.pk: world.personas.childwelfare,
            world.agencies.ngo.pk: world.personas.ngo,
        }[case.lead_agency_id]
    )
    return return_plan(
        actor=lead,
        case=case,
        organisation=kw.pop("organisation", "iom"),
        country=kw.pop("country", "RO"),
        planned_on=kw.pop("planned_on", today()),
        **kw,
    )


# --- legal status ---------------------------------------------------------------------------------------


def test_a_rejection_decides_the_application_and_shows_rights_and_authority(api, world, schema):
    case = world.cases.police_adult
    api.as_(world.personas.police)
    applied = api.post(
        url(LEGAL, case),
        {"kind": "temporary_permit_applied", "from_date": "2026-09-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    check(schema, applied, LEGAL, "post")
    assert applied.status_code == 201, applied.content
    application_id = applied.json()["entry"]["id"]
    rejected = api.post(
        url(LEGAL, case),
        {
            "kind": "temporary_permit_rejected",
            "from_date": "2026-09-20",
            "authority": "une",
            "reason": "The police closed the investigation.",
            "application": application_id,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    check(schema, rejected, LEGAL, "post")
    assert rejected.status_code == 201, rejected.content
    body = rejected.json()
    entry = body["entry"]
    assert entry["application_id"] == application_id and entry["authority"] == "une"
    assert entry["reason"] == "The police closed the investigation."
    assert entry["rights"]["help_system"] == body["after"]["help_system"]
    assert body["after"]["responsible_authority"] and body["after"]["source"]
    assert body["after"]["label"] == "Temporary permit rejected"
    assert body["before"]["status"] == "temporary_permit_applied"
    saved = LegalStatus.objects.get(pk=entry["id"])
    [event] = audited(saved)
    assert event.action == "create" and event.detail["application"] == application_id

    listed = api.get(url(LEGAL, case), HTTP_ACCEPT_LANGUAGE="nb")
    check(schema, listed, LEGAL, "get")
    data = listed.json()
    assert [e["kind"] for e in data["entries"]] == ["temporary_permit_applied", "temporary_permit_rejected"]
    [matter] = data["matters"]
    assert matter == {
        "line": "temporary_permit",
        "state": "rejected",
        "application_id": application_id,
        "decision_id": entry["id"],
        "withdrawn_by_id": None,
    }
    assert data["current_ids"] == [entry["id"]]
    assert data["current"]["status"] == "temporary_permit_rejected"
    assert not any(name in listed.content.decode() for name in NAMES)


def test_a_grant_with_its_criteria_starts_its_deadline(api, world, schema):
    case = world.cases.police_adult
    api.as_(world.personas.police)
    granted = api.post(
        url(LEGAL, case),
        {"kind": "temporary_residence_cooperation", "from_date": str(today()), "criteria": CRITERIA},
        format="json",
    )
    check(schema, granted, LEGAL, "post")
    assert granted.status_code == 201, granted.content
    body = granted.json()
    assert body["entry"]["criteria"] == CRITERIA
    assert {c["kind"] for c in body["clocks_started"]} == {
        "temporary_residence",
        "temporary_residence_renewal",
    }
    assert body["after"]["help_system"] == "municipal"


def test_applying_for_reflection_withdraws_asylum_and_no_outcome_follows(api, world, schema):
    case = world.cases.police_adult
    api.as_(world.personas.police)
    asylum = api.post(url(LEGAL, case), {"kind": "asylum_seeker", "from_date": "2026-08-01"}, format="json")
    reflection = api.post(
        url(LEGAL, case), {"kind": "reflection_applied", "from_date": "2026-08-10"}, format="json"
    )
    assert reflection.json()["withdrew_id"] == asylum.json()["entry"]["id"]
    assert reflection.json()["before"]["help_system"] == "state_reception"
    before = LegalStatus.objects.count()
    refused = api.post(
        url(LEGAL, case),
        {"kind": "refugee_granted", "from_date": "2026-09-01", "application": asylum.json()["entry"]["id"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    check(schema, refused, LEGAL, "post")
    assert refused.status_code == 400 and "withdrawn" in refused.json()["application"][0]
    assert LegalStatus.objects.count() == before
    matters = api.get(url(LEGAL, case)).json()["matters"]
    assert [m["state"] for m in matters] == ["withdrawn", "pending"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "no_such_status", "from_date": "2026-09-01"}, "kind"),
        ({"kind": "temporary_permit_applied"}, "from_date"),
        ({"kind": "temporary_permit_applied", "from_date": "2026-09-01", "to_date": "2026-08-01"}, "to_date"),
        ({"kind": "temporary_residence_cooperation", "from_date": "2026-09-01"}, "criteria"),
        (
            {"kind": "temporary_permit_rejected", "from_date": "2026-09-01", "authority": "police"},
            "authority",
        ),
        ({"kind": "renewal_applied", "from_date": "2026-09-01"}, "kind"),
        ({"kind": "limited_until_18", "from_date": "2026-09-01"}, "kind"),  # an adult's case
        (
            {"kind": "temporary_permit_rejected", "from_date": "2026-09-01", "application": 999999},
            "application",
        ),
        ({"kind": "asylum_seeker", "from_date": "2026-09-01", "corrects": 999999}, "corrects"),
    ],
)
def test_bad_legal_status_input_answers_400_naming_the_field_and_saves_nothing(
    api, world, schema, body, field
):
    case = world.cases.police_adult
    api.as_(world.personas.police)
    response = api.post(url(LEGAL, case), body, format="json")
    check(schema, response, LEGAL, "post")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not LegalStatus.objects.exists()
    assert not AuditEvent.objects.filter(object_type="response.legalstatus").exists()


def test_a_decision_dated_before_its_application_and_another_cases_application_are_refused(api, world):
    case = world.cases.police_adult
    api.as_(world.personas.police)
    api.post(url(LEGAL, case), {"kind": "temporary_permit_applied", "from_date": "2026-09-10"}, format="json")
    early = api.post(
        url(LEGAL, case),
        {"kind": "temporary_permit_rejected", "from_date": "2026-09-01"},
        format="json",
    )
    assert early.status_code == 400 and "10.09.2026" in early.json()["from_date"][0]
    other = legal_status_record(
        actor=world.personas.police,
        case=world.cases.police_child,
        kind="temporary_permit_applied",
        from_date=dt.date(2026, 9, 1),
    ).entry
    foreign = api.post(
        url(LEGAL, case),
        {"kind": "temporary_permit_rejected", "from_date": "2026-09-20", "application": other.pk},
        format="json",
    )
    assert foreign.status_code == 400 and "application" in foreign.json()
    assert LegalStatus.objects.filter(case=case).count() == 1


# --- cooperation with the police ------------------------------------------------------------------------


def test_cooperation_over_time_any_participant_records_it(api, world, schema):
    case = world.cases.police_adult
    api.as_(world.personas.ngo)  # ROSA takes part in the police's case
    first = api.post(
        url(COOPERATION, case),
        {"state": "considering", "on_date": str(today() - dt.timedelta(days=20))},
        format="json",
    )
    check(schema, first, COOPERATION, "post")
    assert first.status_code == 201, first.content
    api.as_(world.personas.police)
    later = api.post(
        url(COOPERATION, case),
        {"state": "reported", "on_date": str(today() - dt.timedelta(days=2)), "note": "Statement taken."},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert later.status_code == 201 and later.json()["label"] == "Reported the traffickers"
    entry = PoliceCooperation.objects.get(pk=later.json()["id"])
    [event] = audited(entry)
    assert event.detail["state"] == "reported" and "Statement" not in str(event.detail)
    listed = api.get(url(COOPERATION, case))
    check(schema, listed, COOPERATION, "get")
    data = listed.json()
    assert data["current"]["id"] == entry.pk
    assert [e["state"] for e in data["entries"]] == ["considering", "reported"]
    assert data["entries"][0]["recorded_by_agency"]["code"] == "rosa"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"state": "maybe", "on_date": "2026-09-01"}, "state"),
        ({"state": "declined", "on_date": "2999-01-01"}, "on_date"),
        ({"state": "declined"}, "on_date"),
        ({"state": "declined", "on_date": "2026-09-01", "corrects": 12345}, "corrects"),
    ],
)
def test_bad_cooperation_input_answers_400_and_saves_nothing(api, world, schema, body, field):
    api.as_(world.personas.police)
    response = api.post(url(COOPERATION, world.cases.police_adult), body, format="json")
    check(schema, response, COOPERATION, "post")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not PoliceCooperation.objects.exists()


# --- voluntary return -----------------------------------------------------------------------------------


def test_plan_change_record_and_follow_up_a_return(api, world, schema):
    case = world.cases.police_adult
    api.as_(world.personas.police)
    plan = api.post(
        url(RETURNS, case),
        {
            "country": "ro",
            "planned_on": str(today() + dt.timedelta(days=14)),
            "escort": True,
            "reception": "IOM Bucharest meets her at the airport.",
        },
        format="json",
    )
    check(schema, plan, RETURNS, "post")
    assert plan.status_code == 201, plan.content
    body = plan.json()
    assert (body["state"], body["organisation"], body["country"], body["escort"]) == (
        "planned",
        "iom",
        "RO",
        True,
    )
    assert body["stages"] == [] and body["version"] == 1
    ret = VoluntaryReturn.objects.get(pk=body["id"])
    assert [e.action for e in audited(ret)] == ["create"]

    changed = api.patch(url(RETURN, case, ret), {"planned_on": str(today()), "version": 1}, format="json")
    check(schema, changed, RETURN, "patch")
    assert changed.status_code == 200, changed.content
    assert changed.json()["planned_on"] == str(today()) and changed.json()["version"] == 2
    assert changed.json()["escort"] is True  # untouched fields stay

    recorded = api.post(url(RECORD, case, ret), {"returned_on": str(today()), "version": 2}, format="json")
    check(schema, recorded, RECORD, "post")
    assert recorded.status_code == 200, recorded.content
    body = recorded.json()
    assert body["state"] == "returned" and body["returned_on"] == str(today())
    assert [s["stage"] for s in body["stages"]] == [3, 6, 12]
    assert all(s["clock_state"] == "running" and s["follow_up_id"] is None for s in body["stages"])

    done = api.post(
        url(FOLLOW_UPS, case, ret),
        {
            "stage": 3,
            "on_date": str(today()),
            "outcome": "reached",
            "housing": "good",
            "re_trafficking_risk": "low",
        },
        format="json",
    )
    check(schema, done, FOLLOW_UPS, "post")
    assert done.status_code == 201, done.content
    follow_up = ReturnFollowUp.objects.get(pk=done.json()["id"])
    assert Clock.objects.get(pk=follow_up.clock_id).state == ClockState.MET
    assert [e.action for e in audited(follow_up)] == ["create"]
    assert [e.action for e in audited(ret)] == ["create", "update", "update"]

    listed = api.get(url(FOLLOW_UPS, case, ret))
    check(schema, listed, FOLLOW_UPS, "get")
    assert [f["stage"] for f in listed.json()["results"]] == [3]
    detail = api.get(url(RETURN, case, ret))
    check(schema, detail, RETURN, "get")
    assert detail.json()["stages"][0]["follow_up_id"] == follow_up.pk
    returns_list = api.get(url(RETURNS, case))
    check(schema, returns_list, RETURNS, "get")
    assert [r["id"] for r in returns_list.json()["results"]] == [str(ret.pk)]


def test_cancel_a_planned_return(api, world, schema):
    case = world.cases.police_adult
    ret = planned(world)
    api.as_(world.personas.police)
    blank = api.post(url(CANCEL, case, ret), {"reason": "", "version": ret.version}, format="json")
    check(schema, blank, CANCEL, "post")
    assert blank.status_code == 400 and "reason" in blank.json()
    done = api.post(
        url(CANCEL, case, ret), {"reason": "She chose to stay.", "version": ret.version}, format="json"
    )
    check(schema, done, CANCEL, "post")
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    again = api.post(url(CANCEL, case, ret), {"reason": "Again.", "version": ret.version + 1}, format="json")
    assert again.status_code == 400 and "state" in again.json()
    assert [e.detail.get("state") for e in audited(ret)] == [None, "cancelled"]


@pytest.mark.parametrize(
    ("template", "method", "body"),
    [
        (RETURN, "patch", {"country": "BG"}),
        (CANCEL, "post", {"reason": "Changed her mind."}),
        (RECORD, "post", {"returned_on": None}),
    ],
)
def test_a_stale_version_answers_409_and_changes_nothing(api, world, schema, template, method, body):
    case = world.cases.police_adult
    ret = planned(world)
    api.as_(world.personas.police)
    fresh = api.patch(url(RETURN, case, ret), {"escort": True, "version": ret.version}, format="json")
    assert fresh.status_code == 200
    data = {**body, "version": ret.version}  # the version read before the change above
    if "returned_on" in data:
        data["returned_on"] = str(today())
    response = getattr(api, method)(url(template, case, ret), data, format="json")
    check(schema, response, template, method)
    assert response.status_code == 409 and response.json()["code"] == "edit_conflict"
    ret.refresh_from_db()
    assert (ret.state, ret.country, ret.version) == (ReturnState.PLANNED, "RO", 2)
    assert not Clock.objects.filter(case=case, kind="return_followup").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"planned_on": "2026-01-01"}, "planned_on"),  # before the case opened
        ({"country": "XX"}, "country"),
        ({"country": "ROU"}, "country"),
        ({"organisation": "other"}, "organisation_name"),
        ({"organisation": "unhcr"}, "organisation"),
        ({"planned_on": None}, "planned_on"),
    ],
)
def test_bad_plan_answers_400_naming_the_field_and_saves_nothing(api, world, schema, body, field):
    api.as_(world.personas.police)
    response = api.post(
        url(RETURNS, world.cases.police_adult),
        {"country": "RO", "planned_on": str(today()), **body},
        format="json",
    )
    check(schema, response, RETURNS, "post")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not VoluntaryReturn.objects.exists()
    assert not AuditEvent.objects.filter(object_type="response.voluntaryreturn").exists()


def test_bad_changes_answer_400_and_change_nothing(api, world, schema):
    case = world.cases.police_adult
    ret = planned(world)
    api.as_(world.personas.police)
    for body, field in (
        ({"version": 1}, "non_field_errors"),
        ({"planned_on": "2026-01-01", "version": 1}, "planned_on"),
        ({"country": "", "version": 1}, "country"),
        ({"escort": True}, "version"),
    ):
        response = api.patch(url(RETURN, case, ret), body, format="json")
        check(schema, response, RETURN, "patch")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    ret.refresh_from_db()
    assert ret.version == 1 and ret.planned_on == today() and not ret.escort


def test_a_childs_return_needs_the_guardian_and_the_best_interests_assessment(api, world, schema):
    case = world.cases.childwelfare_child
    ret = planned(world, case)
    api.as_(world.personas.childwelfare)
    refused = api.post(url(RECORD, case, ret), {"returned_on": str(today()), "version": 1}, format="json")
    check(schema, refused, RECORD, "post")
    assert refused.status_code == 400 and "guardian_consulted" in refused.json()
    api.patch(url(RETURN, case, ret), {"guardian_consulted": True, "version": 1}, format="json")
    refused = api.post(url(RECORD, case, ret), {"returned_on": str(today()), "version": 2}, format="json")
    assert refused.status_code == 400 and "best_interests_assessed" in refused.json()
    ret.refresh_from_db()
    assert ret.state == ReturnState.PLANNED and ret.returned_on is None
    assert not Clock.objects.filter(case=case, kind="return_followup").exists()
    api.patch(url(RETURN, case, ret), {"best_interests_assessed": True, "version": 2}, format="json")
    done = api.post(url(RECORD, case, ret), {"returned_on": str(today()), "version": 3}, format="json")
    assert done.status_code == 200 and done.json()["was_child"] is True


def test_bad_record_and_follow_up_answer_400_and_save_nothing(api, world, schema):
    case = world.cases.police_adult
    ret = planned(world)
    api.as_(world.personas.police)
    early = api.post(
        url(FOLLOW_UPS, case, ret), {"stage": 3, "on_date": str(today()), "outcome": "reached"}, format="json"
    )
    check(schema, early, FOLLOW_UPS, "post")
    assert early.status_code == 400 and "stage" in early.json()  # the return is not recorded yet
    future = api.post(
        url(RECORD, case, ret),
        {"returned_on": str(today() + dt.timedelta(days=1)), "version": 1},
        format="json",
    )
    assert future.status_code == 400 and "returned_on" in future.json()
    before_opened = api.post(
        url(RECORD, case, ret), {"returned_on": "2026-01-01", "version": 1}, format="json"
    )
    assert before_opened.status_code == 400 and "returned_on" in before_opened.json()
    ret.refresh_from_db()
    assert ret.state == ReturnState.PLANNED and ret.version == 1
    api.post(url(RECORD, case, ret), {"returned_on": str(today()), "version": 1}, format="json")
    for body, field in (
        ({"stage": 4, "on_date": str(today()), "outcome": "reached"}, "stage"),
        ({"stage": 3, "on_date": str(today()), "outcome": "maybe"}, "outcome"),
        ({"stage": 3, "on_date": str(today()), "outcome": "reached", "health": "great"}, "health"),
        ({"stage": 3, "on_date": str(today() - dt.timedelta(days=1)), "outcome": "reached"}, "on_date"),
        ({"stage": 3, "on_date": str(today() + dt.timedelta(days=1)), "outcome": "reached"}, "on_date"),
    ):
        response = api.post(url(FOLLOW_UPS, case, ret), body, format="json")
        check(schema, response, FOLLOW_UPS, "post")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    assert not ReturnFollowUp.objects.exists()
    again = api.post(url(RECORD, case, ret), {"returned_on": str(today()), "version": 2}, format="json")
    assert again.status_code == 400 and "state" in again.json()


def test_a_second_plan_while_one_is_planned_is_refused(api, world):
    planned(world)
    api.as_(world.personas.police)
    response = api.post(
        url(RETURNS, world.cases.police_adult), {"country": "BG", "planned_on": str(today())}, format="json"
    )
    assert response.status_code == 400 and "planned_on" in response.json()
    assert VoluntaryReturn.objects.count() == 1


# --- access ---------------------------------------------------------------------------------------------


def _all_calls(case, ret):
    return [
        ("get", url(LEGAL, case), None),
        ("post", url(LEGAL, case), {"kind": "asylum_seeker", "from_date": "2026-09-01"}),
        ("get", url(COOPERATION, case), None),
        ("post", url(COOPERATION, case), {"state": "declined", "on_date": "2026-09-01"}),
        ("get", url(RETURNS, case), None),
        ("post", url(RETURNS, case), {"country": "BG", "planned_on": str(today())}),
        ("get", url(RETURN, case, ret), None),
        ("patch", url(RETURN, case, ret), {"escort": True, "version": ret.version}),
        ("post", url(CANCEL, case, ret), {"reason": "No longer.", "version": ret.version}),
        ("post", url(RECORD, case, ret), {"returned_on": str(today()), "version": ret.version}),
        ("get", url(FOLLOW_UPS, case, ret), None),
        ("post", url(FOLLOW_UPS, case, ret), {"stage": 3, "on_date": str(today()), "outcome": "reached"}),
    ]


@pytest.mark.parametrize(
    ("persona", "case_name"),
    [
        ("outsider", "police_adult"),
        ("analyst", "police_adult"),
        ("auditor", "police_child"),
        ("coordinator", "police_adult"),  # no part in the case and no break-the-glass
        ("childwelfare", "police_adult"),
        ("ngo", "police_child"),
    ],
)
def test_a_hidden_case_answers_404_and_changes_nothing(api, world, persona, case_name):
    case = getattr(world.cases, case_name)
    ret = planned(world, case)
    entries, returns, audits = (
        LegalStatus.objects.count(),
        VoluntaryReturn.objects.count(),
        AuditEvent.objects.count(),
    )
    api.as_(getattr(world.personas, persona))
    for method, path, body in _all_calls(case, ret):
        response = getattr(api, method)(path, body, format="json") if body else getattr(api, method)(path)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json() == {"detail": "Not found"}
        assert case.reference.encode() not in response.content
    ret.refresh_from_db()
    assert (ret.version, ret.state) == (1, ReturnState.PLANNED)
    assert LegalStatus.objects.count() == entries and VoluntaryReturn.objects.count() == returns
    assert not PoliceCooperation.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_another_cases_return_answers_404_through_this_case(api, world):
    other = planned(world, world.cases.police_child)
    api.as_(world.personas.police)  # may see both cases
    case = world.cases.police_adult
    assert api.get(url(RETURN, case, other)).status_code == 404
    assert api.post(url(CANCEL, case, other), {"reason": "x", "version": 1}, format="json").status_code == 404
    assert api.get(url(RETURN, case).replace("//", "/not-a-uuid/")).status_code == 404
    other.refresh_from_db()
    assert other.state == ReturnState.PLANNED


def test_the_coordinator_acts_after_breaking_the_glass(api, world):
    case = world.cases.police_adult
    break_glass(world.personas.coordinator, case)
    api.as_(world.personas.coordinator)
    response = api.post(url(COOPERATION, case), {"state": "declined", "on_date": str(today())}, format="json")
    assert response.status_code == 201
    assert response.json()["recorded_by_agency"]["code"] == "kom"


def test_anonymous_gets_401(api, world):
    case = world.cases.police_adult
    assert api.get(url(LEGAL, case)).status_code == 401
    assert api.post(url(RETURNS, case), {}, format="json").status_code == 401


def test_the_returns_list_has_a_query_budget(api, world, django_assert_max_num_queries):
    """The same number of queries for one return as for four (no query a return)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = world.cases.police_adult
    api.as_(world.personas.police)
    counts = []
    for _ in range(2):
        ret = planned(world)
        return_cancel(actor=world.personas.police, ret=ret, version=ret.version, reason="Not now.")
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url(RETURNS, case)).status_code == 200
        counts.append(len(queries))
    for _ in range(2):
        ret = planned(world)
        return_cancel(actor=world.personas.police, ret=ret, version=ret.version, reason="Not now.")
    with django_assert_max_num_queries(counts[0]):
        response = api.get(url(RETURNS, case))
    assert len(response.json()["results"]) == 4 and counts[0] == counts[1]
