"""The identification API: catalogues and the rule (any signed-in user), assessments, age evidence and the
presumption of minority per case (through the access layer: 404 for anyone who may not see the case).
The rule answers exactly what the CLI prints; real responses match the OpenAPI schema."""

from __future__ import annotations

import argparse
import json

import pytest

from tests.api.test_schema import check
from tests.conftest import break_glass
from varde.audit.models import AuditEvent
from varde.cases.models import Case
from varde.identification.catalogue import catalogue_summary, shipped_catalogue, shipped_catalogues
from varde.identification.cli import cmd_assess
from varde.identification.models import AgeEvidence, AgePresumption, Assessment
from varde.identification.rule import evaluate
from varde.identification.services import catalogues_load


@pytest.fixture(autouse=True)
def _catalogues(db):
    """Loaded by a data migration; load again (idempotent) in case a live-server test flushed the tables."""
    catalogues_load()


POINTING = ["dr_job_nature", "dr_wages", "ex_excessive_hours", "ex_low_pay"]


def assessment_body(**overrides):
    return {
        "catalogue": "ilo_child_labour",
        "indicators": POINTING,
        "conclusion": "indicates_trafficking",
        "reasoning": "Worked long hours; promised school.",
        **overrides,
    }


def cli_assess(capsys, catalogue_id: str, ids: list[str]) -> dict:
    args = argparse.Namespace(catalogue_id=catalogue_id, indicators=",".join(ids), json=True, lang="en")
    assert cmd_assess(args) == 0
    return json.loads(capsys.readouterr().out)


# --- catalogues and the rule ---------------------------------------------------------------------------------


def test_catalogues_need_a_signed_in_user_but_no_case(api, world):
    assert api.get("/api/indicator-catalogues/").status_code == 401
    assert (
        api.post(
            "/api/indicator-catalogues/ilo_adult_labour/evaluate/", {"indicators": []}, format="json"
        ).status_code
        == 401
    )
    for persona in (world.personas.analyst, world.personas.outsider, world.personas.police):
        response = api.as_(persona).get("/api/indicator-catalogues/")
        assert response.status_code == 200


def test_catalogue_list_is_the_cli_list(api, world):
    rows = api.as_(world.personas.police).get("/api/indicator-catalogues/").json()
    assert rows == [catalogue_summary(c, "en") for c in shipped_catalogues()]
    by_id = {r["id"]: r for r in rows}
    assert (
        by_id["ilo_child_sexual"]["population"] == "child"
        and by_id["ilo_child_sexual"]["exploitation"] == "sexual"
    )
    assert by_id["national_general"]["exploitation"] is None


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("", "en"),
        ("nb", "nb"),
        ("nb-NO,nb;q=0.9,en;q=0.5", "nb"),
        ("no", "nb"),
        ("en-GB", "en"),
        ("de, fr;q=0.8", "en"),
        ("en;q=0.4, nb;q=0.8", "nb"),
        ("en, nb;q=0.5", "en"),
    ],
)
def test_texts_follow_accept_language_with_english_by_default(api, world, header, lang):
    client = api.as_(world.personas.police)
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    catalogue = shipped_catalogue("ilo_child_labour")
    rows = client.get("/api/indicator-catalogues/", **extra).json()
    assert next(r for r in rows if r["id"] == "ilo_child_labour")["title"] == catalogue["title"][lang]
    detail = client.get("/api/indicator-catalogues/ilo_child_labour/", **extra).json()
    first = catalogue["elements"][0]
    assert detail["elements"][0]["title"] == first["title"][lang]
    assert detail["elements"][0]["indicators"][0] == {
        "id": first["indicators"][0]["id"],
        "text": first["indicators"][0]["text"][lang],
        "strength": first["indicators"][0]["strength"],
        "help": first["indicators"][0]["help"][lang],
    }


def test_catalogue_detail_has_every_element_and_indicator(api, world):
    body = api.as_(world.personas.analyst).get("/api/indicator-catalogues/ilo_adult_labour/").json()
    assert (body["id"], body["version"], body["rule"], body["population"]) == (
        "ilo_adult_labour",
        1,
        "ilo",
        "adult",
    )
    assert [e["id"] for e in body["elements"]] == [
        "deceptive_recruitment",
        "coercive_recruitment",
        "abuse_of_vulnerability_recruitment",
        "exploitation",
        "coercion_at_destination",
        "abuse_of_vulnerability_at_destination",
    ]
    shipped = shipped_catalogue("ilo_adult_labour")
    assert sum(len(e["indicators"]) for e in body["elements"]) == sum(
        len(e["indicators"]) for e in shipped["elements"]
    )
    assert api.get("/api/indicator-catalogues/no_such_list/").status_code == 404
    assert api.get("/api/indicator-catalogues/NOT-AN-ID/").status_code == 404


