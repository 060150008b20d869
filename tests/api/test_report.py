"""POST /api/cases/: reporting a possible victim, and every way the input can be wrong."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from varde.audit.models import AuditEvent
from varde.cases.models import Case, Referral
from varde.core import clock
from varde.persons.models import IdentityDocument, Person, PersonName, PhoneNumber


def valid_fnr() -> str:
    """A syntactically valid fødselsnummer (both mod-11 check digits), built here rather than copied."""
    base = "170595123"
    w1, w2 = [3, 7, 6, 1, 8, 9, 4, 5, 2], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    for individual in range(100, 500):
        digits = [int(x) for x in base[:6] + str(individual)]
        k1 = 11 - sum(a * b for a, b in zip(w1, digits, strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        k2 = 11 - sum(a * b for a, b in zip(w2, digits + [k1], strict=True)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, digits)) + f"{k1}{k2}"
    raise AssertionError("no valid number")


def payload(world, **overrides):
    body = {
        "person": {
            "names": [
                {"given": "Grace", "family": "Obi", "kind": "primary", "script": "Latn"},
                {"given": "Gracie", "kind": "alias"},
            ],
            "sex": "F",
            "estimated_age": 16,
            "estimated_age_certainty": "medium",
            "nationalities": ["ng", "GH"],
            "languages": ["en", "yor"],
            "phones": ["+47 400 00 000"],
            "documents": [
                {
                    "doc_type": "passport",
                    "number": "B7654321",
                    "issuing_country": "NG",
                    "suspected_false": True,
                }
            ],
        },
        "referral": {
            "reporting_agency": str(world.agencies.police.pk),
            "referral_date": "2026-10-05",
            "met_how": "police_control",
            "met_where": "Oslo S",
            "municipality": "0301",
            "exploitation_forms": ["sexual", "forced_labour"],
            "labour_sector": "cleaning",
            "description": "Found during a control.",
        },
    }
    for path, value in overrides.items():
        target = body
        *parents, leaf = path.split(".")
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[leaf]
        else:
            target[leaf] = value
    return body


class _Delete:
    """The marker for "leave the field out": its name, not its address, goes into the test ids, so that
    every collection (each pytest-xdist worker's too) names the same tests."""

    def __repr__(self) -> str:
        return "<delete>"


DELETE = _Delete()


def counts():
    return tuple(
        m.objects.count() for m in (Case, Person, PersonName, Referral, PhoneNumber, IdentityDocument)
    )


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 10))


