"""Possible match at registration (issue 20, point 3): the caseworker's own agency's probable earlier
records of the same person (varde.access.matches), never another agency's record they cannot open."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import verified
from tests.factories import ESTHER_BORN, esther_by_police, esther_input, report, report_person, share_case
from varde.access.matches import NAME_MATCH, PHONE_MATCH, own_agency_matches
from varde.audit.models import AuditEvent
from varde.cases.models import Case
from varde.cases.services import DocumentInput, NameInput, referral_report

pytestmark = pytest.mark.django_db


def _same_esther(**kw):
    """Esther again, as the police would type her the same day: same phone and passport."""
    kw.setdefault("phones", ["+47 934 56 789"])
    kw.setdefault("documents", [DocumentInput(doc_type="passport", number="KL1234567", issuing_country="NG")])
    return esther_input(**kw)


def test_same_phone_and_passport_from_the_same_agency_is_a_match(personas, agencies):
    earlier = esther_by_police(personas, agencies)
    police = verified(personas.police)
    found = own_agency_matches(user=police, agency=agencies.police, data=_same_esther())
    assert [m.case for m in found] == [earlier]
    assert found[0].matched_by == {"phone", "document", "name"}
    assert found[0].person.display_name == "Esther Igbinovia"
    event = AuditEvent.objects.filter(action="list", actor_username="police").latest("seq")
    assert event.detail["cases"] == [str(earlier.pk)] and event.detail["purpose"] == "possible_match"
    assert "Esther" not in str(event.detail) and "934" not in str(event.detail)


def test_phone_alone_matches_in_any_writing(personas, agencies):
    earlier = esther_by_police(personas, agencies)
    data = esther_input(
        names=[NameInput(given="Someone", family="Else")], date_of_birth=None, phones=["93456789"]
    )
    found = own_agency_matches(user=verified(personas.police), agency=agencies.police, data=data)
    assert [(m.case, m.matched_by) for m in found] == [(earlier, frozenset({PHONE_MATCH}))]


def test_nothing_is_saved_by_looking_and_a_confirmed_second_case_is_made(personas, agencies):
    esther_by_police(personas, agencies)
    police = verified(personas.police)
    before = Case.objects.count()
    assert own_agency_matches(user=police, agency=agencies.police, data=_same_esther())
    assert Case.objects.count() == before
    first = Case.objects.get()
    second = referral_report(actor=police, agency=agencies.police, data=_same_esther())
    assert (
        Case.objects.count() == before + 1 and second.pk != first.pk and second.person_id != first.person_id
    )
    # both earlier cases are found afterwards
    assert len(own_agency_matches(user=police, agency=agencies.police, data=_same_esther())) == 2


def test_another_agencys_record_is_never_shown(personas, agencies):
    esther_by_police(personas, agencies)  # the police's case; child welfare does not take part
    for user, agency in ((personas.childwelfare, agencies.childwelfare), (personas.ngo, agencies.ngo)):
        audit_before = AuditEvent.objects.count()
        assert own_agency_matches(user=verified(user), agency=agency, data=_same_esther()) == []
        assert AuditEvent.objects.count() == audit_before  # nothing shown, nothing audited


def test_a_case_the_agency_takes_part_in_is_shown_with_the_record(personas, agencies):
    earlier = esther_by_police(personas, agencies)
    share_case(earlier, lead=personas.police, agency=agencies.childwelfare, accepter=personas.childwelfare)
    found = own_agency_matches(
        user=verified(personas.childwelfare), agency=agencies.childwelfare, data=_same_esther()
    )
    assert [m.case for m in found] == [earlier]


def test_a_user_reporting_for_an_agency_not_theirs_is_shown_nothing(personas, agencies):
    esther_by_police(personas, agencies)
    assert own_agency_matches(user=verified(personas.ngo), agency=agencies.police, data=_same_esther()) == []
    assert (
        own_agency_matches(user=verified(personas.analyst), agency=agencies.police, data=_same_esther()) == []
    )


def test_name_variant_with_the_same_birth_date_matches(personas, agencies):
    earlier = report_person(
        personas.police, agencies.police, "Mohamed", "Ali", dob=dt.date(1998, 3, 4), sex="M"
    )
    data = esther_input(
        names=[NameInput(given="Ali", family="Muhammad")],
        sex="M",
        date_of_birth=dt.date(1998, 3, 4),
        phones=[],
    )
    found = own_agency_matches(user=verified(personas.police), agency=agencies.police, data=data)
    assert [(m.case, m.matched_by) for m in found] == [(earlier, frozenset({NAME_MATCH}))]


def test_name_variant_with_an_estimated_age_that_fits_matches(personas, agencies):
    earlier = report_person(
        personas.police, agencies.police, "Mohamed", "Ali", dob=dt.date(1998, 3, 4), sex="M"
    )
    data = esther_input(
        names=[NameInput(given="Muhammad", family="Ali")],
        sex="M",
        date_of_birth=None,
        estimated_age=28,
        referral_date=dt.date(2026, 11, 1),
        phones=[],
    )
    assert [
        m.case for m in own_agency_matches(user=verified(personas.police), agency=agencies.police, data=data)
    ] == [earlier]


@pytest.mark.parametrize(
    "change",
    [
        {"date_of_birth": dt.date(1998, 3, 5)},  # another birth date
        {"sex": "F"},  # another sex
        {"date_of_birth": None},  # no birth given: a name alone is not enough
        {"date_of_birth": None, "estimated_age": 40, "referral_date": dt.date(2026, 11, 1)},  # too old
        {"names": [NameInput(given="Mohamed", family="Hassan")]},  # one part of the name only
    ],
)
def test_no_false_match_without_a_compatible_birth_and_sex(personas, agencies, change):
    report_person(personas.police, agencies.police, "Mohamed", "Ali", dob=dt.date(1998, 3, 4), sex="M")
    fields = {
        "names": [NameInput(given="Muhammad", family="Ali")],
        "sex": "M",
        "date_of_birth": dt.date(1998, 3, 4),
    }
    data = esther_input(**{**fields, **change, "phones": []})
    assert own_agency_matches(user=verified(personas.police), agency=agencies.police, data=data) == []


def test_the_look_up_reads_a_bounded_number_of_rows_whatever_the_caseload(personas, agencies):
    esther_by_police(personas, agencies)
    police = verified(personas.police)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            own_agency_matches(user=police, agency=agencies.police, data=_same_esther(), audit=False)
        return len(ctx)

    few = queries()
    for i in range(15):
        report(
            personas.police,
            agencies.police,
            given=f"Kari{i:03d}",
            family="Nordmann",
            child=False,
            date_of_birth=ESTHER_BORN,
            phones=[f"+47 4{i:07d}"],
            documents=[DocumentInput(doc_type="passport", number=f"ZX{i:07d}", issuing_country="NO")],
        )
    assert queries() == few <= 6


def test_match_shows_no_more_than_the_case(personas, agencies):
    esther_by_police(personas, agencies)
    found = own_agency_matches(
        user=verified(personas.police), agency=agencies.police, data=_same_esther(), audit=False
    )
    assert {f.name for f in dataclasses.fields(found[0])} == {"case", "matched_by"}
