"""GET /api/cases/: search, filters, sort and pages, with the query syntax the schema documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import break_glass
from tests.factories import report
from varde.audit.models import AuditEvent
from varde.cases.models import Case
from varde.response.models import Clock, ClockState


def refs(*cases) -> set[str]:
    return {c.reference for c in cases}


def listed(api, user, params=None) -> dict:
    response = api.as_(user).get("/api/cases/", params or {})
    assert response.status_code == 200, response.content
    return response.json()


def got(api, user, params=None) -> set[str]:
    return {row["reference"] for row in listed(api, user, params)["results"]}


def test_search_by_name_phone_document_and_reference(api, world):
    p, c = world.personas, world.cases
    assert got(api, p.police, {"q": "Mihai Popescu"}) == refs(c.police_child)
    assert got(api, p.police, {"q": "popescu mihai"}) == refs(c.police_child)
    assert got(api, p.police, {"q": "+47 912 34 567"}) == refs(c.police_adult, c.police_child)
    assert got(api, p.police, {"q": "a1234567"}) == refs(c.police_adult, c.police_child)
    assert got(api, p.police, {"q": c.police_child.reference}) == refs(c.police_child)
    assert got(api, p.police, {"q": "Liang Wei"}) == set()  # ROSA's case


def test_the_national_list_answers_a_name_search_with_nothing_it_has_not_opened(api, world):
    p, c = world.personas, world.cases
    body = listed(api, p.coordinator, {"q": "Blessing Okafor"})
    assert (body["results"], body["count"]) == ([], 0)
    by_reference = listed(api, p.coordinator, {"q": c.police_adult.reference})["results"]
    assert [(r["reference"], r["person_name"]) for r in by_reference] == [(c.police_adult.reference, None)]


def test_every_search_is_audited_without_its_text(api, world):
    p, c = world.personas, world.cases
    before = AuditEvent.objects.count()
    listed(api, p.police, {"q": "Mihai 1995-05-17"})  # no such case: Mihai has no birth date
    listed(api, p.police, {"q": "Mihai", "sort": "reference"})
    assert AuditEvent.objects.count() == before + 2
    first, second = AuditEvent.objects.order_by("-seq")[:2][::-1]
    assert first.detail == {"page": "api", "search": ["birth_date", "name"], "cases": []}
    assert second.detail == {
        "page": "api",
        "sort": "reference",
        "search": ["name"],
        "cases": [str(c.police_child.pk)],
    }
    assert "mihai" not in str(first.detail).lower() + str(second.detail).lower()


def test_filters(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    kom = p.coordinator
    assert got(api, kom, {"status": "reported"}) == refs(*c.all())
    assert got(api, kom, {"status": ["closed", "identified"]}) == set()
    assert got(api, kom, {"child": "false"}) == refs(c.police_adult, c.childwelfare_adult, c.ngo_adult)
    assert got(api, kom, {"lead_agency": str(a.police.pk)}) == refs(c.police_adult, c.police_child)
    assert got(api, kom, {"agency": str(a.ngo.pk)}) == refs(c.ngo_adult, c.ngo_child, c.police_adult)
    assert got(api, p.police, {"form": "begging"}) == refs(c.police_child)
    assert got(api, p.police, {"form": ["begging", "sexual"]}) == refs(c.police_adult, c.police_child)
    assert got(api, p.ngo, {"form": "sexual"}) == refs(c.police_adult, c.ngo_adult)
    today = dt.date.today().isoformat()
    assert got(api, kom, {"opened_from": today, "opened_to": today}) == refs(*c.all())
    assert got(api, kom, {"opened_to": "2020-01-01"}) == set()
    assert got(api, p.police, {"child": "true", "status": "reported"}) == refs(c.police_child)


def test_the_national_list_is_never_filtered_by_a_form_of_exploitation_it_has_not_opened(api, world):
    p, c = world.personas, world.cases
    assert got(api, p.coordinator, {"form": "begging"}) == set()
    assert got(api, p.coordinator, {"form": "forced_criminality"}) == set()
    break_glass(p.coordinator, c.ngo_child)
    assert got(api, p.coordinator, {"form": "forced_criminality"}) == refs(c.ngo_child)


def test_deadline_filters(api, world):
    p, c = world.personas, world.cases
    kom = p.coordinator
    # A child's report starts the placement and informing clocks; adults' reports start none.
    running = got(api, kom, {"clocks": "running"})
    assert running == refs(c.police_child, c.childwelfare_child, c.ngo_child)
    assert got(api, kom, {"clocks": "missed"}) == set()
    Clock.objects.filter(case=c.ngo_child).update(state=ClockState.MISSED)
    assert got(api, kom, {"clocks": "missed"}) == refs(c.ngo_child)
    assert got(api, p.police, {"clocks": "missed"}) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"child": "maybe"},
        {"lead_agency": "not-a-uuid"},
        {"agency": "00000000-0000-0000-0000-000000000000"},
        {"form": "stealing"},
        {"clocks": "late"},
        {"opened_from": "yesterday"},
        {"sort": "name"},
    ],
)
def test_a_value_a_parameter_does_not_accept_answers_400_naming_it(api, world, params):
    response = api.as_(world.personas.police).get("/api/cases/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_unknown_parameters_are_ignored(api, world):
    assert got(api, world.personas.police, {"colour": "blue"}) == refs(
        world.cases.police_adult, world.cases.police_child
    )


def test_sort_orders(api, world):
    kom, c = world.personas.coordinator, world.cases
    by_ref = [r["reference"] for r in listed(api, kom, {"sort": "reference"})["results"]]
    assert by_ref == sorted(case.reference for case in c.all())
    assert [r["reference"] for r in listed(api, kom, {"sort": "-reference"})["results"]] == by_ref[::-1]
    Case.objects.filter(pk=c.ngo_adult.pk).update(opened_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert listed(api, kom, {"sort": "opened"})["results"][0]["reference"] == c.ngo_adult.reference
    assert listed(api, kom)["results"][-1]["reference"] == c.ngo_adult.reference  # newest first
    Case.objects.filter(pk=c.police_adult.pk).update(status="closed")
    assert listed(api, kom, {"sort": "status"})["results"][-1]["reference"] == c.police_adult.reference
    assert listed(api, kom, {"sort": "-status"})["results"][0]["reference"] == c.police_adult.reference


def test_pages_reach_a_case_older_than_the_newest_fifty(api, world):
    p, a = world.personas, world.agencies
    oldest = report(p.police, a.police, given="Esther", family="Igbinovia", child=False)
    Case.objects.filter(pk=oldest.pk).update(opened_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    for i in range(50):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=False)
    first = listed(api, p.police)
    assert (len(first["results"]), first["count"], first["count_is_exact"]) == (50, 53, True)
    assert oldest.reference not in {r["reference"] for r in first["results"]}
    assert "offset=50" in first["next"]
    second = api.as_(p.police).get(first["next"]).json()
    assert second["results"][-1]["reference"] == oldest.reference and second["next"] is None
    assert got(api, p.police, {"q": "Esther Igbinovia"}) == {oldest.reference}


def test_the_count_stops_at_the_cap(api, world, monkeypatch):
    import varde.api.filters as filters
    from varde.cases import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(filters, "COUNT_CAP", 3)
    monkeypatch.setattr(search.count_capped, "__defaults__", (3,))
    body = listed(api, world.personas.coordinator, {"limit": 2})
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (3, False, 2)
    assert body["next"] is not None
    last = listed(api, world.personas.coordinator, {"limit": 2, "offset": 4})
    assert len(last["results"]) == 2 and last["next"] is None


def _queries(api, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.as_(user).get("/api/cases/", {"q": "Given", "child": "false", "sort": "status"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_budget_does_not_grow_with_the_cases(api, world, django_assert_max_num_queries):
    p, a = world.personas, world.agencies
    for i in range(5):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=False)
    few = _queries(api, p.police)
    for i in range(5, 60):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=False)
    with django_assert_max_num_queries(few):
        body = api.as_(p.police).get("/api/cases/", {"q": "Given", "child": "false", "sort": "status"}).json()
    assert body["count"] == 60 and len(body["results"]) == 50