def test_report_creates_case_person_and_referral(api, world):
    before = counts()
    response = api.as_(world.personas.police).post("/api/cases/", payload(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert counts() == tuple(n + d for n, d in zip(before, (1, 1, 2, 1, 1, 1), strict=True))
    case = Case.objects.get(pk=body["id"])
    assert case.lead_agency == world.agencies.police and case.is_child
    assert body["reference"] == case.reference and body["status"] == "reported" and body["version"] == 1
    person = body["person"]
    assert person["display_name"] == "Grace Obi"
    assert person["nationalities"] == ["NG", "GH"] and person["languages"] == ["en", "yor"]
    assert person["estimated_age"] == 16 and person["is_presumed_child"] is True
    assert person["documents"][0] | {"id": None} == {
        "id": None,
        "doc_type": "passport",
        "number": "B7654321",
        "issuing_country": "NG",
        "suspected_false": True,
    }
    assert [p["agency"]["code"] for p in body["participants"]] == ["oslo-pd-stop"]
    assert body["referrals"][0]["exploitation_forms"] == ["forced_labour", "sexual"]
    assert [h["to_status"] for h in body["status_history"]] == ["reported"]
    event = AuditEvent.objects.get(action="create", object_type="cases.case", object_id=str(case.pk))
    assert event.actor_username == "police"
    # the estimated age under 18 started the presumption of minority in the same request
    assert AuditEvent.objects.filter(
        action="create", object_type="identification.agepresumption", detail__case=str(case.pk)
    ).exists()


def test_report_stores_the_compact_national_id(api, world):
    fnr = valid_fnr()
    body = payload(
        world,
        **{
            "person.national_id": f"{fnr[:6]} {fnr[6:]}",
            "person.estimated_age": None,
            "person.estimated_age_certainty": "",
            "person.date_of_birth": "1995-05-17",
        },
    )
    response = api.as_(world.personas.police).post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["person"]["national_id"] == fnr


def test_coordinator_reports_on_behalf_of_any_agency(api, world):
    response = api.as_(world.personas.coordinator).post("/api/cases/", payload(world), format="json")
    assert response.status_code == 201
    assert response.json()["lead_agency"]["code"] == "oslo-pd-stop"


@pytest.mark.parametrize("name", ["ngo", "outsider", "analyst", "auditor", "agency_admin"])
def test_reporting_for_someone_elses_agency_is_refused_and_saves_nothing(api, world, name):
    before = counts()
    response = api.as_(getattr(world.personas, name)).post("/api/cases/", payload(world), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
    assert counts() == before


def test_outsider_may_report_for_own_agency_but_then_sees_only_that_case(api, world):
    body = payload(world, **{"referral.reporting_agency": str(world.agencies.labour.pk)})
    response = api.as_(world.personas.outsider).post("/api/cases/", body, format="json")
    assert response.status_code == 201
    listed = api.as_(world.personas.outsider).get("/api/cases/").json()["results"]
    assert [row["id"] for row in listed] == [response.json()["id"]]


BAD = [
    # (overrides, the error's key path in the 400 body)
    ({"referral.referral_date": DELETE}, ("referral", "referral_date")),
    ({"referral.referral_date": "2026-10-11"}, ("referral", "referral_date")),  # tomorrow
    ({"referral.referral_date": "9999-12-31"}, ("referral", "referral_date")),
    ({"referral.referral_date": "0001-01-01"}, ("referral", "referral_date")),
    ({"referral.referral_date": "2026-02-30"}, ("referral", "referral_date")),
    ({"referral.referral_date": 20261005}, ("referral", "referral_date")),
    ({"person.estimated_age": 121}, ("person", "estimated_age")),
    ({"person.estimated_age": -1}, ("person", "estimated_age")),
    ({"person.estimated_age": "sixteen"}, ("person", "estimated_age")),
    ({"person.estimated_age": 10**40}, ("person", "estimated_age")),
    ({"person.estimated_age": 16.5}, ("person", "estimated_age")),
    (
        {"person.date_of_birth": "2009-01-01"},
        ("person", "estimated_age"),
    ),  # both a birth date and an estimate
    (
        {
            "person.date_of_birth": "2030-01-01",
            "person.estimated_age": None,
            "person.estimated_age_certainty": "",
        },
        ("person", "date_of_birth"),
    ),
    ({"person.estimated_age": None}, ("person", "estimated_age_certainty")),
    ({"person.estimated_age_certainty": "certain"}, ("person", "estimated_age_certainty")),
    ({"person.nationalities": ["XX"]}, ("person", "nationalities")),
    ({"person.nationalities": ["NOR"]}, ("person", "nationalities")),
    ({"person.nationalities": "NG"}, ("person", "nationalities")),
    ({"person.nationalities": ["NG"] * 11}, ("person", "nationalities")),
    ({"person.languages": ["zz"]}, ("person", "languages")),
    ({"person.languages": [5]}, ("person", "languages")),
    ({"person.national_id": "12345678901"}, ("person", "national_id")),
    ({"person.national_id": "x" * 5000}, ("person", "national_id")),
    ({"person.sex": "Q"}, ("person", "sex")),
    ({"person.names": "Grace Obi"}, ("person", "names")),
    ({"person.names": [{"given": "", "family": ""}]}, ("person", "names")),
    ({"person.names": [{"given": "G" * 201}]}, ("person", "names")),
    ({"person.names": [{"given": "Grace", "script": "Klingon"}]}, ("person", "names")),
    ({"person.phones": ["call me maybe"]}, ("person", "phones")),
    ({"person.documents": [{"doc_type": "passport"}]}, ("person", "documents")),
    ({"person.documents": [{"doc_type": "spaceship", "number": "1"}]}, ("person", "documents")),
    (
        {"person.documents": [{"doc_type": "passport", "number": "1", "issuing_country": "ZZ"}]},
        ("person", "documents"),
    ),
    ({"person": None}, ("person",)),
    ({"person": DELETE}, ("person",)),
    ({"referral": []}, ("referral",)),
    ({"referral.reporting_agency": "police"}, ("referral", "reporting_agency")),
    ({"referral.reporting_agency": "00000000-0000-0000-0000-000000000000"}, ("referral", "reporting_agency")),
    ({"referral.reporting_agency": None}, ("referral", "reporting_agency")),
    ({"referral.municipality": "0000"}, ("referral", "municipality")),
    ({"referral.municipality": "Oslo"}, ("referral", "municipality")),
    ({"referral.exploitation_forms": ["slavery"]}, ("referral", "exploitation_forms")),
    (
        {"referral.exploitation_forms": ["sexual"]},
        ("referral", "labour_sector"),
    ),  # sector without forced labour
    ({"referral.criminality_kind": "theft"}, ("referral", "criminality_kind")),
    ({"referral.met_how": "telepathy"}, ("referral", "met_how")),
    ({"referral.met_where": "x" * 201}, ("referral", "met_where")),
    ({"referral.description": "x" * 10001}, ("referral", "description")),
    ({"referral.description": "nul\x00byte"}, ("referral", "description")),
    ({"referral.description": ["not", "text"]}, ("referral", "description")),
]


@pytest.mark.parametrize(("overrides", "key_path"), BAD, ids=[repr(o)[:60] for o, _k in BAD])
def test_invalid_report_is_400_with_field_messages_and_saves_nothing(api, world, overrides, key_path):
    before, audits = counts(), AuditEvent.objects.count()
    response = api.as_(world.personas.police).post("/api/cases/", payload(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    for key in key_path:
        assert key in errors, (key_path, errors)
        errors = errors[key]
    assert errors  # some message is there
    assert counts() == before
    assert AuditEvent.objects.count() == audits


def test_inactive_agency_cannot_be_the_reporter(api, world):
    world.agencies.police.is_active = False
    world.agencies.police.save()
    response = api.as_(world.personas.coordinator).post("/api/cases/", payload(world), format="json")
    assert response.status_code == 400
    assert "reporting_agency" in response.json()["referral"]


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"a string"', b"null", b"{}", '{"person": "\ud800"}'])
def test_malformed_bodies_are_400(api, world, raw):
    before = counts()
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
    response = api.as_(world.personas.police).post("/api/cases/", data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert counts() == before


def test_form_encoded_body_is_415(api, world):
    response = api.as_(world.personas.police).post("/api/cases/", {"person": "x"})
    assert response.status_code == 415


def test_huge_body_is_refused_without_500(api, world):
    body = payload(world, **{"person.names": [{"given": "A" * 150, "family": "B"}] * 5000})
    response = api.as_(world.personas.police).post(
        "/api/cases/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "names" in response.json()["person"]


def test_unknown_fields_are_ignored_not_stored(api, world):
    body = copy.deepcopy(payload(world))
    body["person"]["religion"] = "secret"
    response = api.as_(world.personas.police).post("/api/cases/", body, format="json")
    assert response.status_code == 201
    assert b"religion" not in response.content
