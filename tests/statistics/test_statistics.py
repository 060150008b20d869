"""The pseudonymised extract and the national figures: persons, never referrals; nothing personal;
coordinators see internal figures, analysts published ones only, others nothing; every read audited."""

from __future__ import annotations

import dataclasses

import pytest

from tests.statistics.conftest import ISSUE_KEYS as ISSUE_KEY_ORDER
from varde.access.statistics import statistics_get_for_user
from varde.audit.models import AuditEvent
from varde.core.errors import NotPermitted
from varde.statistics.extract import PersonRow, person_of_case, pseudonymised_extract
from varde.statistics.figures import as_json, national_figures

pytestmark = pytest.mark.django_db

SECRETS = (
    "Esther",
    "Igbinovia",
    "Mihai",
    "Popescu",
    "93456789",
    "KL1234567",
    "RO9999999",
    "Met during outreach",
)
ISSUE_KEYS = set(ISSUE_KEY_ORDER)


def test_extract_counts_persons_not_referrals_and_holds_nothing_personal(world):
    rows = pseudonymised_extract()
    assert len(rows) == 3  # four referrals, three persons: Esther twice, Mihai, the never-linked case
    fields = {f.name for f in dataclasses.fields(PersonRow)}
    assert fields.isdisjoint(
        {
            "name",
            "given_name",
            "family_name",
            "phone",
            "document",
            "national_id",
            "date_of_birth",
            "description",
            "reference",
        }
    )
    text = repr(rows)
    for secret in SECRETS:
        assert secret not in text
    for case in world:
        assert str(case.pk) not in text and case.reference not in text
    esther = next(r for r in rows if r.exploitation == {"sexual", "forced_labour"})
    assert esther.agency_kinds == {"police_district", "ngo"} and esther.nationality == "NG"
    assert {d.year for d in esther.reflection_applied} == {2026}
    assert {d.year for d in esther.reflection_granted} == {2026}
    boy = next(r for r in rows if r.sex == "M")
    assert boy.child and {d.year for d in boy.minor_disappeared} == {2026} and boy.nationality == "RO"
    assert sum(1 for r in rows if {d.year for d in r.voluntary_return} == {2026}) == 1


def test_person_of_case_joins_cases_through_linkage_and_keeps_unlinked_cases_apart():
    cases = {"c1": ["r1"], "c2": ["r2", "r3"], "c3": ["r4"], "c4": ["r5"]}
    keys = person_of_case(cases, {"r1": "P1", "r2": "P1", "r3": "P1", "r4": "P2"})  # type: ignore[arg-type]
    assert keys["c1"] == keys["c2"] == "P1" and keys["c3"] == "P2"
    assert keys["c4"].startswith("u") and "c4" not in keys["c4"]


def test_national_figures_for_the_year(world):
    figures = national_figures(pseudonymised_extract(), 2026)
    data = as_json(figures)
    assert set(data) == ISSUE_KEYS
    assert (
        data["persons"] == 3
        and data["women"] == 2
        and data["boys"] == 1
        and data["men"] == data["girls"] == 0
    )
    assert data["nationalities"] == 2 and data["by_nationality"] == {"NG": 2, "RO": 1}
    assert data["by_exploitation"] == {"begging": 1, "forced_labour": 1, "sexual": 2}
    assert data["by_reporting_agency_kind"] == {"child_welfare_state": 1, "ngo": 1, "police_district": 2}
    assert data["reflection_period"] == {"applied": 1, "granted": 1, "rejected": 0}
    assert data["disappearances"] == 1
    extended = as_json(figures, extended=True)
    assert extended["first_identified"] == 3 and extended["by_municipality"] == {"0301": 3}
    assert extended["voluntary_returns"] == 1 and extended["residence_permits"] == 0
    assert as_json(national_figures(pseudonymised_extract(), 2025))["persons"] == 0


def test_published_figures_suppress_small_cells(world):
    published = as_json(national_figures(pseudonymised_extract(), 2026), k=3)
    assert published["persons"] == 3
    assert published["women"] is None and published["boys"] is None and published["men"] == 0
    assert published["by_nationality"] == {"NG": None, "RO": None}
    assert published["by_exploitation"] == {"begging": None, "forced_labour": None, "sexual": None}
    assert published["disappearances"] is None
    everything = as_json(national_figures(pseudonymised_extract(), 2026), k=10)
    assert everything["persons"] is None and everything["by_nationality"] is None


def test_coordinator_sees_internal_analyst_published_others_nothing(world, personas):
    internal = statistics_get_for_user(user=personas.coordinator, year=2026, published=False)
    assert internal["persons"] == 3
    published = statistics_get_for_user(user=personas.analyst, year=2026, published=True, k=3)
    assert published["women"] is None
    with pytest.raises(NotPermitted):
        statistics_get_for_user(user=personas.analyst, year=2026, published=False)
    for user in (personas.police, personas.outsider, personas.auditor, personas.sysadmin):
        with pytest.raises(NotPermitted):
            statistics_get_for_user(user=user, year=2026, published=True)


def test_reading_statistics_is_audited_without_figures(world, personas):
    statistics_get_for_user(user=personas.analyst, year=2026, published=True, k=5)
    event = AuditEvent.objects.filter(object_type="statistics.national").latest("seq")
    assert event.action == "view" and event.actor_id == personas.analyst.pk and event.object_id == "2026"
    assert event.detail == {"year": 2026, "published": True, "k": 5}
