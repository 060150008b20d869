"""A small world for statistics tests: one person reported twice, a boy, a case never linked."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import report
from varde.cases.services import DocumentInput
from varde.core import clock
from varde.linkage.services import linkage_run
from varde.response.services import legal_status_record, missing_episode_record, voluntary_return_record


def _report(actor, agency, given, family, *, phone, doc, dob=dt.date(1990, 5, 6), **kw):
    docs = [DocumentInput(doc_type="passport", number=doc, issuing_country="NG")] if doc else []
    case = report(
        actor,
        agency,
        given=given,
        family=family,
        child=False,
        phones=[phone] if phone else [],
        documents=docs,
        **kw,
    )
    case.person.date_of_birth = dob
    case.person.save(update_fields=["date_of_birth"])
    return case


@pytest.fixture
def world(personas, agencies):
    """Esther is reported by the police and by ROSA (one person, two referrals); Mihai, a boy, by
    child welfare; a third case is reported after the linkage run (never linked)."""
    esther_police = _report(
        personas.police,
        agencies.police,
        "Esther",
        "Igbinovia",
        phone="+47 934 56 789",
        doc="KL1234567",
        exploitation_forms=["sexual"],
    )
    esther_ngo = _report(
        personas.ngo,
        agencies.ngo,
        "Igbinovia",
        "Esther",
        phone="93456789",
        doc="KL 123 4567",
        exploitation_forms=["sexual", "forced_labour"],
    )
    mihai = report(
        personas.childwelfare,
        agencies.childwelfare,
        given="Mihai",
        family="Popescu",
        child=True,
        sex="M",
        nationalities=["RO"],
        exploitation_forms=["begging"],
        phones=["+47 955 55 555"],
        documents=[DocumentInput(doc_type="passport", number="RO9999999", issuing_country="RO")],
    )
    linkage_run(actor=personas.coordinator)
    late = _report(
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
    voluntary_return_record(actor=personas.police, case=late, returned_on=dt.date(2026, 11, 1))
    return esther_police, esther_ngo, mihai, late