@pytest.mark.parametrize(
    ("catalogue_id", "ids"),
    [
        ("ilo_child_labour", POINTING),
        ("ilo_child_labour", ["dr_job_nature"]),
        ("ilo_adult_labour", []),
        (
            "ilo_adult_sexual",
            ["dr_job_nature", "dr_wages", "ex_no_choice_clients", "ex_low_pay", "cd_violence", "cd_debt"],
        ),
        ("national_child", ["unaccompanied"]),
    ],
)
def test_evaluate_answers_what_the_cli_prints(api, world, capsys, catalogue_id, ids):
    response = api.as_(world.personas.ngo).post(
        f"/api/indicator-catalogues/{catalogue_id}/evaluate/", {"indicators": ids}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == cli_assess(capsys, catalogue_id, ids)
    assert response.json() == evaluate(shipped_catalogue(catalogue_id), ids).as_dict()


def test_evaluate_outcomes(api, world):
    client = api.as_(world.personas.police)
    url = "/api/indicator-catalogues/ilo_child_labour/evaluate/"
    assert (
        client.post(url, {"indicators": POINTING}, format="json").json()["conclusion"]
        == "indicates_trafficking"
    )
    assert (
        client.post(url, {"indicators": ["dr_job_nature"]}, format="json").json()["conclusion"]
        == "inconclusive"
    )
    assert client.post(url, {"indicators": []}, format="json").json()["conclusion"] == "no_indicators"


def test_evaluate_names_unknown_indicators_and_unknown_catalogues_are_404(api, world):
    client = api.as_(world.personas.police)
    response = client.post(
        "/api/indicator-catalogues/ilo_child_labour/evaluate/",
        {"indicators": ["dr_job_nature", "made_up", "also_made_up"]},
        format="json",
    )
    assert response.status_code == 400
    message = " ".join(response.json()["indicators"])
    assert "made_up" in message and "also_made_up" in message and "dr_job_nature" not in message
    assert (
        client.post(
            "/api/indicator-catalogues/ilo_child_labour/evaluate/", {"indicators": "x"}, format="json"
        ).status_code
        == 400
    )
    assert (
        client.post("/api/indicator-catalogues/nope/evaluate/", {"indicators": []}, format="json").status_code
        == 404
    )


# --- per case: access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["outsider", "analyst", "coordinator", "auditor", "sysadmin"])
def test_case_endpoints_are_404_for_those_without_the_case(api, world, name):
    case = world.cases.police_child
    assessment = (
        api.as_(world.personas.police)
        .post(f"/api/cases/{case.pk}/assessments/", assessment_body(), format="json")
        .json()
    )
    client = api.as_(getattr(world.personas, name))
    assert client.get(f"/api/cases/{case.pk}/assessments/").status_code == 404
    assert (
        client.post(f"/api/cases/{case.pk}/assessments/", assessment_body(), format="json").status_code == 404
    )
    assert client.get(f"/api/assessments/{assessment['id']}/").status_code == 404
    assert (
        client.post(
            f"/api/cases/{case.pk}/age-evidence/",
            {"kind": "own_statement", "age_min": 16, "on": "2026-10-01"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/cases/{case.pk}/presumption/lift/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert Assessment.objects.count() == 1 and not AgeEvidence.objects.exists()


def test_malformed_ids_are_404(api, world):
    client = api.as_(world.personas.police)
    assert client.get("/api/cases/not-a-uuid/assessments/").status_code == 404
    assert client.get("/api/assessments/not-a-uuid/").status_code == 404


def test_own_and_shared_cases_and_coordinator_after_breaking_the_glass(api, world):
    c, p = world.cases, world.personas
    ngo = api.as_(p.ngo)
    shared = ngo.post(
        f"/api/cases/{c.police_adult.pk}/assessments/",
        assessment_body(catalogue="ilo_adult_sexual", indicators=[], conclusion="inconclusive"),
        format="json",
    )
    assert shared.status_code == 201 and shared.json()["agency"]["code"] == "rosa"
    assert (
        ngo.post(f"/api/cases/{c.ngo_child.pk}/assessments/", assessment_body(), format="json").status_code
        == 201
    )
    assert (
        api.as_(p.police).get(f"/api/assessments/{shared.json()['id']}/").status_code == 200
    )  # the lead agency

    coordinator = api.as_(p.coordinator)
    assert coordinator.get(f"/api/cases/{c.police_child.pk}/assessments/").status_code == 404
    break_glass(p.coordinator, c.police_child)
    response = coordinator.post(
        f"/api/cases/{c.police_child.pk}/assessments/", assessment_body(), format="json"
    )
    assert response.status_code == 201 and response.json()["agency"]["code"] == "kom"
    assert coordinator.get(f"/api/cases/{c.police_child.pk}/assessments/").json()["count"] == 1


# --- per case: assessments ---------------------------------------------------------------------------------------


def test_record_list_and_retrieve_an_assessment(api, world):
    client = api.as_(world.personas.police)
    case = world.cases.police_child
    response = client.post(
        f"/api/cases/{case.pk}/assessments/",
        assessment_body(conclusion="not_trafficking", reasoning="A family business."),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["catalogue"], body["version"], body["outcome"], body["conclusion"], body["disagrees"]) == (
        "ilo_child_labour",
        1,
        "indicates_trafficking",
        "not_trafficking",
        True,
    )
    assert body["case"] == str(case.pk) and body["assessed_by"] == "Police"
    assert body["title"] == "ILO/EC indicators: children, labour exploitation"
    recruitment = body["elements"][0]
    assert (recruitment["id"], recruitment["positive"], recruitment["strong"], recruitment["medium"]) == (
        "deceptive_recruitment",
        True,
        1,
        1,
    )
    assert {i["id"] for i in recruitment["all_indicators"] if i["ticked"]} == {"dr_job_nature", "dr_wages"}
    retrieved = client.get(f"/api/assessments/{body['id']}/", HTTP_ACCEPT_LANGUAGE="en")
    assert retrieved.status_code == 200 and retrieved.json() == body
    assert AuditEvent.objects.filter(action="view", object_id=body["id"]).exists()
    listing = client.get(f"/api/cases/{case.pk}/assessments/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]
    assert listing["results"][0]["disagrees"] is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reasoning": "   "}, "reasoning"),
        ({"reasoning": None}, "reasoning"),
        ({"conclusion": "maybe"}, "conclusion"),
        ({"catalogue": "ilo_adult_labour"}, "catalogue"),  # an adults' list on a child's case
        ({"catalogue": "no_such_list"}, "catalogue"),
        ({"indicators": ["dr_job_nature", "made_up"]}, "indicators"),
        ({"indicators": "dr_job_nature"}, "indicators"),
        ({"local_questions": ["not-a-uuid"]}, "local_questions"),
        ({"local_questions": ["00000000-0000-0000-0000-000000000000"]}, "local_question_ids"),
    ],
)
def test_invalid_assessments_are_400_and_save_nothing(api, world, overrides, field):
    case = world.cases.police_child
    response = api.as_(world.personas.police).post(
        f"/api/cases/{case.pk}/assessments/", assessment_body(**overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    if field == "indicators" and isinstance(overrides["indicators"], list):
        assert "made_up" in response.json()["indicators"][0]
    assert not Assessment.objects.exists()


# --- per case: age evidence and the presumption of minority ------------------------------------------------------


def test_age_evidence_starts_the_presumption_and_it_is_lifted_with_a_reason(api, world):
    client = api.as_(world.personas.police)
    case = world.cases.police_adult
    response = client.post(
        f"/api/cases/{case.pk}/age-evidence/",
        {
            "kind": "age_assessment",
            "age_min": 16,
            "age_max": 19,
            "on": "2026-10-01",
            "assessed_by": "Dental age assessment service",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_child"] is True
    assert body["evidence"]["kind"] == "age_assessment" and body["evidence"]["age_max"] == 19
    assert body["presumption"]["outcome"] == "started"
    assert body["presumption"]["reasons"] == ["age_assessment_range_under_18"]
    assert body["presumption"]["presumption"]["active"] is True
    assert Case.objects.get(pk=case.pk).is_child

    lift = f"/api/cases/{case.pk}/presumption/lift/"
    assert client.post(lift, {"reason": "  "}, format="json").status_code == 400
    assert Case.objects.get(pk=case.pk).is_child
    response = client.post(lift, {"reason": "Genuine passport checked."}, format="json")
    assert response.status_code == 200
    assert (
        response.json()["active"] is False and response.json()["lifted_reason"] == "Genuine passport checked."
    )
    assert not Case.objects.get(pk=case.pk).is_child
    assert AuditEvent.objects.filter(object_type="identification.agepresumption", action="update").exists()
    again = client.post(lift, {"reason": "Again."}, format="json")
    assert again.status_code == 400 and "reason" in again.json()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "own_statement", "on": "2026-10-01"}, "age_min"),
        ({"kind": "horoscope", "age_min": 16, "on": "2026-10-01"}, "kind"),
        ({"kind": "age_assessment", "age_min": 19, "age_max": 17, "on": "2026-10-01"}, "age_max"),
        ({"kind": "own_statement", "age_min": 16, "on": "2026-10-01", "verified": True}, "verified"),
        ({"kind": "own_statement", "age_min": 16, "on": "2999-01-01"}, "on"),
        ({"kind": "own_statement", "age_min": 130, "on": "2026-10-01"}, "age_min"),
    ],
)
def test_invalid_age_evidence_is_400_and_saves_nothing(api, world, data, field):
    case = world.cases.police_adult
    response = api.as_(world.personas.police).post(f"/api/cases/{case.pk}/age-evidence/", data, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not AgeEvidence.objects.exists() and not AgePresumption.objects.filter(case=case).exists()


# --- the schema ----------------------------------------------------------------------------------------------------


def test_identification_responses_match_the_schema(api, world):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    p, c = world.personas, world.cases
    case, adult = c.police_child, c.police_adult
    created = api.as_(p.police).post(f"/api/cases/{case.pk}/assessments/", assessment_body(), format="json")
    calls = [
        (None, "get", "/api/indicator-catalogues/", "/api/indicator-catalogues/", None),
        (p.analyst, "get", "/api/indicator-catalogues/", "/api/indicator-catalogues/", None),
        (
            p.analyst,
            "get",
            "/api/indicator-catalogues/{catalogue_id}/",
            "/api/indicator-catalogues/national_child/",
            None,
        ),
        (
            p.analyst,
            "get",
            "/api/indicator-catalogues/{catalogue_id}/",
            "/api/indicator-catalogues/nope/",
            None,
        ),
        (
            p.analyst,
            "post",
            "/api/indicator-catalogues/{catalogue_id}/evaluate/",
            "/api/indicator-catalogues/ilo_child_labour/evaluate/",
            {"indicators": POINTING},
        ),
        (
            p.analyst,
            "post",
            "/api/indicator-catalogues/{catalogue_id}/evaluate/",
            "/api/indicator-catalogues/ilo_child_labour/evaluate/",
            {"indicators": ["x"]},
        ),
        (p.police, "get", "/api/cases/{case_id}/assessments/", f"/api/cases/{case.pk}/assessments/", None),
        (p.outsider, "get", "/api/cases/{case_id}/assessments/", f"/api/cases/{case.pk}/assessments/", None),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/assessments/",
            f"/api/cases/{case.pk}/assessments/",
            assessment_body(conclusion="inconclusive"),
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/assessments/",
            f"/api/cases/{case.pk}/assessments/",
            assessment_body(reasoning=""),
        ),
        (
            p.police,
            "get",
            "/api/assessments/{assessment_id}/",
            f"/api/assessments/{created.json()['id']}/",
            None,
        ),
        (
            p.outsider,
            "get",
            "/api/assessments/{assessment_id}/",
            f"/api/assessments/{created.json()['id']}/",
            None,
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/age-evidence/",
            f"/api/cases/{adult.pk}/age-evidence/",
            {"kind": "own_statement", "age_min": 16, "on": "2026-10-01"},
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/age-evidence/",
            f"/api/cases/{adult.pk}/age-evidence/",
            {"kind": "own_statement", "on": "2026-10-01"},
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/presumption/lift/",
            f"/api/cases/{adult.pk}/presumption/lift/",
            {"reason": "Passport checked."},
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/presumption/lift/",
            f"/api/cases/{adult.pk}/presumption/lift/",
            {"reason": "Passport checked."},
        ),  # 400: nothing left to lift
    ]
    seen = set()
    for user, method, template, url, body in calls:
        if user is None:
            api.force_authenticate(user=None)
        else:
            api.as_(user)
        response = getattr(api, method)(url, body, format="json") if method == "post" else api.get(url)
        check(schema, response, template, method)
        seen.add(response.status_code)
    assert seen == {200, 201, 400, 401, 404}
