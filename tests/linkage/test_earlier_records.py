"""The caseworker's hint, by stored blocking keys: it finds an earlier record in another agency's
referral in a case the caseworker's agency takes part in (issue 21, finding 3: never one it cannot
see), reveals nothing of it, reads only records sharing a key (a bounded number of queries whatever the
number of unrelated persons), and the keys follow new referrals and new names."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import esther_by_police, esther_input, report, share_case
from varde.audit.models import AuditEvent
from varde.cases.services import DocumentInput, NameInput, person_add_name
from varde.linkage.models import RecordKey
from varde.linkage.records import digest
from varde.linkage.selectors import likely_earlier_records
from varde.linkage.services import record_keys_rebuild

pytestmark = pytest.mark.django_db

# keys 1, comparison fields 5, model parameters 1, coordinators 1, audit event 4-5
QUERY_BUDGET = 14


def _esther(personas, agencies, *, shared: bool = True):
    """Esther by the police; `shared`: with child welfare taking part in her case."""
    case = esther_by_police(
        personas, agencies, met_where="Storgata 99", description="Met at Storgata 99 during outreach."
    )
    if shared:
        share_case(case, lead=personas.police, agency=agencies.childwelfare, accepter=personas.childwelfare)
    return case


def _strangers(personas, agencies, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        report(
            personas.ngo,
            agencies.ngo,
            given=f"Kari{i:03d}",
            family=f"Nordmann{i:03d}",
            child=False,
            phones=[f"+47 4{i:07d}"],
            documents=[DocumentInput(doc_type="passport", number=f"ZX{i:07d}", issuing_country="NO")],
            nationalities=["NO"],
        )


def test_keys_are_stored_as_keyed_hashes_when_a_referral_is_reported(personas, agencies):
    case = _esther(personas, agencies, shared=False)
    referral = case.referrals.get()
    keys = list(RecordKey.objects.filter(referral=referral).values_list("key", "agency_id"))
    assert keys and all(agency == agencies.police.pk for _k, agency in keys)
    stored = {k for k, _a in keys}
    assert digest("phone:93456789") in stored and digest("document:KL1234567") in stored
    joined = " ".join(stored)
    for value in ("93456789", "KL1234567", "esther", "Esther", "igbinovia"):
        assert value not in joined


def test_finds_the_earlier_record_across_agencies_and_reveals_nothing(personas, agencies):
    earlier = _esther(personas, agencies)
    hint = likely_earlier_records(
        referral_data=esther_input(), agency=agencies.childwelfare, actor=personas.childwelfare
    )
    assert hint.exists and hint.count == 1
    assert {f.name for f in dataclasses.fields(hint)} == {"exists", "count", "coordinators"}
    assert [c.name for c in hint.coordinators] == [personas.coordinator.full_name]
    shown = repr(hint)
    for secret in (
        "Igbinovia",
        "Storgata",
        "KL1234567",
        agencies.police.name,
        agencies.police.code,
        earlier.reference,
        str(earlier.pk),
        str(earlier.referrals.get().pk),
    ):
        assert secret not in shown
    event = AuditEvent.objects.filter(object_type="linkage.earlier_records").latest("seq")
    assert event.detail == {"likely_earlier_records": 1}
    # the reporting agency itself gets no hint about its own record
    assert not likely_earlier_records(referral_data=esther_input(), agency=agencies.police).exists


def test_no_hint_of_a_record_in_a_case_the_agency_does_not_take_part_in(personas, agencies):
    """Issue 21, finding 3: the same earlier record, not shared with child welfare, gives no hint."""
    _esther(personas, agencies, shared=False)
    hint = likely_earlier_records(
        referral_data=esther_input(), agency=agencies.childwelfare, actor=personas.childwelfare
    )
    assert not hint.exists and hint.count == 0 and hint.coordinators == []
    event = AuditEvent.objects.filter(object_type="linkage.earlier_records").latest("seq")
    assert event.detail == {"likely_earlier_records": 0}


def test_a_name_added_later_is_found(personas, agencies):
    earlier = _esther(personas, agencies)
    alias = esther_input(names=[NameInput(given="Joy", family="Osagie")], phones=[])
    assert not likely_earlier_records(referral_data=alias, agency=agencies.childwelfare).exists
    person_add_name(
        actor=personas.police, case=earlier, name=NameInput(given="Joy", family="Osagie", kind="alias")
    )
    assert likely_earlier_records(referral_data=alias, agency=agencies.childwelfare).exists


def test_bounded_queries_whatever_the_number_of_unrelated_persons(
    personas, agencies, django_assert_max_num_queries
):
    _esther(personas, agencies)
    _strangers(personas, agencies, 5)
    with CaptureQueriesContext(connection) as few:
        hint = likely_earlier_records(referral_data=esther_input(), agency=agencies.childwelfare)
    assert hint.count == 1
    _strangers(personas, agencies, 40, start=5)
    assert RecordKey.objects.values("referral").distinct().count() == 46
    with django_assert_max_num_queries(QUERY_BUDGET):
        hint = likely_earlier_records(
            referral_data=esther_input(), agency=agencies.childwelfare, actor=personas.childwelfare
        )
    assert hint.count == 1
    with CaptureQueriesContext(connection) as many:
        likely_earlier_records(referral_data=esther_input(), agency=agencies.childwelfare)
    assert len(many) == len(few)
    # only the one record sharing a key was read: no query lists the strangers' referrals
    referral_reads = [q["sql"] for q in many.captured_queries if "cases_referral" in q["sql"]]
    assert referral_reads and all("IN" in sql for sql in referral_reads)


def test_rebuild_restores_the_keys(personas, agencies):
    _esther(personas, agencies)
    stored = set(RecordKey.objects.values_list("referral_id", "key"))
    RecordKey.objects.all().delete()
    assert not likely_earlier_records(referral_data=esther_input(), agency=agencies.childwelfare).exists
    assert record_keys_rebuild() == len(stored)
    assert set(RecordKey.objects.values_list("referral_id", "key")) == stored
    assert likely_earlier_records(referral_data=esther_input(), agency=agencies.childwelfare).exists
