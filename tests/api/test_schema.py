"""The OpenAPI document is valid, names every endpoint, and real responses match what it promises."""

from __future__ import annotations

import re

import jsonschema
import pytest
from drf_spectacular.validation import validate_schema

from tests.conftest import verified
from varde.cases.models import CaseParticipation, Consent

EXPECTED = {
    ("/api/auth/token/", "post"),
    ("/api/me/", "get"),
    ("/api/agencies/", "get"),
    ("/api/cases/", "get"),
    ("/api/cases/", "post"),
    ("/api/cases/{case_id}/", "get"),
    ("/api/cases/{case_id}/status/", "post"),
    ("/api/cases/{case_id}/break-glass/", "post"),
    ("/api/exports/", "get"),
    ("/api/exports/", "post"),
    ("/api/exports/{request_id}/approve/", "post"),
    ("/api/exports/{request_id}/download/", "post"),
    ("/api/cases/{case_id}/timeline/", "get"),
    ("/api/cases/{case_id}/participants/", "post"),
    ("/api/cases/{case_id}/participants/{participation_id}/revoke/", "post"),
    ("/api/invitations/", "get"),
    ("/api/invitations/{invitation_id}/accept/", "post"),
    ("/api/invitations/{invitation_id}/decline/", "post"),
    ("/api/cases/{case_id}/consents/", "post"),
    ("/api/cases/{case_id}/consents/{consent_id}/withdraw/", "post"),
    ("/api/cases/{case_id}/notes/", "post"),
    ("/api/persons/{person_id}/", "get"),
    ("/api/indicator-catalogues/", "get"),
    ("/api/indicator-catalogues/{catalogue_id}/", "get"),
    ("/api/indicator-catalogues/{catalogue_id}/evaluate/", "post"),
    ("/api/cases/{case_id}/assessments/", "get"),
    ("/api/cases/{case_id}/assessments/", "post"),
    ("/api/assessments/{assessment_id}/", "get"),
    ("/api/cases/{case_id}/age-evidence/", "post"),
    ("/api/cases/{case_id}/presumption/lift/", "post"),
    ("/api/notifications/", "get"),
    ("/api/notifications/{notification_id}/acknowledge/", "post"),
    ("/api/cases/{case_id}/clocks/", "get"),
    ("/api/cases/{case_id}/placements/", "post"),
    ("/api/cases/{case_id}/missing-episodes/", "post"),
    ("/api/response/clocks/", "get"),
    ("/api/coordination/plans/{plan_id}/measures/", "get"),
    ("/api/coordination/measures/{measure_id}/status/", "post"),
    ("/api/coordination/status-reports/{report_id}/approve/", "post"),
    ("/api/coordination/portfolio/{period_id}/summary/", "get"),
    ("/api/coordination/issues/", "get"),
    ("/api/coordination/issues/", "post"),
    ("/api/coordination/status-reports/{report_id}/reopen/", "post"),
    ("/api/coordination/groups/", "get"),
    ("/api/coordination/groups/{group_id}/", "get"),
    ("/api/coordination/groups/{group_id}/meetings/", "post"),
    ("/api/coordination/meetings/{meeting_id}/", "get"),
    ("/api/coordination/tasks/{task_id}/done/", "post"),
    ("/api/criminal-cases/", "get"),
    ("/api/criminal-cases/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/", "get"),
    ("/api/criminal-cases/{criminal_case_id}/stages/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/facts/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/victims/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/perpetrators/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/perpetrators/{link_id}/outcome/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/trial/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/networks/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/cooperation/", "post"),
    ("/api/criminal-cases/{criminal_case_id}/participants/", "post"),
    ("/api/cases/{case_id}/criminal-proceedings/", "get"),
    ("/api/statistics/prosecution/{period_id}/", "get"),
    ("/api/cases/{case_id}/legal-status/", "get"),
    ("/api/cases/{case_id}/legal-status/", "post"),
    ("/api/cases/{case_id}/police-cooperation/", "get"),
    ("/api/cases/{case_id}/police-cooperation/", "post"),
    ("/api/cases/{case_id}/returns/", "get"),
    ("/api/cases/{case_id}/returns/", "post"),
    ("/api/cases/{case_id}/returns/{return_id}/", "get"),
    ("/api/cases/{case_id}/returns/{return_id}/", "patch"),
    ("/api/cases/{case_id}/returns/{return_id}/cancel/", "post"),
    ("/api/cases/{case_id}/returns/{return_id}/record/", "post"),
    ("/api/cases/{case_id}/returns/{return_id}/follow-ups/", "get"),
    ("/api/cases/{case_id}/returns/{return_id}/follow-ups/", "post"),
    # Anonymous notifications (issue 22).
    ("/api/anonymous-notifications/", "get"),
    ("/api/anonymous-notifications/", "post"),
    ("/api/anonymous-notifications/{notification_id}/withdraw/", "post"),
}

