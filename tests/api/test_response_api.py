"""The response API: inbox and acknowledgement, a case's deadlines, placements, disappearances, and the
coordinators' national view. Same access rules as the pages; real answers match the schema."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.test_schema import check
from tests.conftest import break_glass, verified
from varde.core import clock
from varde.response.models import Clock, ClockState, MissingEpisode, Notification, NotificationKind, Placement

NAMES = ["Mihai", "Popescu", "Amina", "Yusuf", "Liang", "Wei", "Blessing", "Okafor"]


@pytest.fixture
def presumed(world, monkeypatch):
    """The children's clocks started with their reports; the API is asked 23 hours later."""
    later = clock.now() + dt.timedelta(hours=23)
    monkeypatch.setattr(clock, "now", lambda: later)
    return {
        case.pk: Clock.objects.get(case=case, kind="safe_placement")
        for case in world.cases.all()
        if case.is_child
    }


@pytest.fixture
def schema(api, db):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


# --- access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "analyst"])
def test_outsider_and_analyst_get_404_on_case_endpoints(api, world, presumed, persona):
    api.as_(getattr(world.personas, persona))
    case = world.cases.police_child
    assert api.get(f"/api/cases/{case.pk}/clocks/").status_code == 404
    assert (
        api.post(
            f"/api/cases/{case.pk}/placements/",
            {"kind": "shelter", "from_at": _iso(clock.now())},
            format="json",
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/cases/{case.pk}/missing-episodes/",
            {"missing_from": "other", "last_seen_at": _iso(clock.now())},
            format="json",
        ).status_code
        == 404
    )
    assert api.get("/api/response/clocks/").status_code == 404
    assert not Placement.objects.exists() and not MissingEpisode.objects.exists()


def test_outsider_cannot_read_or_acknowledge_another_agencys_notification(api, world, presumed):
    note = Notification.objects.filter(recipient_agency=world.agencies.childwelfare).first()
    api.as_(world.personas.outsider)
    assert api.post(f"/api/notifications/{note.pk}/acknowledge/").status_code == 404
    assert api.post("/api/notifications/not-a-uuid/acknowledge/").status_code == 404
    assert all(n["id"] != str(note.pk) for n in api.get("/api/notifications/").json()["results"])
    note.refresh_from_db()
    assert note.acknowledged_at is None


def test_anonymous_gets_401(api, world):
    assert api.get("/api/notifications/").status_code == 401
    assert api.get("/api/response/clocks/").status_code == 401


def test_partner_sees_the_shared_cases_clocks_only(api, world, presumed):
    api.as_(world.personas.ngo)
    assert api.get(f"/api/cases/{world.cases.police_adult.pk}/clocks/").status_code == 200
    own = api.get(f"/api/cases/{world.cases.ngo_child.pk}/clocks/").json()["results"]
    assert {c["kind"] for c in own} >= {"safe_placement"}
    assert api.get(f"/api/cases/{world.cases.police_child.pk}/clocks/").status_code == 404


# --- inbox and acknowledgement ---------------------------------------------------------------------------


def test_inbox_and_acknowledge(api, world, presumed, schema):
    api.as_(world.personas.childwelfare)
    response = api.get("/api/notifications/", HTTP_ACCEPT_LANGUAGE="nb")
    check(schema, response, "/api/notifications/", "get")
    rows = response.json()["results"]
    note = Notification.objects.get(
        kind=NotificationKind.PRESUMED_CHILD,
        case=world.cases.police_child,
        recipient_agency=world.agencies.childwelfare,
    )
    row = next(r for r in rows if r["id"] == str(note.pk))
    assert row["text"] == note.text_nb and row["case_reference"] == world.cases.police_child.reference
    assert not any(name in str(rows) for name in NAMES)

    url = f"/api/notifications/{note.pk}/acknowledge/"
    done = api.post(url)
    check(schema, done, "/api/notifications/{notification_id}/acknowledge/", "post")
    assert done.status_code == 200 and done.json()["acknowledged_at"] is not None
    note.refresh_from_db()
    assert note.ack_clock.state == ClockState.MET
    again = api.post(url)
    check(schema, again, "/api/notifications/{notification_id}/acknowledge/", "post")
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"


