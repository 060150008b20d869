"""The case search through the access layer (varde.access.search): what each persona finds, the
national list never answering a name search for cases not opened, the keys kept current, audit."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from tests.conftest import break_glass
from tests.factories import report
from varde.access.search import case_filter, case_list_page
from varde.audit.models import AuditEvent
from varde.cases.models import Case, PersonSearchKey
from varde.cases.services import NameInput, person_add_name

pytestmark = pytest.mark.django_db


def found(user, text: str = "", **params) -> set[str]:
    request = RequestFactory().get("/cases/")
    request.user = user
    data = QueryDict(mutable=True)
    if text:
        data["q"] = text
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return {c.reference for c in case_filter(request=request, data=data).qs}


def refs(*cases: Case) -> set[str]:
    return {c.reference for c in cases}


def test_keys_are_stored_when_a_case_is_reported(world):
    keys = set(
        PersonSearchKey.objects.filter(person=world.cases.police_adult.person).values_list("key", flat=True)
    )
    assert {"w:blessing", "w:okafor", "t:91234567", "d:A1234567", "b:1995-05-17", "y:1995"} <= keys


def test_a_caseworker_finds_own_and_shared_cases_by_name(world):
    p, c = world.personas, world.cases
    assert found(p.police, "Blessing Okafor") == refs(c.police_adult)
    assert found(p.police, "okafor blessing") == refs(c.police_adult)
    assert found(p.ngo, "Okafor") == refs(c.police_adult)  # shared with ROSA


def test_another_agencys_case_is_never_found_by_a_caseworker(world):
    p, c = world.personas, world.cases
    # Every persona case has the same phone and passport: each agency finds only its own.
    for text in ("Blessing Okafor", "Okafor", "Mihai Popescu", "Liang Wei"):
        assert not found(p.childwelfare, text) - refs(c.childwelfare_adult, c.childwelfare_child), text
    assert found(p.childwelfare, "+47 912 34 567") == refs(c.childwelfare_adult, c.childwelfare_child)
    assert found(p.childwelfare, "A1234567") == refs(c.childwelfare_adult, c.childwelfare_child)
    assert found(p.childwelfare, "1995-05-17") == refs(c.childwelfare_adult)
    assert found(p.childwelfare, c.police_adult.reference) == set()
    assert found(p.outsider, "A1234567") == set() and found(p.outsider, "Okafor") == set()
    for name in ("analyst", "auditor", "sysadmin", "agency_admin"):
        assert found(getattr(p, name), "Okafor") == set(), name
        assert found(getattr(p, name)) == set(), name


def test_a_coordinators_national_list_never_matches_by_personal_data_for_cases_not_opened(world):
    p, c = world.personas, world.cases
    kom = p.coordinator
    assert found(kom) == refs(*c.all())  # the national list
    for text in ("Blessing Okafor", "Okafor", "+47 912 34 567", "A1234567", "1995-05-17", "31", "Amina"):
        assert found(kom, text) == set(), text
    # The case reference is on the national list: found, whoever leads the case.
    assert found(kom, c.police_adult.reference) == refs(c.police_adult)
    assert found(kom, c.police_adult.reference[:6].lower()) >= refs(c.police_adult)
    break_glass(kom, c.ngo_child)  # opened with a reason: now searchable by name
    assert found(kom, "Liang Wei") == refs(c.ngo_child)
    assert found(kom, "A1234567") == refs(c.ngo_child)


def test_an_alias_added_later_is_found_at_once(world):
    p, c = world.personas, world.cases
    assert found(p.police, "Chinwe") == set()
    person_add_name(
        actor=p.police, case=c.police_adult, name=NameInput(given="Chinwe", family="Okoro", kind="alias")
    )
    assert found(p.police, "Chinwe Okoro") == refs(c.police_adult)
    assert found(p.police, "Blessing Okafor") == refs(c.police_adult)  # the first name still


def test_transliteration_and_diacritics(world):
    p, a = world.personas, world.agencies
    muhammad = report(p.police, a.police, given="Muhammad", family="Al-Amin", child=False)
    nguyen = report(p.police, a.police, given="Thị Hà", family="Nguyễn", child=False)
    assert found(p.police, "Mohamed") == refs(muhammad)
    assert found(p.police, "Mohammed al Amin") == refs(muhammad)
    assert found(p.police, "amin mohamed") == refs(muhammad)  # the other order
    assert found(p.police, "Nguyen Ha") == refs(nguyen)
    assert found(p.police, "Нгуен") == refs(nguyen)
    assert found(p.childwelfare, "Mohamed") == set()


def test_search_combines_with_filters(world):
    p, c = world.personas, world.cases
    assert found(p.police, "A1234567", child="true") == refs(c.police_child)
    assert found(p.police, "A1234567", status="closed") == set()


def test_every_search_is_audited_as_a_list_of_what_it_returns(world, rf):
    p, c = world.personas, world.cases
    request = rf.get("/cases/")
    request.user = p.police
    before = AuditEvent.objects.count()
    _filters, page = case_list_page(
        request=request, data=QueryDict("q=Okafor+Blessing&child=false"), number=1
    )
    assert [case.pk for case in page.cases] == [c.police_adult.pk]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type) == ("list", "cases.case")
    assert event.detail == {
        "page": "case-list",
        "child": "false",
        "search": ["name"],
        "cases": [str(c.police_adult.pk)],
    }
    # Nothing found is audited too (a search is a read, whatever it finds).
    case_list_page(request=request, data=QueryDict("q=Nobody"), number=1)
    assert AuditEvent.objects.latest("seq").detail["cases"] == []


def test_retention_forgets_the_keys_with_the_names(world, settings):
    from varde.core import clock
    from varde.retention.services import anonymise_case

    case = world.cases.childwelfare_adult
    assert PersonSearchKey.objects.filter(person=case.person).exists()
    anonymise_case(case=case, closed_on=clock.today(), days=0)
    assert not PersonSearchKey.objects.filter(person=case.person).exists()
    assert found(world.personas.childwelfare, "Joy Eze") == set()


def test_rebuild_gives_the_same_keys(world):
    from varde.linkage.search_keys import search_keys_rebuild

    before = set(PersonSearchKey.objects.values_list("person_id", "key"))
    PersonSearchKey.objects.all().delete()
    search_keys_rebuild(batch=2)
    assert set(PersonSearchKey.objects.values_list("person_id", "key")) == before