# Path variables that are no UUID: catalogue ids are data-file names (never personal data).
TEXT_IDS = {
    "catalogue_id": r"^[a-z][a-z0-9_]{0,59}$",
    # An action plan's period and a span of years (varde.api.coordination): no personal data.
    "plan_id": r"^(19|20)\d\d-(19|20)\d\d$",
    "period_id": r"^(19|20)\d\d-(19|20)\d\d$",
}


@pytest.fixture
def schema(api, db):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3_with_every_endpoint(schema):
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations == EXPECTED


# What a query string may carry: paging and filters without personal data (a clock kind, an agency's
# id, children or adults, a state, an order). A person's, case's or record's identifier never does.
QUERY_PARAMETERS = {"limit", "offset", "kind", "agency", "child", "state", "ordering"}
# The case list's filters (issue 20): codes, agency ids, days the case was opened, an order.
QUERY_PARAMETERS |= {"status", "lead_agency", "form", "clocks", "opened_from", "opened_to", "sort"}
# The one exception: the case search's text, which may be a name or a number. It is documented as such
# in the schema, audited by what it was read as (never its text), and no log of Varde's writes it.
SEARCH_TEXT = {("/api/cases/", "q")}


def test_every_operation_documents_its_errors(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert "400" in codes or "requestBody" not in op, (path, method)
            if path == "/api/auth/token/":
                assert op.get("security") in (None, []) and "429" in codes
                continue
            assert {"401", "403"} <= codes, (path, method)
            if "{" in path:
                assert "404" in codes, (path, method)
            for param in op.get("parameters", []):
                if param["in"] == "path" and param["name"] in TEXT_IDS:
                    assert param["schema"]["pattern"] == TEXT_IDS[param["name"]], (path, param)
                elif param["in"] == "path":
                    assert param["schema"]["format"] == "uuid", (path, param)
                assert (
                    param["in"] != "query"
                    or param["name"] in QUERY_PARAMETERS
                    or (path, param["name"]) in SEARCH_TEXT
                ), (path, param)


def _jsonschema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _jsonschema(v) for k, v in node.items() if k not in {"nullable", "readOnly", "writeOnly"}}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def check(schema, response, path, method):
    code = str(response.status_code)
    op = schema["paths"][path][method]
    assert code in op["responses"], (
        f"{method.upper()} {path} answered undocumented {code}: {response.content!r}"
    )
    content = op["responses"][code].get("content", {}).get("application/json")
    assert content, (path, method, code)
    root = {"components": _jsonschema(schema["components"]), **_jsonschema(content["schema"])}
    jsonschema.Draft7Validator(root).validate(response.json())


