"""The coordination API: the same rules as the pages, and real answers that match the schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.test_schema import check
from tests.conftest import verified
from varde.coordination.models import Measure, StatusReport
from varde.demo.coordination import load_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def schema(api, db):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_api_writes_submits_approves_and_summarises(api, schema, personas, ministry_users):
    m33 = Measure.objects.get(plan__code="2006-2009", number=33)
    status_path = "/api/coordination/measures/{measure_id}/status/"
    calls = []

    def call(user, method, template, url, body=None):
        api.force_authenticate(user=verified(user))
        response = api.post(url, body, format="json") if method == "post" else api.get(url)
        check(schema, response, template, method)
        calls.append(response.status_code)
        return response

    plan = "/api/coordination/plans/{plan_id}/measures/"
    rows = call(
        ministry_users.ud, "get", plan, "/api/coordination/plans/2011-2014/measures/?limit=100"
    ).json()
    assert rows["count"] == 35 and rows["results"][30]["ministries"] == ["jd", "ud"]
    assert (
        call(personas.police, "get", plan, "/api/coordination/plans/2011-2014/measures/").status_code == 404
    )
    assert (
        call(ministry_users.ud, "get", plan, "/api/coordination/plans/1999-2000/measures/").status_code == 404
    )

    body = {"ministry": "ud", "year": 2007, "status": "ongoing", "done": "IOM Kenya.", "submit": True}
    url = f"/api/coordination/measures/{m33.pk}/status/"
    report = call(ministry_users.ud, "post", status_path, url, body).json()
    assert report["state"] == "submitted"
    assert (
        call(ministry_users.jd, "post", status_path, url, body).status_code == 403
    )  # writes for the JD only
    stale = {**body, "version": report["version"] + 9}
    assert call(ministry_users.ud, "post", status_path, url, stale).status_code == 409
    waiting = {**body, "version": report["version"]}  # submitted: not changed until returned
    assert call(ministry_users.ud, "post", status_path, url, waiting).status_code == 400
    assert call(ministry_users.ud, "post", status_path, url, {**body, "ministry": "xx"}).status_code == 400
    assert call(personas.outsider, "post", status_path, url, body).status_code == 404

    approve = "/api/coordination/status-reports/{report_id}/approve/"
    approve_url = f"/api/coordination/status-reports/{report['id']}/approve/"
    version = {"version": report["version"]}
    assert call(ministry_users.ud, "post", approve, approve_url, version).status_code == 403  # four eyes
    assert (
        call(ministry_users.jd, "post", approve, approve_url, version).status_code == 404
    )  # not yet final: unseen
    assert call(ministry_users.ud_second, "post", approve, approve_url, {"version": 99}).status_code == 409
    assert call(ministry_users.ud_second, "post", approve, approve_url, version).json()["state"] == "approved"
    assert StatusReport.objects.get(pk=report["id"]).is_final

    reopen = "/api/coordination/status-reports/{report_id}/reopen/"
    reopen_url = f"/api/coordination/status-reports/{report['id']}/reopen/"
    final_version = StatusReport.objects.get(pk=report["id"]).version
    why = {"version": final_version, "reason": "The spending was left out."}
    assert call(ministry_users.jd, "post", reopen, reopen_url, why).status_code == 403  # sees it, final
    assert call(personas.outsider, "post", reopen, reopen_url, why).status_code == 404
    assert call(ministry_users.ud, "post", reopen, reopen_url, {"version": final_version}).status_code == 400
    reopened = call(ministry_users.ud, "post", reopen, reopen_url, why).json()
    assert reopened["state"] == "draft" and not StatusReport.objects.get(pk=report["id"]).is_final
    assert (
        call(
            ministry_users.ud, "post", reopen, reopen_url, {**why, "version": reopened["version"]}
        ).status_code
        == 400
    )

    load_portfolio(coordinator=personas.coordinator)
    summary = "/api/coordination/portfolio/{period_id}/summary/"
    s = call(ministry_users.ud, "get", summary, "/api/coordination/portfolio/2000-2010/summary/").json()
    assert (s["projects"], s["agreements"], s["small_projects"]) == (193, 138, 18)
    assert (
        call(personas.analyst, "get", summary, "/api/coordination/portfolio/2000-2010/summary/").status_code
        == 404
    )
    assert (
        call(
            personas.coordinator, "get", summary, "/api/coordination/portfolio/2010-2000/summary/"
        ).status_code
        == 404
    )


def test_an_issue_through_the_api_is_seen_by_its_reporter_only(api, schema, personas):
    template = "/api/coordination/issues/"
    api.force_authenticate(user=verified(personas.police))
    response = api.post(
        template,
        {"kind": "general", "subject": "Night interpreters", "description": "None after 22."},
        format="json",
    )
    check(schema, response, template, "post")
    assert response.status_code == 201
    bad = api.post(template, {"kind": "nope", "subject": "", "description": ""}, format="json")
    check(schema, bad, template, "post")
    assert bad.status_code == 400
    mine = api.get(template)
    check(schema, mine, template, "get")
    assert mine.json()["count"] == 1
    api.force_authenticate(user=verified(personas.ngo))
    assert api.get(template).json()["count"] == 0
    api.force_authenticate(user=verified(personas.coordinator))
    assert api.get(template).json()["count"] == 1
