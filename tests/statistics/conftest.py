"""A small world for statistics tests: one person reported twice, a boy, a case never linked."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import esther_reported_twice, mihai_child, report_person
from varde.cases.services import DocumentInput
from varde.core import clock
from varde.linkage.services import linkage_run
from varde.response.disappearances import missing_episode_record
from varde.response.legal_status import legal_status_record
from varde.response.returns import voluntary_return_record

# The keys of the national figures (`varde stats --json`), in the order the issue names them.
ISSUE_KEYS = [
    "year",
    "persons",
    "women",
    "men",
    "girls",
    "boys",
    "nationalities",
    "by_nationality",
    "by_exploitation",
    "by_reporting_agency_kind",
    "reflection_period",
    "disappearances",
]


@pytest.fixture
def world(personas, agencies):
    """Esther is reported by the police and by ROSA (one person, two referrals); Mihai, a boy, by
    child welfare; a third case is reported after the linkage run (never linked)."""
    esther_police, esther_ngo = esther_reported_twice(
        personas,
        agencies,
        police={"exploitation_forms": ["sexual"]},
        ngo={"exploitation_forms": ["sexual", "forced_labour"]},
    )
    mihai = mihai_child(
        personas.childwelfare,
        agencies.childwelfare,
        phones=["+47 955 55 555"],
        documents=[DocumentInput(doc_type="passport", number="RO9999999", issuing_country="RO")],
    )
    linkage_run(actor=personas.coordinator)
    late = report_person(
        personas.police,
        agencies.police,
        "Adaeze",
        "Nwosu",
        phone="+47 977 77 777",
        doc="NN7777777",
        dob=dt.date(1985, 1, 2),
    )
    legal_status_record(
        actor=personas.police, case=esther_police, kind="reflection_applied", from_date=dt.date(2026, 10, 3)
    )
    legal_status_record(
        actor=personas.police, case=esther_police, kind="reflection_granted", from_date=dt.date(2026, 10, 20)
    )
    missing_episode_record(
        actor=personas.childwelfare,
        case=mihai,
        missing_from="care_centre",
        last_seen_at=clock.now() - dt.timedelta(days=2),
    )
    voluntary_return_record(actor=personas.police, case=late, returned_on=clock.today(), country="RO")
    return esther_police, esther_ngo, mihai, late