def test_real_responses_match_the_schema(api, world, schema):
    p, c, a = world.personas, world.cases, world.agencies
    case = c.police_adult
    consent = Consent.objects.get(case=case)
    partner = CaseParticipation.objects.get(case=case, is_lead=False)
    report = {
        "person": {"names": [{"given": "Ann"}], "estimated_age": 15, "estimated_age_certainty": "low"},
        "referral": {"reporting_agency": str(a.police.pk), "referral_date": "2026-10-05"},
    }
    calls = [
        # (persona or None, method, template, concrete url, body)
        (None, "get", "/api/me/", "/api/me/", None),
        (None, "post", "/api/auth/token/", "/api/auth/token/", {"username": "x", "password": "y"}),
        (p.police, "get", "/api/me/", "/api/me/", None),
        (p.police, "get", "/api/agencies/", "/api/agencies/", None),
        (p.police, "get", "/api/cases/", "/api/cases/", None),
        (p.analyst, "get", "/api/cases/", "/api/cases/", None),
        (p.police, "post", "/api/cases/", "/api/cases/", report),
        (p.police, "post", "/api/cases/", "/api/cases/", {"person": {}, "referral": {"referral_date": "x"}}),
        (p.ngo, "post", "/api/cases/", "/api/cases/", report),  # 403: not ROSA's agency
        (p.police, "get", "/api/cases/{case_id}/", f"/api/cases/{case.pk}/", None),
        (p.outsider, "get", "/api/cases/{case_id}/", f"/api/cases/{case.pk}/", None),
        (p.police, "get", "/api/cases/{case_id}/timeline/", f"/api/cases/{case.pk}/timeline/", None),
        (p.police, "get", "/api/persons/{person_id}/", f"/api/persons/{case.person_id}/", None),
        (p.police, "post", "/api/cases/{case_id}/notes/", f"/api/cases/{case.pk}/notes/", {"text": "n"}),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/consents/",
            f"/api/cases/{case.pk}/consents/",
            {"agency": str(a.childwelfare.pk), "purpose": "p", "given_on": "2026-10-01"},
        ),
        (
            p.ngo,
            "post",
            "/api/cases/{case_id}/participants/",
            f"/api/cases/{case.pk}/participants/",
            {"agency": str(a.childwelfare.pk)},
        ),  # 403
        (
            p.police,
            "post",
            "/api/cases/{case_id}/participants/",
            f"/api/cases/{case.pk}/participants/",
            {"agency": str(a.childwelfare.pk)},
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/status/",
            f"/api/cases/{case.pk}/status/",
            {"status": "under_assessment", "reason": "r", "version": case.version},
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/status/",
            f"/api/cases/{case.pk}/status/",
            {"status": "identified", "reason": "r", "version": case.version},
        ),  # 409: stale
        (
            p.police,
            "post",
            "/api/cases/{case_id}/participants/{participation_id}/revoke/",
            f"/api/cases/{case.pk}/participants/{partner.pk}/revoke/",
            {"reason": "done"},
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/consents/{consent_id}/withdraw/",
            f"/api/cases/{case.pk}/consents/{consent.pk}/withdraw/",
            None,
        ),
        (
            p.police,
            "post",
            "/api/cases/{case_id}/consents/{consent_id}/withdraw/",
            f"/api/cases/{case.pk}/consents/{consent.pk}/withdraw/",
            None,
        ),  # 409: already withdrawn
        (p.childwelfare, "get", "/api/invitations/", "/api/invitations/", None),
    ]
    seen = set()
    for user, method, template, url, body in calls:
        api.force_authenticate(user=verified(user))
        response = getattr(api, method)(url, body, format="json") if method == "post" else api.get(url)
        check(schema, response, template, method)
        seen.add(response.status_code)
    invitation = api.get("/api/invitations/").json()["results"][0]["id"]
    for verb in ("accept", "accept"):  # the second answers 404: already answered
        response = api.post(f"/api/invitations/{invitation}/{verb}/")
        check(schema, response, f"/api/invitations/{{invitation_id}}/{verb}/", "post")
        seen.add(response.status_code)
    assert seen == {200, 201, 400, 401, 403, 404, 409}


def test_no_personal_data_in_paths(schema):
    for path in schema["paths"]:
        for variable in re.findall(r"{(\w+)}", path):
            assert variable.endswith("_id"), path