def test_inbox_query_budget(api, world, presumed, django_assert_max_num_queries):
    api.as_(world.personas.coordinator)
    with django_assert_max_num_queries(10):
        assert api.get("/api/notifications/").status_code == 200


# --- clocks, placements, disappearances -------------------------------------------------------------------


def test_placement_meets_the_24_hour_clock(api, world, presumed, schema):
    case = world.cases.police_child
    api.as_(world.personas.police)
    clocks = api.get(f"/api/cases/{case.pk}/clocks/", HTTP_ACCEPT_LANGUAGE="en")
    check(schema, clocks, "/api/cases/{case_id}/clocks/", "get")
    safe = next(c for c in clocks.json()["results"] if c["kind"] == "safe_placement")
    assert safe["state"] == "running"
    response = api.post(
        f"/api/cases/{case.pk}/placements/",
        {"kind": "child_welfare_institution", "from_at": _iso(clock.now() - dt.timedelta(hours=1))},
        format="json",
    )
    check(schema, response, "/api/cases/{case_id}/placements/", "post")
    assert response.status_code == 201
    body = response.json()
    assert body["placement"]["kind"] == "child_welfare_institution"
    assert next(c for c in body["clocks"] if c["kind"] == "safe_placement")["state"] == "met"
    assert Clock.objects.get(pk=presumed[case.pk].pk).state == ClockState.MET


def test_placement_validation_saves_nothing(api, world, presumed, schema):
    case = world.cases.police_child
    api.as_(world.personas.police)
    for body in (
        {"kind": "castle", "from_at": _iso(clock.now())},
        {"kind": "shelter", "from_at": _iso(clock.now() + dt.timedelta(days=1))},
    ):
        response = api.post(f"/api/cases/{case.pk}/placements/", body, format="json")
        check(schema, response, "/api/cases/{case_id}/placements/", "post")
        assert response.status_code == 400
    assert not Placement.objects.exists()
    assert Clock.objects.get(pk=presumed[case.pk].pk).state == ClockState.RUNNING


def test_missing_episode(api, world, schema):
    case = world.cases.childwelfare_child
    api.as_(world.personas.childwelfare)
    url = f"/api/cases/{case.pk}/missing-episodes/"
    body = {"missing_from": "care_centre", "last_seen_at": _iso(clock.now() - dt.timedelta(hours=2))}
    response = api.post(url, body, format="json")
    check(schema, response, "/api/cases/{case_id}/missing-episodes/", "post")
    assert response.status_code == 201 and response.json()["status"] == "missing"
    assert response.json()["was_child"] is True
    assert Notification.objects.filter(case=case, kind=NotificationKind.DISAPPEARANCE).exists()
    twice = api.post(url, body, format="json")  # already missing
    check(schema, twice, "/api/cases/{case_id}/missing-episodes/", "post")
    assert twice.status_code == 400
    assert MissingEpisode.objects.filter(case=case).count() == 1


# --- the national view ----------------------------------------------------------------------------------


def test_national_view_is_for_coordinators_and_name_free(api, world, presumed, schema):
    api.as_(world.personas.police)
    assert api.get("/api/response/clocks/").status_code == 404
    api.as_(world.personas.coordinator)
    response = api.get("/api/response/clocks/", HTTP_ACCEPT_LANGUAGE="en")
    check(schema, response, "/api/response/clocks/", "get")
    body = response.json()
    refs = {row["reference"] for row in body["results"]}
    assert {world.cases.police_child.reference, world.cases.ngo_child.reference} <= refs
    assert body["count"] == 6  # each child's placement and informing clocks
    children = api.get("/api/response/clocks/?kind=safe_placement&child=true&state=warning").json()
    assert children["count"] == 3 and {r["display_state"] for r in children["results"]} == {"warning"}
    assert all(0 < r["seconds_left"] <= 3600 for r in children["results"])
    assert api.get("/api/response/clocks/?state=soon").status_code == 400
    assert not any(name in response.content.decode() for name in NAMES)


def test_national_view_query_budget(api, world, presumed, django_assert_max_num_queries):
    break_glass(world.personas.coordinator, world.cases.police_child)
    api.force_authenticate(user=verified(world.personas.coordinator))
    with django_assert_max_num_queries(8):
        assert api.get("/api/response/clocks/").status_code == 200
