"""List endpoints return exactly the records each persona may see, write one audit event, and keep a query budget."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import report
from varde.audit.models import AuditEvent
from varde.cases.services import case_invite_agency


def refs(*cases):
    return {c.reference for c in cases}


def listed(api, user, url="/api/cases/"):
    response = api.as_(user).get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_case_list_per_persona(api, world):
    p, c = world.personas, world.cases
    expected = {
        "police": refs(c.police_adult, c.police_child),
        "childwelfare": refs(c.childwelfare_adult, c.childwelfare_child),
        "ngo": refs(c.ngo_adult, c.ngo_child, c.police_adult),  # the shared case too
        "coordinator": refs(*c.all()),
        "analyst": set(),
        "outsider": set(),
        "agency_admin": set(),
        "sysadmin": set(),
        "auditor": set(),
    }
    for name, references in expected.items():
        body = listed(api, getattr(p, name))
        assert {row["reference"] for row in body["results"]} == references, name
        assert body["count"] == len(references), name


def test_case_list_rows_carry_what_the_list_needs(api, world):
    body = listed(api, world.personas.police)
    row = next(r for r in body["results"] if r["reference"] == world.cases.police_child.reference)
    assert row["person_name"] == "Mihai Popescu"
    assert row["is_child"] is True
    assert row["status"] == "reported"
    assert row["lead_agency"]["code"] == "oslo-pd-stop"
    assert set(row) == {"id", "reference", "status", "lead_agency", "is_child", "opened_at", "person_name"}


def test_case_list_writes_one_list_event_naming_the_page(api, world):
    before = AuditEvent.objects.count()
    body = api.as_(world.personas.coordinator).get("/api/cases/?limit=4&offset=1").json()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "list"
    assert event.actor_username == "coordinator"
    assert event.detail["cases"] == [row["id"] for row in body["results"]]
    assert len(body["results"]) == 4 and body["count"] == 6


def test_page_size_has_a_ceiling(api, world, monkeypatch):
    from varde.api.pagination import VardePagination

    assert VardePagination.max_limit == 200
    monkeypatch.setattr(VardePagination, "max_limit", 4)
    body = api.as_(world.personas.coordinator).get("/api/cases/?limit=100000").json()
    assert (len(body["results"]), body["count"]) == (4, 6)


def _count_list_queries(api, user):
    with CaptureQueriesContext(connection) as ctx:
        response = api.as_(user).get("/api/cases/?limit=200")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_case_list_has_no_n_plus_one(api, world, django_assert_max_num_queries):
    police = world.personas.police
    few_queries, few = _count_list_queries(api, police)
    for i in range(30):
        report(police, world.agencies.police, given=f"Given{i}", family=f"Family{i}", child=bool(i % 2))
    with django_assert_max_num_queries(15):
        response = api.as_(police).get("/api/cases/?limit=200")
    assert len(response.json()["results"]) == 32
    many_queries, many = _count_list_queries(api, police)
    assert (few, many) == (2, 32)
    assert many_queries == few_queries


def test_case_detail_query_count_does_not_grow_with_history(api, world):
    case, police = world.cases.police_adult, world.personas.police
    with CaptureQueriesContext(connection) as before:
        api.as_(police).get(f"/api/cases/{case.pk}/")
    for i in range(10):
        api.as_(police).post(
            f"/api/cases/{case.pk}/consents/",
            {"agency_kind": "health", "purpose": f"Doctor {i}", "given_on": "2026-10-02"},
            format="json",
        )
    with CaptureQueriesContext(connection) as after:
        response = api.as_(police).get(f"/api/cases/{case.pk}/")
    assert len(response.json()["consents"]) == 11
    assert len(after.captured_queries) == len(before.captured_queries)


def test_invitation_list_per_persona(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    to_cw = case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare)
    to_cw2 = case_invite_agency(actor=p.ngo, case=c.ngo_child, agency=a.childwelfare)
    expected = {
        "childwelfare": {str(to_cw.pk), str(to_cw2.pk)},
        "police": set(),
        "ngo": set(),
        "coordinator": set(),
        "outsider": set(),
        "analyst": set(),
        "auditor": set(),
        "sysadmin": set(),
        "agency_admin": set(),
    }
    for name, ids in expected.items():
        body = listed(api, getattr(p, name), "/api/invitations/")
        assert {row["id"] for row in body["results"]} == ids, name


def test_invitation_list_shows_no_personal_data(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare, note="Mihai needs a place")
    response = api.as_(p.childwelfare).get("/api/invitations/")
    (row,) = response.json()["results"]
    assert row["case_reference"] == c.police_child.reference
    assert row["inviting_agency"]["code"] == "oslo-pd-stop"
    for secret in (b"Mihai", b"Popescu", b"needs a place", b"A1234567", b"912 34"):
        assert secret not in response.content


def test_coordinator_invitation_names_kom_as_inviter(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    case_invite_agency(actor=p.coordinator, case=c.ngo_child, agency=a.childwelfare)
    (row,) = api.as_(p.childwelfare).get("/api/invitations/").json()["results"]
    assert row["inviting_agency"]["code"] == "kom"
    assert row["lead_agency"]["code"] == "rosa"


@pytest.mark.parametrize("name", ["police", "analyst", "outsider", "auditor"])
def test_agency_directory_for_any_signed_in_user(api, world, name):
    world.agencies.labour.is_active = False
    world.agencies.labour.save()
    body = listed(api, getattr(world.personas, name), "/api/agencies/")
    assert {row["code"] for row in body["results"]} == {"oslo-pd-stop", "bufetat-ost", "rosa", "kom"}
    assert set(body["results"][0]) == {"id", "code", "name", "kind"}


def test_me_lists_agencies_and_roles_without_case_data(api, world):
    body = api.as_(world.personas.coordinator).get("/api/me/").json()
    assert body["username"] == "coordinator"
    assert body["roles"] == ["coordinator"]
    assert body["is_coordinator"] is True
    assert [(m["agency"]["code"], m["role"]) for m in body["memberships"]] == [("kom", "coordinator")]
    analyst = api.as_(world.personas.analyst).get("/api/me/").json()
    assert (analyst["roles"], analyst["can_work_with_cases"]) == (["analyst"], False)
